"""A data layer fitted with differential privacy: ranges, bins, levels and frequencies from noisy counts.

The ordinary data layer reads a column's true minimum and maximum, its rare levels and exact
quantiles: a model file that holds them leaks the outlier who set them, whatever noise training
adds later. Here every value-level statistic comes from noisy histograms over a grid that does not
depend on the data (one Gaussian mechanism per release; :mod:`synthgan.privacy.budget` sets the noise):

1. **Ranges and levels** (columns not declared in ``dp_bounds``): a numeric column's values fall into
   power-of-two magnitude cells (``[16, 32)``, ``[32, 64)``, ...); its range is the span of the cells
   whose noisy count is clearly above the noise. A categorical column's levels are released only if
   their noisy count clears a threshold that a single row's own level passes with probability at most
   the selection delta; its null count is released beside them.
2. **Bins and frequencies**: within the range, one noisy count per integer (narrow integer ranges) or
   per cell of a uniform grid (plus one cell for exactly zero), and per declared level. Exact-value
   tokens, equal-frequency bin edges, null rates and the frequencies argan's output starts from are
   read off these counts (post-processing: no further privacy cost).

Rows are then mapped into the released domain (values clipped into the range, unreleased levels and
unreleased nulls replaced by the most frequent released value), a per-row map that keeps one row's
influence on training to one row. What is treated as public, as a data dictionary would be: the
column names, their kinds and dtypes (pass ``schema=`` to fix them without looking at the data), the
decimals and datetime format of the text, and the number of rows. Identifier columns are regenerated
as plain counters, and nothing in the result reads a raw minimum, maximum or rare level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from synthgan.data.categorical import CategoricalEncoder
from synthgan.data.datetimes import format_datetimes
from synthgan.data.numeric import EXACT_VALUE_SHARE, ROWS_PER_TOKEN, NumericEncoder, bin_token_budget
from synthgan.data.regenerated import IdentifierGenerator
from synthgan.data.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from synthgan.data.transformer import DATETIME_UNITS, Transformer, column_numbers, datetime_number, datetime_text
from synthgan.errors import DataError, ParameterError
from synthgan.privacy.budget import PrivacyBudget

__all__ = ["PrivateDataLayer", "fit_private_data_layer"]

MAGNITUDE_RANGE = (-20, 80)  # 2**-20 .. 2**80: the magnitude cells of step 1
GRID_CELLS = 512  # uniform cells of step 2 for wide ranges
MAX_INTEGER_CELLS = 2_048  # an integer range this narrow gets one cell per value
# Step 1 keeps a magnitude cell when its noisy count is so high that noise alone would put one of
# the empty cells there with this probability at most; step 2 reads a cell under KEEP_CELL noise
# deviations as empty (about one empty cell in 700 passes it).
FALSE_RANGE_CELL = 1e-3
KEEP_CELL = 3.0


@dataclass
class PrivateDataLayer:
    """The fitted transformer, the token frequencies released beside it, and how rows are mapped in."""

    transformer: Transformer
    frequencies: dict[str, np.ndarray]  # per learned column: share of each encoder component
    fill: dict[str, Any]  # the value that replaces what the released domain lacks
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # numeric: the released span
    declared: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)

    def clean(self, data: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``data`` inside the released domain (see the module docstring)."""
        out = data.copy()
        for spec in self.transformer.schema:
            if not spec.kind.is_learned:
                continue
            encoder, column = self.transformer.encoder(spec.name), out[spec.name]
            fill = self.fill[spec.name]
            if isinstance(encoder, NumericEncoder):
                values, _, _ = column_numbers(column, spec)
                values = np.clip(values, *self.ranges[spec.name])
                if not encoder.has_null:
                    values = np.where(np.isnan(values), fill, values)
                out[spec.name] = _as_input(values, encoder).set_axis(column.index)
            else:
                allowed = pd.Index(encoder.levels)
                inside = column.isin(allowed) | (column.isna() & encoder.has_null)
                out[spec.name] = column.astype(object).where(inside, fill)
        return out

    def summary(self) -> dict[str, Any]:
        return {"declared_columns": self.declared, "level_thresholds": self.thresholds}


