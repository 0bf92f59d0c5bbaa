"""Which training examples each step sees: a seeded walk through shuffled rows.

Tables (rows) and sequences (windows) are batched the same way: every example is seen once per pass
and no two steps share a batch, as an epoch of a data loader; sets smaller than a batch draw with
replacement.
"""

from __future__ import annotations

import torch

__all__ = ["ShuffledRows"]


class ShuffledRows:
    """The next ``batch_size`` indices of a seeded permutation of ``n``, reshuffled once used up."""

    def __init__(self, n: int, batch_size: int, generator: torch.Generator) -> None:
        self.n, self.batch_size, self.generator = n, batch_size, generator
        self._order, self._cursor = torch.zeros(0, dtype=torch.long), 0

    def next(self) -> torch.Tensor:
        if self.n < self.batch_size:
            return torch.randint(self.n, (self.batch_size,), generator=self.generator)
        if self._cursor + self.batch_size > len(self._order):
            self._order, self._cursor = torch.randperm(self.n, generator=self.generator), 0
        rows = self._order[self._cursor : self._cursor + self.batch_size]
        self._cursor += self.batch_size
        return rows
