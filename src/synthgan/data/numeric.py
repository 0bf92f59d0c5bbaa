"""Mode-specific normalization of one numeric column (continuous, integer or datetime as numbers).

As in the CTGAN paper, a variational Gaussian mixture finds the column's modes; each value becomes
a one-hot *component* (which mode it belongs to) and a *scalar* (its offset within that mode,
``(x - mean) / (4 * std)``, in [-1, 1]). Two kinds of components are added beside the modes:

- point masses: values held by many rows (0 days of poor health, capital-gain 0) are components of
  their own, so the generator can produce exactly 0 instead of values scattered around it;
- null: when the column has missing values, so the synthetic null rate can match the real one.

The mixture is fitted on a bounded random subsample, so fit time stays flat as rows grow, and
transform / inverse are vectorized over rows.

``method="quantile"`` replaces the mixture with one piecewise-linear map through the column's
quantiles (up to 1,000 knots from the same subsample, plus the true minimum and maximum): the
scalar is the value's position in the empirical distribution, spread over [-0.99, 0.99], and the
one-hot keeps a single "value" component beside the point masses and null. It needs no EM, so it is
faster to fit, and it is exactly invertible between knots.

``method="bins"`` turns the column into tokens for autoregressive models (``argan``): a column with
at most ``MAX_BIN_TOKENS`` distinct values (fewer on small tables: one token per ``ROWS_PER_TOKEN``
rows) keeps each value as a point mass (an exact level); otherwise frequent values
(``EXACT_VALUE_SHARE`` of the rows or more) are point masses and the rest fall into equal-frequency
bins. The component is the bin, the scalar the position within it in [-1, 1], so
decoding is a linear map between the bin's edges.

``method="minmax"`` is the quantile map with two knots, the minimum and the maximum: plain min-max
scaling to [-0.99, 0.99], the scaling TimeGAN trains on (it keeps distances, which the moment and
reconstruction losses of sequence models compare).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from threadpoolctl import threadpool_limits

SCALAR_CLIP = 0.99
MIN_MODE_WEIGHT = 0.005
MAX_QUANTILE_KNOTS = 1_000
# "bins": at most this many tokens per column (exact values and quantile bins together), and the
# share of rows a value must hold to be a token of its own.
MAX_BIN_TOKENS = 100
EXACT_VALUE_SHARE = 0.005
# A small table gets fewer tokens (one per ROWS_PER_TOKEN rows, at least MIN_BIN_TOKENS), so
# each token keeps enough rows to learn from.
ROWS_PER_TOKEN = 20
MIN_BIN_TOKENS = 10
METHODS = ("gmm", "quantile", "minmax", "bins")


@dataclass
class NumericEncoder:
    """Encode a float column (NaN for missing) as ``scalar + one-hot(components)``."""

    max_modes: int = 10
    sample_size: int = 20_000
    means: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    log_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    point_masses: list[float] = field(default_factory=list)
    has_null: bool = False
    # Set for datetime columns: values are counts of this unit ("D", "s", ...) since 1970.
    datetime_unit: str | None = None
    # Set for datetimes written as text: the strftime format they were written in.
    datetime_format: str | None = None
    method: str = "gmm"
    # Quantile method: increasing values and their positions in [-SCALAR_CLIP, SCALAR_CLIP].
    knots: np.ndarray = field(default_factory=lambda: np.zeros(0))
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_modes(self) -> int:
        if self.method == "bins":
            return max(len(self.knots) - 1, 0)
        if self.method in ("quantile", "minmax"):
            return int(len(self.knots) > 0)
        return len(self.means)

    @property
    def n_components(self) -> int:
        return self.n_modes + len(self.point_masses) + int(self.has_null)

    @property
    def null_component(self) -> int:
        return self.n_components - 1 if self.has_null else -1

    def fit(self, values: np.ndarray, point_masses: list[float], rng: np.random.Generator) -> NumericEncoder:
        """Learn modes from ``values`` (float64, NaN = missing), keeping ``point_masses`` apart."""
        missing = np.isnan(values)
        self.has_null = bool(missing.any())
        budget = bin_token_budget(int((~missing).sum()))
        if self.method == "bins":
            point_masses = _exact_values(values[~missing], point_masses, budget)
        self.point_masses = [float(v) for v in point_masses]
        rest = values[~missing & ~np.isin(values, self.point_masses)]
        if len(rest) == 0:
            self.means, self.stds, self.log_weights = np.zeros(0), np.zeros(0), np.zeros(0)
            return self
        sample = rest if len(rest) <= self.sample_size else rng.choice(rest, self.sample_size, replace=False)
        if self.method == "bins":
            self.knots = _bin_edges(sample, float(rest.min()), float(rest.max()), budget - len(point_masses))
            return self
        if self.method in ("quantile", "minmax"):
            low, high = float(rest.min()), float(rest.max())
            knot_sample = sample if self.method == "quantile" else np.zeros(0)  # minmax: the two ends alone
            self.knots, self.positions = _fit_quantiles(knot_sample, low, high)
            return self
        means, stds, weights = _fit_modes(sample, self.max_modes, int(rng.integers(2**31 - 1)))
        means, stds, weights = _cover_tails(rest, means, stds, weights)
        self.means, self.stds, self.log_weights = means, stds, np.log(weights)
        return self

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scalar, component)`` for every value: offsets in [-1, 1] and component indices."""
        n = len(values)
        scalar = np.zeros(n, dtype=np.float64)
        component = np.full(n, -1, dtype=np.int64)
        missing = np.isnan(values)
        if self.has_null:
            component[missing] = self.null_component
        for offset, mass in enumerate(self.point_masses):
            component[values == mass] = self.n_modes + offset
        free = (component < 0) & ~missing
        if free.any():
            x = values[free]
            if self.n_modes == 0:
                mode = np.abs(x[:, None] - np.asarray(self.point_masses)[None, :]).argmin(axis=1)
                component[free] = self.n_modes + mode
            elif self.method == "bins":
                bin_index = np.clip(np.searchsorted(self.knots, x, side="right") - 1, 0, self.n_modes - 1)
                low, width = self.knots[bin_index], np.diff(self.knots)[bin_index]
                component[free] = bin_index
                scalar[free] = np.clip(2 * (x - low) / width - 1, -1.0, 1.0)
            elif self.method in ("quantile", "minmax"):
                component[free] = 0
                scalar[free] = self._quantile_position(x)
            else:
                mode = self._most_likely_mode(x)
                component[free] = mode
                offset = (x - self.means[mode]) / (4 * self.stds[mode])
                scalar[free] = np.clip(offset, -SCALAR_CLIP, SCALAR_CLIP)
        return scalar, component

    def inverse(self, scalar: np.ndarray, component: np.ndarray) -> np.ndarray:
        """Map ``(scalar, component)`` back to float values, NaN where the null component is chosen."""
        out = np.full(len(scalar), np.nan)
        is_mode = component < self.n_modes
        if self.n_modes and self.method == "bins":
            bin_index = component[is_mode]
            low, width = self.knots[bin_index], np.diff(self.knots)[bin_index]
            out[is_mode] = low + (np.clip(scalar[is_mode], -1.0, 1.0) + 1) / 2 * width
        elif self.n_modes and self.method in ("quantile", "minmax"):
            out[is_mode] = self._quantile_value(np.clip(scalar[is_mode], -SCALAR_CLIP, SCALAR_CLIP))
        elif self.n_modes:
            mode = component[is_mode]
            offset = np.clip(scalar[is_mode], -1.0, 1.0)
            out[is_mode] = offset * 4 * self.stds[mode] + self.means[mode]
        if self.point_masses:
            is_mass = (component >= self.n_modes) & (component < self.n_modes + len(self.point_masses))
            out[is_mass] = np.asarray(self.point_masses, dtype=np.float64)[component[is_mass] - self.n_modes]
        return out

    def _quantile_position(self, x: np.ndarray) -> np.ndarray:
        if len(self.knots) == 1:
            return np.zeros(len(x))
        return np.interp(x, self.knots, self.positions)

    def _quantile_value(self, position: np.ndarray) -> np.ndarray:
        if len(self.knots) == 1:
            return np.full(len(position), self.knots[0])
        return np.interp(position, self.positions, self.knots)

    def _most_likely_mode(self, x: np.ndarray) -> np.ndarray:
        """The most likely mode among those that can represent ``x`` without clipping its offset."""
        z = (x[:, None] - self.means[None, :]) / self.stds[None, :]
        log_density = -0.5 * z**2 - np.log(self.stds)[None, :] + self.log_weights[None, :]
        representable = np.abs(z) < 4 * SCALAR_CLIP
        feasible = np.where(representable, log_density, -np.inf)
        return np.where(representable.any(axis=1), feasible.argmax(axis=1), log_density.argmax(axis=1))

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "max_modes": self.max_modes,
            "sample_size": self.sample_size,
            "point_masses": self.point_masses,
            "has_null": self.has_null,
            "datetime_unit": self.datetime_unit,
            "datetime_format": self.datetime_format,
            "method": self.method,
        }
        arrays = {"means": self.means, "stds": self.stds, "log_weights": self.log_weights}
        if self.method in ("quantile", "minmax", "bins"):
            arrays = {"knots": self.knots, "positions": self.positions}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> NumericEncoder:
        """Rebuild a fitted encoder; a ValueError for a state no fit produces (a damaged file)."""
        method = meta.get("method", "gmm")
        if method not in METHODS:
            raise ValueError(f"numeric method {str(method)[:40]!r} is not one of {list(METHODS)}")
        values = {key: np.asarray(value, dtype=np.float64) for key, value in arrays.items()}
        if not all(np.isfinite(value).all() for value in values.values()):
            raise ValueError("a numeric encoder holds NaN or infinite values")
        if "knots" in values and np.any(np.diff(values["knots"]) < 0):
            raise ValueError("a numeric encoder's knots are not in increasing order")
        point_masses = [float(v) for v in meta["point_masses"]]
        if not all(math.isfinite(v) for v in point_masses):
            raise ValueError("a numeric encoder's point masses are not finite numbers")
        return cls(
            max_modes=meta["max_modes"],
            sample_size=meta["sample_size"],
            point_masses=point_masses,
            has_null=bool(meta["has_null"]),
            datetime_unit=meta.get("datetime_unit"),
            datetime_format=meta.get("datetime_format"),
            method=method,
            **values,
        )


