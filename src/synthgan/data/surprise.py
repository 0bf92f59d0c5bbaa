"""Rows a model never saw, made encodable for scoring, with a price in nats for what was unseen.

``Transformer.transform`` refuses what the fitted table never held (a new category, a missing value
in a column that had none, an infinity): right for training, wrong for anomaly scores, where those
cells are the strongest evidence there is. :func:`encode_for_scoring` repairs each such cell into
the nearest thing the model knows and charges it a *surprise* that the score adds:

- an unseen category, or a missing value where the fitted column had none: ``UNSEEN_NATS``, as if
  the value had one chance in a million (the cell is then read as the column's "other" level when
  it has one, else as its most frequent level);
- a number outside the fitted range (infinities included): ``UNSEEN_NATS`` plus
  ``log1p(distance / range width)``, so further out is more surprising (the cell is read as the
  nearest end of the range).

Datetime columns are charged only for missing values where none were seen.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synthgan.data.categorical import CategoricalEncoder
from synthgan.data.numeric import NumericEncoder
from synthgan.data.transformer import Transformer
from synthgan.errors import DataError

__all__ = ["UNSEEN_NATS", "encode_for_scoring"]

UNSEEN_NATS = math.log(1e6)


def encode_for_scoring(transformer: Transformer, data: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """``(matrix, surprise)``: ``data`` transformed after repairing unseen cells, and the nats each
    cell of each fitted column costs for being unseen (0 for ordinary cells). ``data`` is not modified."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"Scoring expects a pandas DataFrame, got {type(data).__name__}.")
    lacking = [name for name in transformer.schema.names if name not in data.columns]
    if lacking:
        raise DataError(f"The table lacks column(s) {lacking} that the model was fitted on.")
    repaired, surprise = {}, {}
    for spec in transformer.schema:
        column = data[spec.name]
        encoder = transformer.encoder(spec.name)
        cost = np.zeros(len(data))
        if isinstance(encoder, CategoricalEncoder):
            column, cost = _repair_category(column, encoder)
        elif isinstance(encoder, NumericEncoder) and encoder.datetime_unit is None:
            column, cost = _repair_number(column, spec.minimum, spec.maximum, encoder.has_null)
        elif isinstance(encoder, NumericEncoder) and not encoder.has_null and column.isna().any():
            cost = column.isna().to_numpy() * UNSEEN_NATS
            column = column.where(column.notna(), spec.minimum)
        repaired[spec.name] = column
        surprise[spec.name] = cost
    table = pd.DataFrame(repaired, index=data.index)
    return transformer.transform(table, dtype=np.float32), pd.DataFrame(surprise, index=data.index)


def _repair_category(column: pd.Series, encoder: CategoricalEncoder) -> tuple[pd.Series, np.ndarray]:
    known = pd.Index([*encoder.levels, *encoder.rare_levels])
    missing = column.isna().to_numpy()
    unseen = (known.get_indexer(column) < 0) & ~missing
    if not encoder.has_null:
        unseen |= missing
    if not unseen.any():
        return column, np.zeros(len(column))
    stand_in = encoder.rare_levels[0] if encoder.rare_levels else encoder.levels[0]
    repaired = column.astype(object).copy()
    repaired[unseen] = stand_in
    return repaired, unseen * UNSEEN_NATS


def _repair_number(column: pd.Series, low, high, has_null: bool) -> tuple[pd.Series, np.ndarray]:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    unreadable = np.isnan(values) & column.notna().to_numpy()
    if unreadable.any():
        raise DataError(
            f"Column {column.name!r} should be numeric but holds other values: {column[unreadable][:3].tolist()}."
        )
    cost = np.zeros(len(values))
    low = float(low) if low is not None else -np.inf
    high = float(high) if high is not None else np.inf
    span = high - low if np.isfinite(high - low) and high > low else 1.0
    with np.errstate(invalid="ignore"):
        outside = (values < low) | (values > high)
    if outside.any():
        distance = np.where(values < low, low - values, values - high)[outside]
        cost[outside] = UNSEEN_NATS + np.log1p(np.minimum(distance / span, 1e300))
        values = np.where(outside, np.clip(values, low, high), values)
    missing = np.isnan(values)
    if missing.any() and not has_null:
        cost[missing] = UNSEEN_NATS
        values = np.where(missing, low if np.isfinite(low) else 0.0, values)
    if not cost.any():
        return column, cost
    return pd.Series(values, index=column.index, name=column.name), cost
