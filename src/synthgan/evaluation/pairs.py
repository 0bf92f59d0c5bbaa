"""Column pair trends (SDMetrics' definitions, see :mod:`synthgan.evaluation.fidelity`) and the
association matrices of both tables, counted on every row of the tables in memory, or, for tables
on disk, from joint counts streamed over every row (:mod:`synthgan.evaluation.streamed`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthgan.data.scan import ColumnCounts
from synthgan.evaluation.inputs import Tables, numeric_values
from synthgan.evaluation.streamed import StreamedTable

__all__ = ["DENSE_LIMIT", "HIST_BINS", "PairStats", "pair_statistics"]

HIST_BINS = 10  # np.histogram_bin_edges' default, which SDMetrics uses
DENSE_LIMIT = 4_000_000  # joint tables with more cells are counted by sorting instead of bincount


@dataclass
class PairStats:
    """Every column pair's trend score, and the association matrices of both tables."""

    rows: list[dict]
    real: pd.DataFrame  # Pearson r for numeric pairs, Cramér's V for the others
    synthetic: pd.DataFrame


def pair_statistics(tables: Tables) -> PairStats:
    """Column pair trends (SDMetrics definitions) and association matrices, counted on all rows.

    Tables on disk (``tables.cache["streamed"]``) are read once more each, and every pair is counted
    over all their rows; tables in memory are counted from their codes.
    """
    if "pairs" in tables.cache:
        return tables.cache["pairs"]
    settings = tables.settings
    columns = tables.columns
    names = ("real", "synthetic")
    streamed = tables.cache.get("streamed", {})
    if all(name in streamed for name in names):
        counted = {name: StreamedPairs.count(tables, name, streamed[name]) for name in names}
    else:
        counted = {name: PairsInMemory(tables, name) for name in names}
    matrices = {name: np.eye(len(columns)) for name in names}
    rows = []
    for (i, first), (j, second) in itertools.combinations(enumerate(columns), 2):
        if tables.is_numeric(first) and tables.is_numeric(second):
            row = _correlation_pair(counted, first, second, settings.correlation_threshold)
        else:
            row = _contingency_pair(counted, first, second, settings.association_threshold)
        rows.append(row)
        for name in names:
            matrices[name][i, j] = matrices[name][j, i] = row[name]
    for i, column in enumerate(columns):  # a constant column is associated with nothing, not even itself
        for name in names:
            if tables.is_numeric(column) and counted[name].constant(column):
                matrices[name][i, i] = np.nan
    frames = {name: pd.DataFrame(matrices[name], index=columns, columns=columns) for name in names}
    stats = PairStats(rows, frames["real"], frames["synthetic"])
    tables.cache["pairs"] = stats
    return stats


class PairsInMemory:
    """One table's pair inputs from its coded columns: joint counts, Pearson r, constant columns."""

    def __init__(self, tables: Tables, name: str) -> None:
        self.values = tables.values[name]
        self.views = _discrete_views(tables, name)

    def constant(self, column: str) -> bool:
        return _is_constant(self.values[column])

    def pearson(self, first: str, second: str) -> float:
        return _pearson(self.values[first], self.values[second])

    def joint(self, first: str, second: str) -> tuple[tuple[np.ndarray, np.ndarray], int] | None:
        (a, k1), (b, k2) = self.views[first], self.views[second]
        return None if a is None or b is None else (_joint_counts(a, b, k1, k2), k2)