def fit_private_data_layer(
    data: pd.DataFrame,
    budget: PrivacyBudget,
    bounds: Mapping[str, Any] | None,
    rng: np.random.Generator,
    *,
    discrete_columns: list[str] | None = None,
    overrides: Mapping[str, str] | None = None,
    schema: Schema | None = None,
) -> PrivateDataLayer:
    """Fit the token data layer (``continuous="bins"``) of ``data`` out of ``budget``'s data share."""
    schema = (
        schema if schema is not None else infer_schema(data, overrides=overrides, discrete_columns=discrete_columns)
    )
    schema = Schema.from_dict(schema.to_dict())  # a copy: specs are rewritten below
    bounds = dict(bounds or {})
    _check_bounds(bounds, schema)
    numeric = [s for s in schema if s.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)]
    discrete = [s for s in schema if s.kind.is_discrete or s.kind is ColumnKind.CONSTANT]
    domains = {s.name: _declared_levels(s, data[s.name], bounds) for s in discrete}
    undeclared_numeric = [s for s in numeric if s.name not in bounds]
    selected = [s for s in discrete if domains[s.name] is None]
    counted = numeric + [s for s in discrete if domains[s.name] is not None]
    releases = int(bool(undeclared_numeric or selected)) + int(bool(counted))
    sigma = budget.plan_data_layer(releases, selects_levels=bool(selected))

    numbers = {s.name: column_numbers(data[s.name], s) for s in numeric}
    # Release 1: magnitude cells of undeclared numeric columns, observed levels of undeclared categoricals.
    noise_1 = sigma * np.sqrt(len(undeclared_numeric) + len(selected))
    ranges = {s.name: _declared_range(s, bounds[s.name], numbers[s.name][1]) for s in numeric if s.name in bounds}
    for spec in undeclared_numeric:
        ranges[spec.name] = _private_range(spec, numbers[spec.name][0], noise_1, rng)
    thresholds, released_counts = {}, {}
    for spec in selected:
        per_column = budget.selection_delta / len(selected)
        threshold = 1.0 + noise_1 * float(norm.isf(per_column))
        thresholds[spec.name] = threshold
        released_counts[spec.name] = _select_levels(spec, data[spec.name], noise_1, threshold, rng)
    # Release 2: counts within the ranges, and of declared levels.
    noise_2 = sigma * np.sqrt(len(counted))
    encoders: dict[str, Any] = {}
    released_ranges: dict[str, tuple[float, float]] = {}
    frequencies: dict[str, np.ndarray] = {}
    fill: dict[str, Any] = {}
    for spec in numeric:
        values, unit, text_format = numbers[spec.name]
        encoder, share, fill[spec.name], released_ranges[spec.name] = _numeric_encoder(
            spec, values, ranges[spec.name], unit, text_format, noise_2, rng
        )
        encoders[spec.name], frequencies[spec.name] = encoder, share
    for spec in discrete:
        declared = domains[spec.name]
        counts = (
            released_counts[spec.name] if declared is None else _count_levels(data[spec.name], declared, noise_2, rng)
        )
        encoder, share, fill[spec.name] = _categorical_encoder(spec, data[spec.name], counts, noise_2)
        encoders[spec.name] = encoder
        if spec.kind is ColumnKind.CONSTANT:
            encoders[spec.name] = None
        else:
            frequencies[spec.name] = share
    for spec in schema:
        if spec.kind is ColumnKind.IDENTIFIER:
            encoders[spec.name] = IdentifierGenerator(
                numeric=pd.api.types.is_numeric_dtype(data[spec.name]),
                start=1,
                prefix="" if pd.api.types.is_numeric_dtype(data[spec.name]) else "id-",
            )
            spec.notes = ["unique per row: regenerated as a counter (differential privacy)"]
    transformer = Transformer.from_encoders(schema, encoders, continuous="bins")
    return PrivateDataLayer(transformer, frequencies, fill, released_ranges, sorted(bounds), thresholds)


