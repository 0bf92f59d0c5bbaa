"""One streaming pass over a table too large for memory: a seeded row sample and exact column counts.

The transformer of a streamed table is fitted from a :class:`Scan`: the schema is inferred on a
reservoir sample of rows (``sample_rows``, seeded), then corrected with what was counted exactly over
every row: each column's nulls, its minimum and maximum, and, for columns with at most
``MAX_COUNTED_VALUES`` distinct values, every value's count (so categories and their frequencies are
exact, however rare a level). Numbers are binned on the sample, widened to the exact range.

The sample keeps the rows with the ``sample_rows`` smallest of one seeded uniform key per row,
drawn in row order, so it does not depend on how the table is cut into batches; a table no longer
than the sample is sampled whole, and then the fit is exactly the in-memory fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synthgan.data.schema import MAX_CATEGORICAL_CODES, ColumnKind, ColumnSpec, Schema, native_value, point_masses
from synthgan.data.source import TableSource
from synthgan.errors import DataError

__all__ = ["MAX_COUNTED_VALUES", "ColumnCounts", "Scan", "exact_schema", "scan", "sorted_counts"]

# A column with more distinct values than this is not counted exactly (it is a number or free text).
MAX_COUNTED_VALUES = 100_000


@dataclass
class ColumnCounts:
    """What one column's pass counted exactly."""

    nulls: int = 0
    minimum: Any = None
    maximum: Any = None
    values: pd.Series | None = field(default_factory=lambda: pd.Series(dtype="int64"))  # None: too many

    def add(self, column: pa.Array | pa.ChunkedArray) -> None:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        self.nulls += column.null_count
        if _ordered(column.type) and column.null_count < len(column):
            low, high = pc.min_max(column).values()
            self.minimum = low.as_py() if self.minimum is None else min(self.minimum, low.as_py())
            self.maximum = high.as_py() if self.maximum is None else max(self.maximum, high.as_py())
        if self.values is None:
            return
        counted = pc.value_counts(column.drop_null())
        batch = pd.Series(counted.field("counts").to_numpy(), index=counted.field("values").to_pandas())
        self.values = batch if self.values.empty else self.values.add(batch, fill_value=0).astype("int64")
        if len(self.values) > MAX_COUNTED_VALUES:
            self.values = None


@dataclass
class Scan:
    """A streamed table summarised: its row count, a seeded sample of rows and exact per-column counts."""

    rows: int
    sample: pd.DataFrame
    columns: dict[str, ColumnCounts]

    @property
    def complete(self) -> bool:
        """Whether the sample holds every row (then it *is* the table)."""
        return len(self.sample) == self.rows


def scan(source: TableSource, sample_rows: int, seed: int, progress: Callable[[int], None] | None = None) -> Scan:
    """Read ``source`` once: its rows, a seeded sample of ``sample_rows`` of them and exact counts.
    ``progress(rows)`` is told the rows of each batch read."""
    keys = np.random.default_rng(seed)
    counts: dict[str, ColumnCounts] = {}
    kept: list[pa.RecordBatch] = []
    kept_keys = np.zeros(0)
    kept_rows = np.zeros(0, dtype=np.int64)
    rows = 0
    schema = None
    for batch in source.batches():
        if schema is None:
            schema = batch.schema
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            try:
                counts.setdefault(name, ColumnCounts()).add(column)
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid, TypeError) as error:
                raise DataError(
                    f"Column {name!r} of {source.description} cannot be learned ({column.type}: {error}). "
                    "Flatten it into scalar columns, or drop it."
                ) from None
        batch_keys = keys.random(batch.num_rows)
        threshold = np.partition(kept_keys, sample_rows - 1)[sample_rows - 1] if len(kept_keys) >= sample_rows else 1.0
        chosen = np.flatnonzero(batch_keys < threshold)
        if len(chosen):
            kept.append(batch.take(pa.array(chosen)))
            kept_keys = np.concatenate([kept_keys, batch_keys[chosen]])
            kept_rows = np.concatenate([kept_rows, rows + chosen])
        if len(kept_keys) > 2 * sample_rows:
            kept, kept_keys, kept_rows = _smallest(kept, kept_keys, kept_rows, sample_rows)
        rows += batch.num_rows
        if progress is not None:
            progress(batch.num_rows)
    if rows == 0:
        raise DataError(f"{source.description} holds no rows. Pass a table with at least a few rows.")
    kept, kept_keys, kept_rows = _smallest(kept, kept_keys, kept_rows, sample_rows)
    sample = pa.Table.from_batches(kept, schema=schema).to_pandas()
    del kept, batch
    pa.default_memory_pool().release_unused()  # decoded pages arrow's allocator would keep for reuse
    return Scan(rows=rows, sample=sample, columns=counts)


