"""``evaluate`` on tables on disk that may not fit in memory: one streaming pass per table.

Each table given as a path (Parquet file, folder, glob, CSV) or a ``pyarrow.dataset.Dataset`` is read
once in record batches (:func:`synthgan.data.scan.scan`): the pass keeps a seeded uniform sample of
at most ``Settings.max_rows`` rows and counts, over every row, each column's nulls and every value
of columns with at most ``MAX_COUNTED_VALUES`` distinct values. The sections run on the samples,
except fidelity's two properties: column shapes use the exact counts wherever both tables have them,
and pair trends are counted in one more pass over each table (:class:`synthgan.evaluation.pairs.
StreamedPairs`), so both are the figures of the whole tables. The report's inputs say how many rows
each table has and how many were sampled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthgan.data.scan import ColumnCounts, scan
from synthgan.data.source import TableSource, open_source

__all__ = ["StreamedTable", "exact_ks_complement", "exact_tv_complement", "read_input"]


@dataclass
class StreamedTable:
    """What the pass over one table on disk found: its rows, the sample taken and exact counts."""

    source: TableSource
    rows: int
    sampled_rows: int
    counts: dict[str, ColumnCounts]

    def describe(self) -> dict[str, Any]:
        return {"source": self.source.description, "rows": self.rows, "sampled_rows": self.sampled_rows}


def read_input(data: Any, max_rows: int, seed: int) -> tuple[Any, StreamedTable | None]:
    """``data`` itself when it is in memory (or not a table: ``prepare`` says so), else its sample
    and what the pass counted."""
    if isinstance(data, pd.DataFrame) or data is None:
        return data, None
    source = open_source(data)
    assert source is not None
    summary = scan(source, max_rows, seed)
    return summary.sample, StreamedTable(source, summary.rows, len(summary.sample), summary.columns)


def exact_ks_complement(
    real: ColumnCounts, synthetic: ColumnCounts, decimals: int, to_numbers: Callable[[pd.Index], np.ndarray]
) -> float | None:
    """1 - the KS statistic of two columns' exact value counts (None when one was not counted);
    ``to_numbers`` turns the counted values into the floats the evaluation compares."""
    if real.values is None or synthetic.values is None:
        return None
    a, b = _rounded(real.values, decimals, to_numbers), _rounded(synthetic.values, decimals, to_numbers)
    if a.sum() == 0 or b.sum() == 0:
        return float("nan")
    values = np.union1d(a.index.to_numpy(), b.index.to_numpy())
    cdf_a = np.cumsum(a.reindex(values, fill_value=0).to_numpy()) / a.sum()
    cdf_b = np.cumsum(b.reindex(values, fill_value=0).to_numpy()) / b.sum()
    return float(1 - np.max(np.abs(cdf_a - cdf_b)))


def exact_tv_complement(real: ColumnCounts, synthetic: ColumnCounts) -> float | None:
    """1 - the total variation distance of two columns' exact level counts, nulls left out."""
    if real.values is None or synthetic.values is None:
        return None
    a, b = _by_label(real.values), _by_label(synthetic.values)
    if a.sum() == 0 or b.sum() == 0:
        return float("nan")
    labels = a.index.union(b.index)
    share_a = a.reindex(labels, fill_value=0).to_numpy() / a.sum()
    share_b = b.reindex(labels, fill_value=0).to_numpy() / b.sum()
    return float(1 - 0.5 * np.abs(share_a - share_b).sum())


def _rounded(counts: pd.Series, decimals: int, to_numbers: Callable[[pd.Index], np.ndarray]) -> pd.Series:
    """Counts keyed by their values as floats rounded as ``ks_complement`` rounds them (NaN dropped)."""
    keys = np.round(to_numbers(counts.index), decimals)
    keep = ~np.isnan(keys)
    return pd.Series(counts.to_numpy()[keep], index=keys[keep]).groupby(level=0).sum().sort_index()


def _by_label(counts: pd.Series) -> pd.Series:
    """Counts keyed by text, so 1 and 1.0 (an integer column read with and without nulls) agree."""
    keys = [str(int(key)) if isinstance(key, float) and key.is_integer() else str(key) for key in counts.index]
    return pd.Series(counts.to_numpy(), index=keys).groupby(level=0).sum()