def bin_token_budget(rows: int) -> int:
    """Most tokens (exact values and bins) the bins method gives a column of ``rows`` known values."""
    return int(min(MAX_BIN_TOKENS, max(MIN_BIN_TOKENS, rows // ROWS_PER_TOKEN)))


def _exact_values(values: np.ndarray, point_masses: list[float], budget: int) -> list[float]:
    """Point masses for the bins method: every distinct value if few, else the frequent ones."""
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= budget:
        return [float(v) for v in distinct]
    frequent = distinct[counts >= max(EXACT_VALUE_SHARE * len(values), ROWS_PER_TOKEN)]
    order = np.argsort(-counts[np.isin(distinct, frequent)], kind="stable")[: budget // 2]
    chosen = set(float(v) for v in frequent[order]) | {float(v) for v in point_masses}
    return sorted(chosen)


def _bin_edges(sample: np.ndarray, low: float, high: float, bins: int) -> np.ndarray:
    """Increasing edges of at most ``bins`` equal-frequency bins from ``low`` to ``high``."""
    edges = np.unique(np.quantile(sample, np.linspace(0.0, 1.0, max(bins, 1) + 1)))
    edges[0], edges[-1] = min(edges[0], low), max(edges[-1], high)
    if len(edges) == 1:  # one value left outside the point masses: a bin of (almost) no width
        edges = np.array([low, low + max(abs(low), 1.0) * 1e-9])
    return edges


def _fit_quantiles(sample: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Strictly increasing knots (quantiles of ``sample``, ends at the true ``low`` / ``high``) and positions.

    An empty ``sample`` gives the two knots ``low`` and ``high`` alone: min-max scaling.
    """
    levels = np.linspace(0.0, 1.0, max(2, min(MAX_QUANTILE_KNOTS, len(sample))))
    if len(sample) == 0:
        sample = np.array([low, high])
    knots = np.quantile(sample, levels)
    knots[0], knots[-1] = low, high
    knots, first = np.unique(knots, return_index=True)
    if len(knots) == 1:
        return knots, np.zeros(1)
    # A tie keeps its first level; the last knot (the maximum) must still map to the top.
    levels = levels[first]
    levels[-1] = 1.0
    return knots, SCALAR_CLIP * (2 * levels - 1)


def _cover_tails(
    values: np.ndarray, means: np.ndarray, stds: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add one wide mode for values no mode can represent (outliers the subsample missed).

    Without it, an outlier's offset would be clipped and the round trip would lose it.
    """
    reach = 4 * SCALAR_CLIP * stds
    covered = _inside_any(values, means - reach, means + reach)
    if covered.all():
        return means, stds, weights
    outliers = values[~covered]
    low, high = float(outliers.min()), float(outliers.max())
    center = (low + high) / 2
    spread = max((high - low) / 2, 1e-9 * max(abs(center), 1.0)) / (4 * SCALAR_CLIP) * 1.001
    share = max(len(outliers) / len(values), 1e-4)
    weights = np.append(weights * (1 - share), share)
    return np.append(means, center), np.append(stds, spread), weights


def _inside_any(values: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Whether each value lies strictly inside at least one (low, high) interval: O(n log k)."""
    order = np.argsort(lows)
    lows, highs = lows[order], np.maximum.accumulate(highs[order])
    index = np.searchsorted(lows, values, side="left") - 1  # last interval starting below the value
    return (index >= 0) & (values < highs[np.clip(index, 0, None)])


def _fit_modes(values: np.ndarray, max_modes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, standard deviations and weights of the modes that carry real weight."""
    center, scale = float(np.mean(values)), float(np.std(values))
    if scale == 0 or len(np.unique(values[:1000])) < 2:
        return np.array([center]), np.array([max(scale, 1e-3 * max(abs(center), 1.0))]), np.array([1.0])
    standardized = ((values - center) / scale).reshape(-1, 1)
    mixture = BayesianGaussianMixture(
        n_components=min(max_modes, len(np.unique(values))),
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=1e-3,
        max_iter=100,
        random_state=seed,
    )
    # One thread: a 1-D mixture gains nothing from more, and BLAS threads spinning on a busy
    # machine made this fit 20x slower.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture.fit(standardized)
    keep = mixture.weights_ > MIN_MODE_WEIGHT
    means = mixture.means_.ravel()[keep] * scale + center
    stds = np.sqrt(mixture.covariances_.ravel()[keep]) * scale
    weights = mixture.weights_[keep] / mixture.weights_[keep].sum()
    floor = 1e-6 * max(scale, 1e-12)
    return means, np.maximum(stds, floor), weights
