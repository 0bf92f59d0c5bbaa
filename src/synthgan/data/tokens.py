"""Columns as tokens: each learned column of a transformed table as one small vocabulary.

Autoregressive models (``argan``) read a table as a row of tokens, one per column: a category's
level, or a number's component (an exact value, a quantile bin, or null) from the transformer's
``continuous="bins"`` encoding. :class:`TokenLayout` maps the transformer's matrix to tokens, and
drawn tokens to what :meth:`Transformer.decode` reads; within a bin the value is a uniform draw
between the bin's edges, which the reversible transformer then rounds, clips and casts like any
other generated value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from synthgan.data.layout import Layout, Span
from synthgan.data.numeric import NumericEncoder

if TYPE_CHECKING:
    from synthgan.data.transformer import Transformer

__all__ = ["TokenColumn", "TokenLayout"]


@dataclass(frozen=True)
class TokenColumn:
    """One column as a vocabulary: its one-hot span (the token) and, for numbers, its scalar span."""

    name: str
    token: Span
    scalar: Span | None

    @property
    def vocabulary(self) -> int:
        return self.token.width


class TokenLayout:
    """The token columns of a transformer's layout, in table order."""

    def __init__(self, layout: Layout) -> None:
        columns: list[TokenColumn] = []
        for span in layout:
            if span.kind != "onehot":
                continue
            scalars = [s for s in layout.spans_of(span.column) if s.kind == "scalar"]
            columns.append(TokenColumn(span.column, span, scalars[0] if scalars else None))
        self.columns = tuple(columns)
        self.width = layout.width

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def vocabularies(self) -> list[int]:
        return [column.vocabulary for column in self.columns]

    def index(self, name: str) -> int:
        return self.names.index(name)

    def tokens(self, matrix: np.ndarray) -> np.ndarray:
        """Token of every cell, shape ``(rows, columns)``, from a transformed matrix (a table's rows
        as :meth:`encode` reads them, or a matrix built otherwise, as anomaly scoring builds one)."""
        out = np.empty((len(matrix), len(self.columns)), dtype=np.int64)
        for j, column in enumerate(self.columns):
            out[:, j] = matrix[:, column.token.start : column.token.stop].argmax(axis=1)
        return out

    def encode(self, transformer: Transformer, frame: pd.DataFrame, unseen_as_rare: bool = False) -> np.ndarray:
        """Token of every cell of ``frame``, shape ``(rows, columns)``: the slots
        :meth:`Transformer.choices` finds, without building the one-hot matrix."""
        choices = transformer.choices(frame, unseen_as_rare)
        out = np.empty((len(frame), len(self.columns)), dtype=np.int64)
        for j, column in enumerate(self.columns):
            out[:, j] = choices[column.name]
        return out

    def choices(
        self, tokens: torch.Tensor, offsets: torch.Tensor
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """What :meth:`Transformer.decode` reads: each column's token and each number's within-bin
        offset (in [-1, 1]), from ``(rows, columns)`` tensors of tokens and offsets."""
        tokens_np, offsets_np = tokens.cpu().numpy(), offsets.cpu().numpy()
        choices = {column.name: tokens_np[:, j] for j, column in enumerate(self.columns)}
        scalars = {column.name: offsets_np[:, j] for j, column in enumerate(self.columns) if column.scalar is not None}
        return choices, scalars


def token_intervals(encoder: NumericEncoder) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` of the values each token of a bins-encoded number stands for.

    Bins span their edges; a point mass is the interval of one value; the null token is (NaN, NaN).
    """
    width = encoder.n_components
    low, high = np.full(width, np.nan), np.full(width, np.nan)
    bins = encoder.n_modes
    if bins:
        low[:bins], high[:bins] = encoder.knots[:-1], encoder.knots[1:]
    masses = np.asarray(encoder.point_masses, dtype=np.float64)
    low[bins : bins + len(masses)] = masses
    high[bins : bins + len(masses)] = masses
    return low, high
