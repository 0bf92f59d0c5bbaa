"""Numeric views of the coded tables: one for tree models, one for distances, and row hashes.

* :func:`tree_features` feeds scikit-learn's HistGradientBoosting: numeric columns as floats (missing
  stays NaN, which the model handles natively) and discrete columns as integer codes declared
  categorical (rare codes pooled so the model's 255-bin limit holds).
* :class:`DistanceEncoder` makes rows comparable by Euclidean distance, Gower style: numeric columns
  min-max scaled by the real table's range, discrete columns one-hot over the most common real values
  scaled by 1/sqrt(2), so one differing category and one full-range numeric difference weigh the same.
* :func:`row_hashes` gives one 64-bit hash per row for exact-copy and duplicate counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgan.evaluation.inputs import Tables

__all__ = ["DistanceEncoder", "fillable", "row_hashes", "tree_features"]

# HistGradientBoosting accepts at most 255 categories per feature (codes 0..254 with max_bins=255).
MAX_TREE_CATEGORIES = 254
# One-hot width per discrete column in distance space (the rest pooled in one "other" column).
MAX_ONE_HOT = 30
NAN_SENTINEL = -1.2345678901234567e300


def tree_features(tables: Tables, table: str, rows: np.ndarray, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix for a tree model and the boolean mask of its categorical features."""
    out = np.empty((len(rows), len(columns)), dtype=np.float64)
    mask = np.zeros(len(columns), dtype=bool)
    for j, column in enumerate(columns):
        if tables.is_numeric(column):
            out[:, j] = tables.values[table][column][rows]
        else:
            out[:, j] = np.minimum(tables.codes[table][column][rows], MAX_TREE_CATEGORIES)
            mask[j] = True
    return out, mask


def fillable(features: np.ndarray) -> np.ndarray:
    """``features`` with entirely missing columns set to 0: scikit-learn's binning fails on them, and
    a column with no values carries no information either way (e.g. a column the generator lost)."""
    empty = np.isnan(features).all(axis=0)
    if not empty.any():
        return features
    features = features.copy()
    features[:, empty] = 0.0
    return features


class DistanceEncoder:
    """Scales and one-hot encodes rows so that Euclidean distance compares mixed columns fairly."""

    def __init__(self, tables: Tables, columns: list[str] | None = None):
        self.tables = tables
        self.columns = list(tables.columns if columns is None else columns)
        self.numeric: list[tuple[str, float, float, bool]] = []
        self.discrete: list[tuple[str, int]] = []
        for column in self.columns:
            if tables.is_numeric(column):
                real = tables.values["real"][column]
                finite = real[~np.isnan(real)]
                low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
                span = high - low if high > low else 1.0
                has_missing = any(np.isnan(tables.values[name][column]).any() for name in tables.frames)
                self.numeric.append((column, low, span, has_missing))
            else:
                self.discrete.append((column, min(len(tables.categories[column]), MAX_ONE_HOT + 1)))
        self.width = sum(1 + missing for *_, missing in self.numeric) + sum(width for _, width in self.discrete)

    def transform(self, table: str, rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(rows), self.width), dtype=np.float32)
        j = 0
        for column, low, span, has_missing in self.numeric:
            values = (self.tables.values[table][column][rows] - low) / span
            missing = np.isnan(values)
            out[:, j] = np.where(missing, 0.0, values)
            j += 1
            if has_missing:
                out[:, j] = missing
                j += 1
        scale = np.float32(1 / np.sqrt(2))
        for column, width in self.discrete:
            codes = np.minimum(self.tables.codes[table][column][rows], width - 1)
            out[np.arange(len(rows)), j + codes] = scale
            j += width
        return out


def row_hashes(tables: Tables, table: str) -> np.ndarray:
    """One uint64 per row over the compared columns (equal rows, equal hashes; cached per table)."""
    key = ("row_hashes", table)
    if key not in tables.cache:
        data = {}
        for column in tables.columns:
            if tables.is_numeric(column):
                values = tables.values[table][column] + 0.0  # -0.0 becomes 0.0
                data[column] = np.where(np.isnan(values), NAN_SENTINEL, values)
            else:
                data[column] = tables.codes[table][column]
        frame = pd.DataFrame(data, copy=False)
        tables.cache[key] = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return tables.cache[key]
