"""Tables read in record batches, never whole: Parquet files, folders and globs, pyarrow datasets, CSV.

:func:`open_source` turns what a user passes to ``fit`` into a :class:`TableSource` (or None for an
in-memory DataFrame). A source yields the table as pyarrow record batches in the same order every
time, so a streaming pass is a pure function of the data, whatever the batch size.

CSV is read by pyarrow's streaming reader. pyarrow would fix each column's type from the first
block and fail on a later block that disagrees (a column of codes with a "?" deep in the file), so a
first pass reads every column as text and keeps, per column, the narrowest type every value parses
as (int64, float64, bool, else text); the batches then come with those types throughout. Datetimes
stay text, as pandas' ``read_csv`` leaves them, and are recognised by the schema.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as pads

from synthgan.errors import DataError

__all__ = ["BATCH_ROWS", "TableSource", "in_memory", "open_source"]

BATCH_ROWS = 65_536
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt")
CSV_BLOCK_BYTES = 16 << 20
# pyarrow decodes up to 4 files ahead by default: with row groups of a million rows that alone held
# over a gigabyte. One file and two batches ahead keep the read as fast on local disks (measured).
READAHEAD = {"fragment_readahead": 1, "batch_readahead": 2}
# The types a CSV column may take, narrowest first; text is what is left.
CSV_TYPES = (pa.int64(), pa.float64(), pa.bool_())


class TableSource:
    """A table on disk (or a pyarrow dataset) that is read batch by batch."""

    def __init__(self, description: str, dataset: pads.Dataset | None = None, csv: Path | None = None) -> None:
        self.description = description
        self._dataset, self._csv = dataset, csv
        self._csv_types: dict[str, pa.DataType] | None = None

    def __repr__(self) -> str:
        return f"TableSource({self.description})"

    @property
    def names(self) -> list[str]:
        if self._dataset is not None:  # pandas writes a non-default index as a column of its own
            return [name for name in self._dataset.schema.names if not name.startswith("__index_level_")]
        return list(self._types())

    def batches(self, batch_rows: int | None = None) -> Iterator[pa.RecordBatch]:
        """The table's rows in order, as record batches of at most ``batch_rows`` rows (default BATCH_ROWS)."""
        batch_rows = batch_rows or BATCH_ROWS
        if self._dataset is not None:
            batches = self._dataset.to_batches(columns=self.names, batch_size=batch_rows, use_threads=True, **READAHEAD)
            for batch in batches:
                if batch.num_rows:
                    yield batch
            pa.default_memory_pool().release_unused()  # the decoded pages arrow's allocator kept
            return
        for batch in self._csv_batches(self._types()):
            for start in range(0, batch.num_rows, batch_rows):
                yield batch.slice(start, batch_rows)

    def count_rows(self) -> int | None:
        """The row count when the files say it without a read (Parquet metadata), else None."""
        return self._dataset.count_rows() if self._dataset is not None else None

    def frames(self, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """The batches as pandas DataFrames, converted as ``pandas.read_parquet`` converts."""
        for batch in self.batches(batch_rows):
            yield batch.to_pandas()

    def read_pandas(self) -> pd.DataFrame:
        """The whole table in memory, for the models that train on one."""
        batches = list(self.batches())
        return pa.Table.from_batches(batches, schema=self._schema(batches)).to_pandas()

    def _schema(self, batches: list[pa.RecordBatch]) -> pa.Schema:
        if self._dataset is not None:
            return pa.schema([self._dataset.schema.field(name) for name in self.names], self._dataset.schema.metadata)
        return batches[0].schema

    # ------------------------------------------------------------------ CSV
    def _csv_batches(self, types: dict[str, pa.DataType] | None) -> Iterator[pa.RecordBatch]:
        assert self._csv is not None
        delimiter = "\t" if self._csv.name.lower().endswith(".tsv") else ","
        convert = pacsv.ConvertOptions(column_types=types or {}, strings_can_be_null=True)
        try:
            reader = pacsv.open_csv(
                self._csv,
                read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=convert,
            )
            yield from reader
        except (pa.ArrowInvalid, OSError) as error:
            raise DataError(f"Could not read {self._csv}: {error}") from None

    def _types(self) -> dict[str, pa.DataType]:
        """Each CSV column's type: the narrowest that every one of its values parses as."""
        if self._csv_types is None:
            names = _csv_header(self)
            text = {name: pa.string() for name in names}
            candidates = {name: list(CSV_TYPES) for name in names}
            for batch in self._csv_batches(text):
                for name, column in zip(names, batch.columns, strict=True):
                    candidates[name] = [kind for kind in candidates[name] if _parses(column, kind)]
            self._csv_types = {name: (kinds[0] if kinds else pa.string()) for name, kinds in candidates.items()}
        return self._csv_types


def open_source(data: Any) -> TableSource | None:
    """A :class:`TableSource` for a path, a glob, a folder or a ``pyarrow.dataset.Dataset``; None for a DataFrame.

    Raises a DataError naming the path when there is nothing readable there.
    """
    if isinstance(data, pd.DataFrame):
        return None
    if isinstance(data, pads.Dataset):
        return TableSource(f"a pyarrow dataset of {len(data.files) if hasattr(data, 'files') else '?'} file(s)", data)
    if not isinstance(data, str | Path):
        raise DataError(
            f"Expected a pandas DataFrame, a path to CSV or Parquet data (a file, a folder or a glob) "
            f"or a pyarrow dataset, got {type(data).__name__}."
        )
    text = str(data)
    if glob.has_magic(text):
        files = sorted(glob.glob(text))
        if not files:
            raise DataError(f"No file matches {text!r}. Check the pattern.")
        return _parquet(files, f"{len(files)} Parquet file(s) matching {text}")
    path = Path(text)
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(PARQUET_SUFFIXES))
        if not files:
            raise DataError(f"The folder {path} holds no .parquet file. Point to a folder of Parquet files.")
        return _parquet(files, f"{len(files)} Parquet file(s) in {path}")
    if not path.exists():
        raise DataError(f"File not found: {path}. Check the path.")
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return _parquet([str(path)], str(path))
    if name.endswith(CSV_SUFFIXES):
        return TableSource(str(path), csv=path)
    raise DataError(f"Unsupported file type for {path}. Use .csv, .csv.gz, .tsv or .parquet (or a folder of them).")


def _parquet(files: list[str], description: str) -> TableSource:
    try:
        return TableSource(description, pads.dataset(files, format="parquet"))
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"Could not read {description} as Parquet: {error}") from None


def _csv_header(source: TableSource) -> list[str]:
    for batch in source._csv_batches(None):
        return list(batch.schema.names)
    raise DataError(f"{source.description} is empty. Pass a file with a header and at least one row.")


def _parses(column: pa.Array, kind: pa.DataType) -> bool:
    try:
        pc.cast(column, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def in_memory(data: Any) -> pd.DataFrame:
    """``data`` as a DataFrame: itself, or a table on disk read whole (for models that train in memory)."""
    source = open_source(data)
    return data if source is None else source.read_pandas()
