"""Reading and writing tables for the CLI: CSV or Parquet chosen by extension, writes atomic."""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from synthgan.data.source import in_memory
from synthgan.errors import DataError
from synthgan.files import atomic_path

TABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
# ``synthgan fit`` streams a CSV larger than this (pandas would hold it several times over).
STREAM_BYTES = 1 << 30


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (optionally gzipped) or Parquet file, or a folder or glob of Parquet files, into a DataFrame."""
    if _many_files(path):
        return in_memory(str(path))
    path = Path(path)
    if not path.exists():
        raise DataError(f"File not found: {path}. Check the path.")
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            return pd.read_csv(path, sep="\t" if name.endswith(".tsv") else ",")
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise DataError(f"Could not read {path}: {error}") from None
    raise DataError(f"Unsupported file type for {path}. Use .csv, .csv.gz or .parquet.")


def streams_by_default(path: str | Path) -> bool:
    """Whether ``synthgan fit`` reads ``path`` in batches unless told: Parquet, folders, globs, big files."""
    if _many_files(path) or str(path).lower().endswith((".parquet", ".pq")):
        return True
    return Path(path).is_file() and Path(path).stat().st_size > STREAM_BYTES


def _many_files(path: str | Path) -> bool:
    """A folder or a glob: Parquet files that data/source.py reads as one table."""
    return glob.has_magic(str(path)) or Path(path).is_dir()


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` as CSV or Parquet (by extension), atomically."""
    writer = _writer_for(Path(path))
    with atomic_path(path) as tmp:
        writer(df, tmp)


def _writer_for(path: Path) -> Callable[[pd.DataFrame, Path], None]:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return lambda df, tmp: df.to_parquet(tmp, index=False)
    if name.endswith(".csv.gz"):
        return lambda df, tmp: df.to_csv(tmp, index=False, compression="gzip")
    if name.endswith(".csv"):
        return lambda df, tmp: df.to_csv(tmp, index=False)
    raise DataError(f"Unsupported output type for {path}. Use .csv, .csv.gz or .parquet.")


class TableWriter:
    """Append DataFrame chunks to one CSV or Parquet file; the file appears only when all is written."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        _writer_for(self.path)  # reject unsupported extensions before any work
        self._atomic = atomic_path(self.path)
        self._parquet = None
        self._rows = 0

    def __enter__(self) -> TableWriter:
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, chunk: pd.DataFrame) -> None:
        name = self.path.name.lower()
        if name.endswith((".parquet", ".pq")):
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            self._parquet.write_table(table)
        else:
            compression = "gzip" if name.endswith(".gz") else None
            mode = "w" if self._rows == 0 else "a"
            chunk.to_csv(self._tmp, index=False, header=self._rows == 0, mode=mode, compression=compression)
        self._rows += len(chunk)

    def __exit__(self, *exc) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self._atomic.__exit__(*exc)
