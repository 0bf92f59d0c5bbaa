"""Cheap fidelity and diversity signals computed on transformed matrices, during training.

Decoding to a table and running the full evaluation every few epochs would cost more than the
training itself, so the trainer compares generated and held-out real rows span by span:

- one-hot spans: total-variation complement of the level frequencies, and *coverage*: the share of
  levels holding >= 1% of real rows that the generator produces at all (mode-collapse signal);
- numeric columns: KS complement of a one-dimensional proxy ``component + (offset + 1) / 2`` that
  orders rows by mode, then by position inside the mode, and the ratio of its spread to the real one.

The score is the mean over columns, in [0, 1]; it tracks the real column-shape score closely enough
to choose the best generator seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import ks_2samp

from synthgan.data.layout import Layout

COVERAGE_MIN_SHARE = 0.01


@dataclass
class Signals:
    fidelity: float
    coverage: float  # worst column's level coverage (1 = every common level produced)
    spread: float  # worst numeric column's spread ratio, capped at 1 (1 = as varied as the real data)


def column_signals(real: np.ndarray, fake: np.ndarray, layout: Layout) -> Signals:
    """Compare generated and real rows (both activated matrices) column by column."""
    scores, coverages, spreads = [], [], []
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
            index += 2
            continue
        real_share = _level_shares(real[:, span.start : span.stop])
        fake_share = _level_shares(fake[:, span.start : span.stop])
        scores.append(1 - 0.5 * np.abs(real_share - fake_share).sum())
        common = real_share >= COVERAGE_MIN_SHARE
        if span.role == "category" and common.any():
            coverages.append(float((fake_share[common] > 0).mean()))
        index += 1
    return Signals(
        fidelity=float(np.mean(scores)) if scores else 1.0,
        coverage=min(coverages, default=1.0),
        spread=min(spreads, default=1.0),
    )


def _proxy(matrix: np.ndarray, scalar_column: int, component) -> np.ndarray:
    chosen = matrix[:, component.start : component.stop].argmax(axis=1)
    return chosen + (np.clip(matrix[:, scalar_column], -1, 1) + 1) / 2


def _level_shares(block: np.ndarray) -> np.ndarray:
    counts = np.bincount(block.argmax(axis=1), minlength=block.shape[1])
    return counts / max(counts.sum(), 1)


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    return float(ks_2samp(a, b).statistic)
