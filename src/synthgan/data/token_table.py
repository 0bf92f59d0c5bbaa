"""A table's tokens in training order, in memory or memory-mapped from a file for tables larger than RAM.

Rows are stored training rows first, then held-out rows, so training reads ``tokens[:training_rows]``
and the likelihood check ``tokens[training_rows:]`` without copying either. Each cell is one byte
(two where a column has more than 256 tokens): ten million rows of 22 columns take 220 MB on disk,
and the operating system pages in what batches touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synthgan.data.rules import TokenCounts
from synthgan.data.tokens import TokenLayout
from synthgan.data.transformer import Transformer

__all__ = ["TokenTable", "encode_tokens", "split_rows"]

# Tables with fewer held-out rows than this hold none out: the check would be noise.
MIN_HELD_OUT = 20


@dataclass
class TokenTable:
    """Tokens of every row (rows x token columns): ``training_rows`` training rows, then held-out rows."""

    tokens: np.ndarray
    training_rows: int
    vocabularies: list[int]

    @property
    def train(self) -> np.ndarray:
        return self.tokens[: self.training_rows]

    @property
    def held(self) -> np.ndarray:
        return self.tokens[self.training_rows :]

    def counts(self) -> tuple[TokenCounts, TokenCounts]:
        """Token and pair counts of the training rows and of the held-out rows, read in chunks."""
        return TokenCounts.of(self.train, self.vocabularies), TokenCounts.of(self.held, self.vocabularies)


def split_rows(n: int, share: float, random: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training rows and held-out rows (each in table order) for the likelihood check."""
    held = int(n * share)
    if held < MIN_HELD_OUT:
        return np.arange(n), np.zeros(0, dtype=np.int64)
    order = random.permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def encode_tokens(
    frames: Iterable[pd.DataFrame],
    transformer: Transformer,
    layout: TokenLayout,
    split: tuple[np.ndarray, np.ndarray],
    folder: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> TokenTable:
    """Tokens of the rows of ``frames`` (a table in one frame, or a table on disk batch by batch) in
    an array of their own, or, with ``folder``, a memory-mapped file there; ``progress(rows)`` is told
    the rows of each frame written. A level the transformer never counted goes to its rare slot."""
    destinations = _destinations(split)
    shape, dtype = (len(destinations), len(layout)), _dtype(layout.vocabularies)
    if folder is None:
        out = np.empty(shape, dtype=dtype)
    else:
        out = np.lib.format.open_memmap(Path(folder) / "tokens.npy", mode="w+", dtype=dtype, shape=shape)
    start = 0
    for frame in frames:
        out[destinations[start : start + len(frame)]] = layout.encode(transformer, frame, unseen_as_rare=True)
        start += len(frame)
        if progress is not None:
            progress(len(frame))
    if folder is not None:
        out.flush()
    return TokenTable(out, len(split[0]), layout.vocabularies)


def _destinations(split: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Where each row of the table goes: training rows first, then held-out rows, each in table order."""
    train, held = split
    destinations = np.empty(len(train) + len(held), dtype=np.int64)
    destinations[train] = np.arange(len(train))
    destinations[held] = len(train) + np.arange(len(held))
    return destinations


def _dtype(vocabularies: list[int]) -> np.dtype:
    return np.dtype(np.uint8 if max(vocabularies, default=0) <= 256 else np.int16)