# ---------------------------------------------------------------------- declared bounds
def _check_bounds(bounds: dict[str, Any], schema: Schema) -> None:
    for name, value in bounds.items():
        if name not in schema.names:
            raise ParameterError(
                f"dp_bounds names column {name!r}, which the table does not have. Columns: {schema.names}."
            )
        kind = schema[name].kind
        if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME):
            ok = isinstance(value, tuple | list) and len(value) == 2
            if ok and kind is ColumnKind.DATETIME:
                try:
                    low, high = (pd.Timestamp(v) for v in value)
                except (TypeError, ValueError):
                    ok = False
                else:
                    ok = low < high
            elif ok:
                ok = all(isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) for v in value)
                ok = ok and value[0] < value[1]
            if not ok:
                raise ParameterError(
                    f"dp_bounds[{name!r}] must be a (low, high) pair with low < high for the {kind.value} column "
                    f"{name!r}, got {value!r}."
                )
        elif kind.is_discrete or kind is ColumnKind.CONSTANT:
            if not isinstance(value, list | tuple) or not len(value):  # a set has no order: the tokens would not either
                raise ParameterError(
                    f"dp_bounds[{name!r}] must list the levels of the categorical column {name!r} "
                    f"as a list (e.g. ['a', 'b']), got {value!r}."
                )
        else:
            raise ParameterError(f"dp_bounds[{name!r}]: column {name!r} is an {kind.value} column, not learned.")


def _declared_levels(spec: ColumnSpec, series: pd.Series, bounds: dict[str, Any]) -> list[Any] | None:
    """The public domain of a discrete column: declared, its bool dtype, or its pandas categories."""
    if spec.name in bounds:
        return list(dict.fromkeys(bounds[spec.name]))
    if spec.kind is ColumnKind.BOOLEAN and series.dtype in (bool, "boolean"):
        return [False, True]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [_native(v) for v in series.dtype.categories]
    return None


def _declared_range(spec: ColumnSpec, value: Any, unit: str | None) -> tuple[float, float]:
    if spec.kind is ColumnKind.DATETIME:
        low, high = (datetime_number(pd.Timestamp(v), unit) for v in value)
        return low, high
    return float(value[0]), float(value[1])


# ---------------------------------------------------------------------- release 1
def _private_range(spec: ColumnSpec, values: np.ndarray, noise: float, rng: np.random.Generator) -> tuple[float, float]:
    """The span of the magnitude cells whose noisy count is clear of the noise."""
    low_e, high_e = MAGNITUDE_RANGE
    span = high_e - low_e + 1
    x = values[~np.isnan(values)]
    magnitude = np.clip(np.floor(np.log2(np.maximum(np.abs(x), 2.0**low_e))), low_e, high_e).astype(int) - low_e
    tiny = np.abs(x) < 2.0**low_e
    cell = np.where(tiny, span, np.where(x > 0, span + 1 + magnitude, span - 1 - magnitude))
    counts = np.bincount(cell, minlength=2 * span + 1).astype(float)
    noisy = counts + rng.normal(0.0, noise, len(counts))
    kept = np.flatnonzero(noisy >= noise * float(norm.isf(FALSE_RANGE_CELL / len(counts))))
    if not len(kept):
        raise DataError(
            f"Column {spec.name!r}: too few rows to find its range privately at this epsilon. "
            f"Declare it: dp_bounds={{{spec.name!r}: (low, high)}}, or raise dp_epsilon."
        )
    low, high = (_cell_edges(c, span, low_e) for c in (kept[0], kept[-1]))
    lo, hi = low[0], high[1]
    if spec.kind is not ColumnKind.CONTINUOUS:
        lo, hi = float(np.floor(lo)), float(np.ceil(hi))
    return lo, max(hi, lo + 1.0)


def _cell_edges(cell: int, span: int, low_e: int) -> tuple[float, float]:
    if cell == span:
        return 0.0, 0.0
    if cell > span:
        e = cell - span - 1 + low_e
        return 2.0**e, 2.0 ** (e + 1)
    e = span - 1 - cell + low_e
    return -(2.0 ** (e + 1)), -(2.0**e)


def _select_levels(
    spec: ColumnSpec, series: pd.Series, noise: float, threshold: float, rng: np.random.Generator
) -> dict[Any, float]:
    """Noisy counts of the observed levels that clear ``threshold``, and of null (always a candidate)."""
    counts = series.value_counts(dropna=True, sort=True)
    counts = counts[counts > 0]
    noisy = counts.to_numpy(float) + rng.normal(0.0, noise, len(counts))
    released: dict[Any, float] = {
        _native(level): float(n) for level, n in zip(counts.index, noisy, strict=True) if n >= threshold
    }
    if not released:
        raise DataError(
            f"Column {spec.name!r}: no level is held by enough rows to be released at this epsilon "
            f"(about {threshold:,.0f} rows are needed). Declare its levels in dp_bounds={{{spec.name!r}: [...]}}, "
            "drop the column, or raise dp_epsilon."
        )
    released[None] = float(series.isna().sum()) + float(rng.normal(0.0, noise))
    return released