def _smallest(
    kept: list[pa.RecordBatch], keys: np.ndarray, rows: np.ndarray, size: int
) -> tuple[list[pa.RecordBatch], np.ndarray, np.ndarray]:
    """The ``size`` rows with the smallest keys, in table order, as one batch."""
    if not kept:
        return kept, keys, rows
    table = pa.Table.from_batches(kept).combine_chunks()
    chosen = np.argsort(keys, kind="stable")[:size]
    chosen = chosen[np.argsort(rows[chosen], kind="stable")]
    taken = table.take(pa.array(chosen)).combine_chunks()
    return taken.to_batches(), keys[chosen], rows[chosen]


def _ordered(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_temporal(kind)


def exact_schema(schema: Schema, scan: Scan, forced: set[str]) -> Schema:
    """``schema`` (inferred on the sample) corrected with the exact counts of the whole table.

    Kinds named in ``forced`` (the user's) stay; others are re-read where the sample misled: a
    "constant" that varies, an "identifier" that repeats, a numeric code column with more than
    :data:`~synthgan.data.schema.MAX_CATEGORICAL_CODES` values.
    """
    for spec in schema:
        counted = scan.columns.get(spec.name)
        if counted is None:
            continue
        values = counted.values
        non_null = scan.rows - counted.nulls
        spec.null_share = counted.nulls / scan.rows
        spec.n_distinct = len(values) if values is not None else max(spec.n_distinct, MAX_COUNTED_VALUES)
        if spec.name not in forced:
            kind = _exact_kind(spec, scan.sample[spec.name], values, non_null, counted.nulls)
            if kind is ColumnKind.INTEGER and spec.kind is not kind:  # codes, or ids that repeat
                spec.decimals, spec.categories = 0, []
            spec.kind = kind
        if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER) and counted.minimum is not None:
            spec.minimum, spec.maximum = native_value(counted.minimum), native_value(counted.maximum)
            if values is not None:
                spec.notes = [note for note in spec.notes if "point mass" not in note]
                spec.point_masses = point_masses(sorted_counts(values, scan.sample[spec.name]), non_null, spec)
        elif spec.kind.is_discrete or spec.kind is ColumnKind.CONSTANT:
            if values is not None:
                spec.categories = [native_value(v) for v in sorted_counts(values, scan.sample[spec.name]).index]
            if spec.minimum is not None and counted.minimum is not None:
                spec.minimum, spec.maximum = native_value(counted.minimum), native_value(counted.maximum)
        elif spec.kind is ColumnKind.DATETIME and isinstance(counted.minimum, datetime):
            spec.minimum = pd.Timestamp(counted.minimum).isoformat()
            spec.maximum = pd.Timestamp(counted.maximum).isoformat()
        spec.notes = [note for note in spec.notes if "missing: modelled" not in note]
        if spec.null_share > 0:
            spec.notes.append(f"{100 * spec.null_share:.1f}% missing: modelled")
    return schema


def sorted_counts(values: pd.Series, sample: pd.Series) -> pd.Series:
    """Exact value counts, most frequent first, keyed in the sample column's dtype."""
    if pd.api.types.is_numeric_dtype(sample) and not pd.api.types.is_bool_dtype(sample):
        dtype = sample.dtype if sample.dtype.kind in "fiu" else "float64"
        values = pd.Series(values.to_numpy(), index=values.index.astype(dtype))
    return values.sort_values(ascending=False, kind="stable")


def _exact_kind(spec: ColumnSpec, sample: pd.Series, values: pd.Series | None, non_null: int, nulls: int) -> ColumnKind:
    kind = spec.kind
    distinct = len(values) if values is not None else None
    if kind is ColumnKind.CONSTANT and (distinct is None or distinct > 1 or nulls):
        return ColumnKind.CATEGORICAL
    numeric = pd.api.types.is_numeric_dtype(sample) and not pd.api.types.is_bool_dtype(sample)
    if kind is ColumnKind.IDENTIFIER and distinct is not None and distinct < non_null:
        return ColumnKind.INTEGER if numeric else ColumnKind.CATEGORICAL
    codes = numeric and not isinstance(sample.dtype, pd.CategoricalDtype)
    if kind is ColumnKind.CATEGORICAL and codes and (distinct is None or distinct > MAX_CATEGORICAL_CODES):
        return ColumnKind.INTEGER
    return kind