class StreamedPairs:
    """One table on disk's pair inputs, counted in one more pass over its record batches.

    Numbers are binned with edges from the table's exact range (``np.histogram_bin_edges`` of its
    minimum and maximum gives the edges of all its values); categories are coded with the labels of
    both samples plus every level the exact counts hold, and any other level shares one code. Pearson
    r comes from sums of shifted values. A pair whose joint table has more than ``DENSE_LIMIT``
    cells is counted on the sample instead.
    """

    def __init__(self, tables: Tables, name: str, extremes: dict[str, tuple[float, float]]) -> None:
        self.tables = tables
        self.memory = PairsInMemory(tables, name)
        self.extremes = extremes
        self.sizes: dict[str, int] = {}
        self.labels: dict[str, pd.Index] = {}
        self.joints: dict[tuple[str, str], np.ndarray] = {}
        self.sums: dict[tuple[str, str], np.ndarray] = {}

    @classmethod
    def count(cls, tables: Tables, name: str, streamed: StreamedTable) -> StreamedPairs:
        extremes = {c: _extremes(tables, name, c, streamed.counts[c]) for c in tables.numeric}
        pairs = cls(tables, name, extremes)
        for column in tables.columns:
            if tables.is_numeric(column):
                pairs.sizes[column] = HIST_BINS + 2
            else:
                labels = pd.Index([label for label in tables.categories[column] if label is not None])
                for either in tables.cache["streamed"].values():
                    values = either.counts[column].values
                    if values is not None:
                        labels = labels.append(values.index[labels.get_indexer(values.index) < 0])
                pairs.labels[column] = labels
                pairs.sizes[column] = len(labels) + 2  # the labels, other levels, missing
        for frame in streamed.source.frames():
            pairs.add(frame)
        return pairs

    def add(self, frame: pd.DataFrame) -> None:
        tables = self.tables
        values = {c: numeric_values(frame[c], tables.kinds[c]) for c in tables.numeric}
        codes = {c: self._codes(frame[c], values.get(c)) for c in tables.columns}
        for first, second in itertools.combinations(tables.columns, 2):
            if tables.is_numeric(first) and tables.is_numeric(second):
                self._add_sums(first, second, values[first], values[second])
                continue
            k1, k2 = self.sizes[first], self.sizes[second]
            if k1 * k2 > DENSE_LIMIT or codes[first] is None or codes[second] is None:
                continue  # joint() falls back to the sample, which says the same of an empty column
            joint = np.bincount(codes[first] * k2 + codes[second], minlength=k1 * k2)
            total = self.joints.get((first, second))
            self.joints[(first, second)] = joint if total is None else total + joint

    def _codes(self, series: pd.Series, values: np.ndarray | None) -> np.ndarray | None:
        if values is not None:  # None for a column with no values: its pairs are NaN, as in memory
            return _discretize(values, *self.extremes[series.name])
        labels = self.labels[series.name]
        codes = labels.get_indexer(series)
        codes = np.where(codes < 0, len(labels), codes)  # a level no count holds (a column of many)
        codes[series.isna().to_numpy()] = len(labels) + 1
        return codes.astype(np.int64)

    def _add_sums(self, first: str, second: str, x: np.ndarray, y: np.ndarray) -> None:
        keep = ~(np.isnan(x) | np.isnan(y))
        x = x[keep] - self.extremes[first][0]  # shifted: sums of squares of timestamps lose every digit
        y = y[keep] - self.extremes[second][0]
        sums = np.array([len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()])
        total = self.sums.get((first, second))
        self.sums[(first, second)] = sums if total is None else total + sums

    def constant(self, column: str) -> bool:
        low, high = self.extremes[column]
        return bool(low == high)

    def pearson(self, first: str, second: str) -> float:
        n, sx, sy, sxx, syy, sxy = self.sums.get((first, second), np.zeros(6))
        if n < 2:
            return float("nan")
        denominator = np.sqrt(max(n * sxx - sx * sx, 0.0) * max(n * syy - sy * sy, 0.0))
        if denominator == 0:
            return float("nan")
        return float(np.clip((n * sxy - sx * sy) / denominator, -1.0, 1.0))

    def joint(self, first: str, second: str) -> tuple[tuple[np.ndarray, np.ndarray], int] | None:
        counts = self.joints.get((first, second))
        if counts is None:  # too many cells to count densely: the sample's table
            return self.memory.joint(first, second)
        cells = np.flatnonzero(counts)
        return (cells, counts[cells]), self.sizes[second]


def _extremes(tables: Tables, name: str, column: str, counted: ColumnCounts) -> tuple[float, float]:
    """A numeric column's exact (minimum, maximum) as the floats the evaluation compares; the
    sample's when the pass could not order the column (dates written as text)."""
    if counted.minimum is not None and not isinstance(counted.minimum, str):
        ends = numeric_values(pd.Series([counted.minimum, counted.maximum]), tables.kinds[column])
        return float(ends[0]), float(ends[1])
    finite = tables.values[name][column][~np.isnan(tables.values[name][column])]
    return (float(finite.min()), float(finite.max())) if len(finite) else (float("nan"), float("nan"))


def _correlation_pair(counted: dict, first: str, second: str, threshold: float) -> dict:
    real_r = counted["real"].pearson(first, second)
    synthetic_r = counted["synthetic"].pearson(first, second)
    if any(pairs.constant(column) for pairs in counted.values() for column in (first, second)):
        score, meets = float("nan"), False  # SDMetrics: correlation is undefined for constant data
    else:
        score = 1 - abs(real_r - synthetic_r) / 2
        meets = threshold <= 0 or abs(real_r) > threshold
    return _pair_row(first, second, "CorrelationSimilarity", score, meets, real_r, synthetic_r)