# ---------------------------------------------------------------------- release 2
def _count_levels(series: pd.Series, levels: list[Any], noise: float, rng: np.random.Generator) -> dict[Any, float]:
    counts = series.value_counts(dropna=True)
    noisy = {level: float(counts.get(level, 0)) + float(rng.normal(0.0, noise)) for level in levels}
    noisy[None] = float(series.isna().sum()) + float(rng.normal(0.0, noise))
    return noisy


def _categorical_encoder(
    spec: ColumnSpec, series: pd.Series, counts: dict[Any, float], noise: float
) -> tuple[CategoricalEncoder, np.ndarray, Any]:
    null = max(counts.pop(None), 0.0)
    has_null = bool(null >= KEEP_CELL * noise if noise else null > 0)
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:99]
    levels = [level for level, _ in ranked]
    encoder = CategoricalEncoder(100, levels=levels, has_null=has_null)
    if isinstance(series.dtype, pd.CategoricalDtype):
        encoder.dtype_categories = [_native(v) for v in series.dtype.categories]
        encoder.ordered = bool(series.dtype.ordered)
    encoder.null_is_none = bool(has_null and series.dtype == object)
    weights = np.array([max(n, 0.0) for _, n in ranked] + ([null] if has_null else []), dtype=float) + 1e-3
    share = weights / weights.sum()
    spec.categories, spec.n_distinct = list(levels), len(levels)
    spec.null_share = float(share[-1]) if has_null else 0.0
    spec.minimum = spec.maximum = None
    spec.notes = ["levels and frequencies released with differential privacy"]
    return encoder, share, levels[0]


