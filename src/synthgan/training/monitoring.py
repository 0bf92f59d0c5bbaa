"""Cheap fidelity and diversity signals computed on transformed matrices, during training.

Decoding to a table and running the full evaluation every few epochs would cost more than the
training itself, so the trainer compares generated and held-out real rows on the matrices:

- every column gets a *code*: a discrete column its level (the argmax of its one-hot span), a
  numeric column the decile (of the real rows) of a one-dimensional proxy
  ``component + (offset + 1) / 2`` that orders rows by mode, then by position inside the mode;
- column shapes: total-variation complement of the level frequencies for discrete columns, KS
  complement of the proxy for numeric ones;
- pair trends: total-variation complement of the joint code distribution of every pair of columns,
  all pairs at once from one matrix product of stacked one-hot codes;
- *coverage*: the share of levels holding >= 1% of real rows that the generator produces at all, and
  *spread*: the ratio of the proxy's standard deviation to the real one (mode-collapse signals).

``fidelity`` is the mean of the shape and pair scores, as SDMetrics' quality score is the mean of
its column-shape and pair-trend scores, so the best generator kept is best on both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import ks_2samp

from synthgan.data.layout import Layout

COVERAGE_MIN_SHARE = 0.01
NUMERIC_BINS = 10


@dataclass
class Signals:
    fidelity: float  # mean of shapes and pairs, in [0, 1]
    coverage: float  # worst column's level coverage (1 = every common level produced)
    spread: float  # worst numeric column's spread ratio, capped at 1 (1 = as varied as the real data)
    shapes: float = 1.0  # mean column-shape score
    pairs: float = 1.0  # mean pair-trend score


def column_signals(real: np.ndarray, fake: np.ndarray, layout: Layout) -> Signals:
    """Compare generated and real rows (matrices whose one-hot spans may hold logits) column by column."""
    scores, coverages, spreads = [], [], []
    real_codes, fake_codes, sizes = [], [], []
    spans = list(layout)
    index = 0
    while index < len(spans):
        span = spans[index]
        if span.kind == "scalar":
            component = spans[index + 1]
            real_proxy = _proxy(real, span.start, component)
            fake_proxy = _proxy(fake, span.start, component)
            scores.append(1 - _ks_statistic(real_proxy, fake_proxy))
            real_std = real_proxy.std()
            spreads.append(min(1.0, fake_proxy.std() / real_std) if real_std > 0 else 1.0)
            edges = np.unique(np.quantile(real_proxy, np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1]))
            real_codes.append(np.searchsorted(edges, real_proxy))
            fake_codes.append(np.searchsorted(edges, fake_proxy))
            sizes.append(len(edges) + 1)
            index += 2
            continue
        real_levels = real[:, span.start : span.stop].argmax(axis=1)
        fake_levels = fake[:, span.start : span.stop].argmax(axis=1)
        real_share = np.bincount(real_levels, minlength=span.width) / max(len(real), 1)
        fake_share = np.bincount(fake_levels, minlength=span.width) / max(len(fake), 1)
        scores.append(1 - 0.5 * np.abs(real_share - fake_share).sum())
        common = real_share >= COVERAGE_MIN_SHARE
        if span.role == "category":
            if common.any():
                coverages.append(float((fake_share[common] > 0).mean()))
            real_codes.append(real_levels)
            fake_codes.append(fake_levels)
            sizes.append(span.width)
        index += 1
    shapes = float(np.mean(scores)) if scores else 1.0
    pairs = _pair_score(real_codes, fake_codes, sizes)
    return Signals(
        fidelity=(shapes + pairs) / 2,
        coverage=min(coverages, default=1.0),
        spread=min(spreads, default=1.0),
        shapes=shapes,
        pairs=pairs,
    )


def _pair_score(real_codes: list[np.ndarray], fake_codes: list[np.ndarray], sizes: list[int]) -> float:
    """1 - mean total variation between the real and fake joint distributions of every column pair."""
    columns = len(sizes)
    if columns < 2:
        return 1.0
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    total = int(np.sum(sizes))

    def joint(codes: list[np.ndarray]) -> np.ndarray:
        stacked = np.stack(codes, axis=1) + offsets
        onehot = np.zeros((len(stacked), total), dtype=np.float32)
        np.put_along_axis(onehot, stacked, 1.0, axis=1)
        return onehot.T @ onehot / max(len(stacked), 1)

    membership = np.zeros((total, columns), dtype=np.float32)
    membership[np.arange(total), np.repeat(np.arange(columns), sizes)] = 1.0
    distance = 0.5 * membership.T @ np.abs(joint(real_codes) - joint(fake_codes)) @ membership
    upper = np.triu_indices(columns, 1)
    return float(1 - distance[upper].mean())


def _proxy(matrix: np.ndarray, scalar_column: int, component) -> np.ndarray:
    chosen = matrix[:, component.start : component.stop].argmax(axis=1)
    return chosen + (np.clip(matrix[:, scalar_column], -1, 1) + 1) / 2


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    return float(ks_2samp(a, b).statistic)