def _contingency_pair(counted: dict, first: str, second: str, threshold: float) -> dict:
    counts = {name: pairs.joint(first, second) for name, pairs in counted.items()}
    if counts["real"] is None or counts["synthetic"] is None:  # a numeric column with no values to bin
        return _pair_row(first, second, "ContingencySimilarity", float("nan"), False, float("nan"), float("nan"))
    real_v = _cramers_v(*counts["real"])
    synthetic_v = _cramers_v(*counts["synthetic"])
    score = _joint_tv_complement(counts["real"][0], counts["synthetic"][0])
    meets = threshold <= 0 or real_v > threshold
    return _pair_row(first, second, "ContingencySimilarity", score, meets, real_v, synthetic_v)


def _pair_row(first, second, metric, score, meets, real, synthetic) -> dict:
    return {
        "column_1": first,
        "column_2": second,
        "metric": metric,
        "score": score,
        "meets_threshold": meets,
        "real": real,
        "synthetic": synthetic,
    }


def _discrete_views(tables: Tables, name: str) -> dict[str, tuple[np.ndarray | None, int]]:
    """Codes per column: discrete codes as they are, numeric columns binned as SDMetrics bins them."""
    views = {}
    for column in tables.columns:
        if tables.is_numeric(column):
            views[column] = (_discretize(tables.values[name][column]), HIST_BINS + 2)
        else:
            views[column] = (tables.codes[name][column], len(tables.categories[column]))
    return views


def _discretize(values: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray | None:
    """Bin codes of a numeric column as SDMetrics bins it: ``HIST_BINS`` equal bins from its minimum
    to its maximum (``low`` / ``high`` when the column is only a batch of a table), the maximum and
    missing values in the extra top bins; None when the column has no values."""
    if low is None or high is None:
        finite = values[~np.isnan(values)]
        low, high = (finite.min(), finite.max()) if len(finite) else (np.nan, np.nan)
    if np.isnan(low):
        return None
    edges = np.histogram_bin_edges(np.array([low, high]), bins=HIST_BINS)  # they depend on the ends alone
    return np.digitize(values, bins=edges).astype(np.int64)


def _is_constant(values: np.ndarray) -> bool:
    finite = values[~np.isnan(values)]
    return len(finite) > 0 and bool(finite.min() == finite.max())


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if len(x) < 2:
        return float("nan")
    x = x - x.mean()
    y = y - y.mean()
    # Plain reductions, not np.dot: BLAS threads cost more than they save on one vector pair.
    denominator = np.sqrt(np.sum(x * x) * np.sum(y * y))
    if denominator == 0:
        return float("nan")
    return float(np.clip(np.sum(x * y) / denominator, -1.0, 1.0))


def _joint_counts(a: np.ndarray, b: np.ndarray, k1: int, k2: int) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty cells of the a-by-b contingency table, as (cell key, count)."""
    keys = a.astype(np.int64) * k2 + b
    if k1 * k2 <= DENSE_LIMIT:
        counts = np.bincount(keys, minlength=k1 * k2)
        cells = np.flatnonzero(counts)
        return cells, counts[cells]
    return np.unique(keys, return_counts=True)


def _joint_tv_complement(real: tuple[np.ndarray, np.ndarray], synthetic: tuple[np.ndarray, np.ndarray]) -> float:
    cells = np.union1d(real[0], synthetic[0])
    p_real = np.zeros(len(cells))
    p_synthetic = np.zeros(len(cells))
    p_real[np.searchsorted(cells, real[0])] = real[1] / real[1].sum()
    p_synthetic[np.searchsorted(cells, synthetic[0])] = synthetic[1] / synthetic[1].sum()
    return float(1 - 0.5 * np.abs(p_real - p_synthetic).sum())


def _cramers_v(joint: tuple[np.ndarray, np.ndarray], k2: int) -> float:
    """Cramér's V of a contingency table given by its non-empty cells (no continuity correction)."""
    cells, counts = joint
    row_values, rows = np.unique(cells // k2, return_inverse=True)
    column_values, cols = np.unique(cells % k2, return_inverse=True)
    if len(row_values) < 2 or len(column_values) < 2:
        return float("nan")
    counts = counts.astype(float)
    row_totals = np.bincount(rows, weights=counts)
    column_totals = np.bincount(cols, weights=counts)
    n = counts.sum()
    # chi2 = sum over all cells of (O - E)^2 / E = n * (sum over non-empty cells of O^2 / (R C) - 1)
    chi2 = n * (np.sum(counts**2 / (row_totals[rows] * column_totals[cols])) - 1)
    return float(np.sqrt(max(chi2, 0.0) / n / (min(len(row_values), len(column_values)) - 1)))