def _numeric_encoder(
    spec: ColumnSpec,
    values: np.ndarray,
    span: tuple[float, float],
    unit: str | None,
    text_format: str | None,
    noise: float,
    rng: np.random.Generator,
) -> tuple[NumericEncoder, np.ndarray, float, tuple[float, float]]:
    """Exact values, bin edges, null flag and component shares from noisy counts within ``span``,
    the most frequent value and the span the counts occupy."""
    low, high = span
    whole = spec.kind is not ColumnKind.CONTINUOUS
    missing = np.isnan(values)
    x = np.clip(values[~missing], low, high)
    if whole and high - low + 1 <= MAX_INTEGER_CELLS:
        centers = np.arange(low, high + 1)
        cell_low, cell_high = centers - 0.5, centers + 0.5
        cells = np.rint(x - low).astype(int)
        exact_cells = np.ones(len(centers), bool)
    else:
        edges = np.linspace(low, high, GRID_CELLS + 1)
        cell_low, cell_high = edges[:-1], edges[1:]
        centers = (cell_low + cell_high) / 2
        cells = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, GRID_CELLS - 1)
        exact_cells = np.zeros(len(centers), bool)
        if low <= 0 <= high:  # exactly zero is a cell of its own (a common point mass)
            cells = np.where(x == 0, len(centers), cells)
            centers, cell_low, cell_high = (np.append(a, 0.0) for a in (centers, cell_low, cell_high))
            exact_cells = np.append(exact_cells, True)
    counts = np.bincount(cells, minlength=len(centers)).astype(float)
    noisy = counts + rng.normal(0.0, noise, len(counts))
    null = float(missing.sum()) + float(rng.normal(0.0, noise))
    noisy = np.where(noisy >= KEEP_CELL * noise, noisy, 0.0) if noise else noisy
    has_null = bool(null >= KEEP_CELL * noise if noise else null > 0)
    if noisy.sum() <= 0:  # nothing clear of the noise: uniform over the range
        noisy = np.where(exact_cells, 0.0, 1.0) if not exact_cells.all() else np.ones(len(centers))
    occupied = np.flatnonzero(noisy > 0)
    lowest, highest = float(cell_low[occupied].min()), float(cell_high[occupied].max())
    if whole:
        lowest, highest = float(np.ceil(lowest)), float(np.floor(highest))
        lowest, highest = max(lowest, low), min(highest, high)
    total = float(noisy.sum())
    budget = bin_token_budget(int(total))
    if exact_cells.all() and len(occupied) <= budget:
        exact = occupied
    else:
        share = noisy / total
        frequent = np.flatnonzero(exact_cells & (share >= EXACT_VALUE_SHARE) & (noisy >= ROWS_PER_TOKEN))
        exact = frequent[np.argsort(-noisy[frequent], kind="stable")][: budget // 2]
    exact = np.sort(exact)
    rest = noisy.copy()
    rest[exact] = 0.0
    knots = _edges_from_counts(
        rest, np.clip(cell_low, lowest, highest), np.clip(cell_high, lowest, highest), budget - len(exact)
    )
    masses = [float(m) for m in centers[exact]]
    encoder = NumericEncoder(
        method="bins",
        point_masses=masses,
        has_null=has_null,
        datetime_unit=unit,
        datetime_format=text_format,
        knots=knots,
    )
    bins = _mass_between(rest, cell_low, cell_high, knots)
    shares = np.concatenate([bins, noisy[exact], [max(null, 0.0)] if has_null else []]) + 1e-3
    shares = shares / shares.sum()
    _describe_numeric(spec, lowest, highest, unit, float(shares[-1]) if has_null else 0.0, encoder.n_components)
    top = int(np.argmax(noisy))
    return encoder, shares, float(centers[top]), (lowest, highest)


def _edges_from_counts(counts: np.ndarray, lows: np.ndarray, highs: np.ndarray, bins: int) -> np.ndarray:
    """Edges of at most ``bins`` equal-frequency bins of the mass ``counts`` spread uniformly over cells."""
    if counts.sum() <= 0 or bins < 1:
        return np.zeros(0)
    order = np.argsort(lows, kind="stable")
    lows, highs, counts = lows[order], highs[order], counts[order]
    points = np.concatenate([[lows[0]], highs])
    cumulative = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()
    levels = np.linspace(0.0, 1.0, bins + 1)
    edges = np.unique(np.interp(levels, cumulative, points))
    edges[0], edges[-1] = lows[counts > 0].min(), highs[counts > 0].max()
    edges = np.unique(edges)
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0] + max(abs(edges[0]), 1.0) * 1e-9])
    return edges


def _mass_between(counts: np.ndarray, lows: np.ndarray, highs: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """How much of ``counts`` (uniform within each cell) falls in each bin between ``knots``."""
    if len(knots) < 2:
        return np.zeros(0)
    width = np.maximum(highs - lows, 1e-300)
    out = np.zeros(len(knots) - 1)
    for b in range(len(out)):
        overlap = np.clip(np.minimum(highs, knots[b + 1]) - np.maximum(lows, knots[b]), 0, None)
        out[b] = float((counts * overlap / width).sum())
    return out


def _describe_numeric(
    spec: ColumnSpec, low: float, high: float, unit: str | None, null_share: float, tokens: int
) -> None:
    if spec.kind is ColumnKind.DATETIME:
        spec.minimum, spec.maximum = (datetime_text(v, unit) for v in (low, high))
    elif spec.kind is ColumnKind.INTEGER:
        spec.minimum, spec.maximum = int(low), int(high)
    else:
        spec.minimum, spec.maximum = low, high
    spec.null_share, spec.n_distinct, spec.point_masses, spec.categories = null_share, tokens, [], []
    spec.notes = ["range and bins released with differential privacy"]


def _as_input(values: np.ndarray, encoder: NumericEncoder) -> pd.Series:
    """Numbers back in a form the transformer reads for this column (timestamps for datetimes)."""
    if encoder.datetime_unit is None:
        return pd.Series(values)
    nanos = np.where(np.isnan(values), 0, values * DATETIME_UNITS[encoder.datetime_unit]).astype(np.int64)
    stamps = pd.Series(pd.to_datetime(nanos, unit="ns")).where(~np.isnan(values))
    if encoder.datetime_format is not None:
        return format_datetimes(stamps, encoder.datetime_format)
    return stamps


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
