"""Condition vectors and training-by-sampling over the discrete columns (CTGAN), vectorized.

CTGAN trains the generator on condition vectors: pick a discrete column uniformly, pick one of its
levels with probability proportional to log(1 + frequency), and show the critic real rows having
that level. Rare levels are then seen far more often than their frequency, which is what lets a
conditional model produce them on demand. CTGAN draws the rows in a Python loop; here every level's
rows sit in one precomputed index array, so a whole batch is drawn with a few tensor operations.
"""

from __future__ import annotations

import numpy as np
import torch

from synthgan.data.layout import Layout, Span


class ConditionSampler:
    """Builds condition vectors over ``spans`` and draws real rows that match them."""

    def __init__(self, matrix: np.ndarray, layout: Layout, spans: tuple[Span, ...] | None = None) -> None:
        self._set_spans(layout.discrete_spans if spans is None else spans)
        n = len(matrix)
        self.n_rows = n
        max_width = int(self.widths.max()) if len(self.spans) else 0
        counts = np.zeros((len(self.spans), max_width), dtype=np.int64)
        starts = np.zeros_like(counts)
        orders = []
        for j, span in enumerate(self.spans):
            codes = matrix[:, span.start : span.stop].argmax(axis=1)
            order = np.argsort(codes, kind="stable")
            level_counts = np.bincount(codes, minlength=span.width)
            counts[j, : span.width] = level_counts
            starts[j, : span.width] = j * n + np.concatenate([[0], np.cumsum(level_counts)[:-1]])
            orders.append(order)
        self.rows_by_level = torch.from_numpy(np.concatenate(orders) if orders else np.zeros(0, np.int64))
        self.level_counts = torch.from_numpy(counts)
        self.level_starts = torch.from_numpy(starts)
        frequency = counts / max(n, 1)
        log_frequency = np.log1p(counts) * (counts > 0)
        self.frequency = torch.from_numpy(frequency / frequency.sum(axis=1, keepdims=True).clip(1e-12))
        self.log_frequency = torch.from_numpy(log_frequency / log_frequency.sum(axis=1, keepdims=True).clip(1e-12))
        self._set_cdfs()

    @classmethod
    def from_frequency(cls, spans: tuple[Span, ...], frequency: torch.Tensor) -> ConditionSampler:
        """A sampler that can build condition vectors (for sampling) but holds no training rows."""
        sampler = cls.__new__(cls)
        sampler._set_spans(spans)
        sampler.frequency = frequency.double()
        sampler._set_cdfs()
        return sampler

    def _set_cdfs(self) -> None:
        self._cdf = torch.cumsum(self.frequency, dim=1)
        if hasattr(self, "log_frequency"):
            self._log_cdf = torch.cumsum(self.log_frequency, dim=1)

    def _set_spans(self, spans: tuple[Span, ...]) -> None:
        self.spans = tuple(spans)
        self.widths = torch.tensor([span.width for span in self.spans], dtype=torch.long)
        self.offsets = torch.cumsum(torch.cat([torch.zeros(1, dtype=torch.long), self.widths]), 0)[:-1]
        self.width = int(self.widths.sum()) if len(self.spans) else 0

    def sample_levels(
        self, batch: int, generator: torch.Generator, log_frequency: bool = True
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Pick ``(span index, level)`` pairs: span uniformly, level by (log-)frequency."""
        span = torch.randint(len(self.spans), (batch,), generator=generator)
        # Inverse CDF: one uniform per row and a batched binary search (torch.multinomial over
        # per-row probability vectors is ~10x slower). A level of probability 0 is never chosen.
        cdf = (self._log_cdf if log_frequency else self._cdf)[span]
        uniform = torch.rand(batch, 1, generator=generator, dtype=cdf.dtype)
        level = torch.searchsorted(cdf, uniform, right=True).squeeze(1)
        return span, torch.minimum(level, self.widths[span] - 1)

    def condition_vectors(self, span: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
        """One-hot condition vectors of width :attr:`width`."""
        vectors = torch.zeros(len(span), self.width)
        vectors[torch.arange(len(span)), self.offsets[span] + level] = 1.0
        return vectors

    def sample_rows(self, span: torch.Tensor, level: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Indices of random real rows whose ``span`` column has ``level``."""
        count = self.level_counts[span, level]
        draw = (torch.rand(len(span), generator=generator) * count).long()
        return self.rows_by_level[self.level_starts[span, level] + draw]
