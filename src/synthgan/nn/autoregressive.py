"""The network of ``argan``: one small head per column, predicting it from the columns already known.

Every column's token is embedded (one table, one row per token plus a "not known yet" row per
column). A row is the concatenation of its columns' embeddings, with unknown columns showing their
"not known yet" vector. Each column has its own two-layer head that reads that whole row and gives
logits over the column's vocabulary. Which columns are known is decided per row by a mask, so one
forward pass trains every head at once on any order of columns (teacher forcing), and the same
network samples in any order, conditions on any column and imputes missing cells.

Sampling is incremental: the first layer of every head is linear in the embeddings, so each token's
contribution to it is precomputed, and a head's first layer is the sum of the contributions of the
tokens drawn before it (one summed gather, ``embedding_bag``) instead of a pass over every column.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ColumnHeads", "DrawTables", "Tap"]


class Tap(NamedTuple):
    """One linear map of a forward pass, kept for per-row gradient norms (differential privacy).

    ``output = inputs @ weight (+ bias)``; 2-D ``(rows, features)``, or 3-D ``(columns, rows,
    features)`` for the per-column heads, whose weights are separate per column. ``inputs`` None:
    an embedding lookup whose ``output`` is ``(rows, columns, features)``, one distinct table row
    per column. See :mod:`synthgan.privacy.clipping`.
    """

    inputs: torch.Tensor | None
    output: torch.Tensor
    bias: bool


class DrawTables(NamedTuple):
    """What drawing hard tokens in one order needs (see :meth:`ColumnHeads.draw_tables`)."""

    starts: torch.Tensor  # (columns, hidden): each head's first-layer pre-activation, nothing known
    blocks: torch.Tensor  # (columns, ids, hidden): how each token id changes each head's pre-activation
    # Per column, its head's later layers (second, second bias, out, out bias) in the arithmetic the
    # draw uses (bfloat16 for fast sampling); None: the network's own float32 weights.
    heads: list[tuple[torch.Tensor, ...]] | None = None


class ColumnHeads(nn.Module):
    """Embeddings and per-column heads over token columns of the given vocabulary sizes."""

    def __init__(self, vocabularies: list[int], embedding_dim: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.vocabularies = list(vocabularies)
        self.columns, self.embedding_dim, self.hidden = len(vocabularies), embedding_dim, hidden
        widest = max(vocabularies)
        offsets = torch.tensor([0, *vocabularies], dtype=torch.long).cumsum(0)[:-1]
        # Token t of column c is row offsets[c] + c + t; row offsets[c] + c + vocabulary[c] is "unknown".
        self.register_buffer("offsets", offsets + torch.arange(self.columns), persistent=False)
        self.register_buffer("unknown", self.offsets + torch.tensor(vocabularies), persistent=False)
        valid = torch.zeros(self.columns, widest, dtype=torch.bool)
        for c, size in enumerate(vocabularies):
            valid[c, :size] = True
        self.register_buffer("valid", valid, persistent=False)
        self.embedding = nn.Embedding(sum(vocabularies) + self.columns, embedding_dim)
        inputs = self.columns * embedding_dim
        self.first = nn.Linear(inputs, self.columns * hidden)
        self.second = nn.Parameter(torch.empty(self.columns, hidden, hidden))
        self.second_bias = nn.Parameter(torch.zeros(self.columns, 1, hidden))
        self.out = nn.Parameter(torch.empty(self.columns, hidden, widest))
        self.out_bias = nn.Parameter(torch.zeros(self.columns, 1, widest))
        self.dropout = nn.Dropout(dropout)
        nn.init.normal_(self.embedding.weight, std=1.0)
        for weight in (self.second, self.out):
            nn.init.uniform_(weight, -1 / math.sqrt(hidden), 1 / math.sqrt(hidden))

    @staticmethod
    def weight_count(vocabularies: list[int], embedding_dim: int, hidden: int) -> int:
        """Weights a network of these sizes holds; the first layer grows with the square of the columns."""
        columns, widest = len(vocabularies), max(vocabularies, default=0)
        embedding = (sum(vocabularies) + columns) * embedding_dim
        first = columns * embedding_dim * columns * hidden + columns * hidden
        return embedding + first + columns * (hidden * hidden + hidden + hidden * widest + widest)

    def start_from_frequencies(self, frequencies: list[torch.Tensor]) -> None:
        """Output biases at the real log-frequencies, so training starts from the right marginals."""
        with torch.no_grad():
            for c, frequency in enumerate(frequencies):
                self.out_bias[c, 0, : len(frequency)] = torch.log(frequency.clamp_min(1e-6))

    def forward(self, tokens: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        """Logits ``(columns, rows, widest vocabulary)`` of every column given the ``known`` ones.

        ``tokens``: ``(rows, columns)`` indices; ``known``: ``(rows, columns)`` bool. Entries beyond a
        column's vocabulary are -inf.
        """
        h = self._hidden(tokens, known)
        logits = torch.baddbmm(self.out_bias, h, self.out)
        return logits.masked_fill(~self.valid[:, None, :], float("-inf"))

    def token_nll(self, tokens: torch.Tensor, known: torch.Tensor, taps: list[Tap] | None = None) -> torch.Tensor:
        """Negative log-likelihood ``(rows, columns)`` of each cell's token given the ``known`` cells.

        What training and scoring need, without the padded logits of :meth:`forward`: each head's
        output layer runs on its own vocabulary only (on Adult, 540 logits a row instead of 1,500).
        ``taps``, when given, receives every linear map of the pass (:class:`Tap`), for DP-SGD's
        per-row gradient norms; every weight is used by exactly one tap.
        """
        h = self._hidden(tokens, known, taps)
        nll = []
        for c, size in enumerate(self.vocabularies):
            logits = torch.addmm(self.out_bias[c, :, :size], h[c], self.out[c, :, :size])
            if taps is not None:
                taps.append(Tap(h[c], logits, bias=True))
            nll.append(F.cross_entropy(logits, tokens[:, c], reduction="none"))
        return torch.stack(nll, dim=1)

    def _hidden(self, tokens: torch.Tensor, known: torch.Tensor, taps: list[Tap] | None = None) -> torch.Tensor:
        """Every head's last hidden layer ``(columns, rows, hidden)``."""
        index = torch.where(known, tokens + self.offsets, self.unknown)
        embedded = self.embedding(index)
        x = embedded.flatten(1)
        first = self.first(x)
        h = F.relu(first).view(len(x), self.columns, self.hidden).transpose(0, 1)
        second = torch.baddbmm(self.second_bias, h, self.second)
        if taps is not None:
            taps.extend([Tap(None, embedded, bias=False), Tap(x, first, bias=True), Tap(h, second, bias=True)])
        return self.dropout(F.relu(second))

    # ------------------------------------------------------------------ incremental sampling
    def sampling_tables(self, order: list[int]) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """What incremental sampling in ``order`` needs: the first layer's pre-activation of a row
        with no column known (``columns * hidden``), and per column a table ``(vocabulary + 1,
        columns * hidden)`` of how each of its tokens changes it (the last row, "unknown", is zero).
        Head blocks are laid out in ``order``, so the heads still to draw are a contiguous suffix.
        """
        weight = self.first.weight.view(self.columns, self.hidden, self.columns, self.embedding_dim)[order]
        weight = weight.reshape(self.columns * self.hidden, self.columns, self.embedding_dim)
        bias = self.first.bias.view(self.columns, self.hidden)[order].reshape(-1)
        rows = self.embedding.weight.split([size + 1 for size in self.vocabularies])
        terms = [own @ weight[:, c, :].T for c, own in enumerate(rows)]
        empty = bias + torch.stack([term[-1] for term in terms]).sum(0)
        return empty, [term - term[-1] for term in terms]

    def draw_tables(self, order: list[int], dtype: torch.dtype = torch.float32) -> DrawTables:
        """:meth:`sampling_tables` rearranged for drawing hard tokens: per head (in ``order``) its
        start and a table of every token id's contribution, so a head's pre-activation is one
        summed gather over the ids already drawn (:meth:`drawn_logits`).

        ``dtype`` bfloat16 runs the heads' later layers in bfloat16 (the first layer's sums and the
        logits stay float32): several times faster on CPUs with AMX, for sampling only.
        """
        empty, deltas = self.sampling_tables(order)
        blocks = torch.cat(deltas).view(-1, self.columns, self.hidden).transpose(0, 1).contiguous()
        heads = None
        if dtype != torch.float32:
            heads = [tuple(w.to(dtype) for w in self._head_layers(c)) for c in range(self.columns)]
        return DrawTables(empty.view(self.columns, self.hidden), blocks, heads)

    def token_ids(self, column: int, tokens: torch.Tensor) -> torch.Tensor:
        """The ids :meth:`drawn_logits` reads for ``column``'s ``tokens`` (its vocabulary size: unknown)."""
        return tokens + self.offsets[column]

    def drawn_logits(self, tables: DrawTables, ids: torch.Tensor, column: int, position: int) -> torch.Tensor:
        """Logits ``(rows, vocabulary)`` of ``column``, the head at ``position`` of the draw order,
        given the token ``ids`` ``(rows, k)`` known so far (from :meth:`token_ids`)."""
        start = tables.starts[position]
        if ids.shape[1]:
            pre = F.embedding_bag(ids, tables.blocks[position], mode="sum") + start
        else:
            pre = start.expand(len(ids), -1)
        return self._head(pre, column, None if tables.heads is None else tables.heads[column])

    def column_logits(self, state: torch.Tensor, column: int, position: int) -> torch.Tensor:
        """Logits ``(rows, vocabulary)`` of ``column``, whose head is block ``position`` of ``state``."""
        return self._head(state[:, position * self.hidden : (position + 1) * self.hidden], column)

    def ordered_nll(self, tokens: torch.Tensor, order: list[int]) -> torch.Tensor:
        """Exact chain-rule NLL ``(rows, columns)``: each column's token given those before it in
        ``order`` (the terms sum to the row's negative log-likelihood in that order)."""
        tables = self.draw_tables(order)
        ids = torch.stack([self.token_ids(c, tokens[:, c]) for c in order], dim=1)
        nll = torch.empty(tokens.shape, dtype=tables.starts.dtype, device=tokens.device)
        for position, column in enumerate(order):
            logits = self.drawn_logits(tables, ids[:, :position], column, position)
            nll[:, column] = F.cross_entropy(logits, tokens[:, column], reduction="none")
        return nll

    def _head_layers(self, column: int) -> tuple[torch.Tensor, ...]:
        """``column``'s head after its first layer: second weight and bias, out weight and bias."""
        size = self.vocabularies[column]
        return (
            self.second[column],
            self.second_bias[column],
            self.out[column, :, :size],
            self.out_bias[column, :, :size],
        )

    def _head(self, pre: torch.Tensor, column: int, layers: tuple[torch.Tensor, ...] | None = None) -> torch.Tensor:
        """The rest of ``column``'s head after its first layer's pre-activation ``pre``: float32
        logits, computed in the dtype of ``layers`` (default: the network's own weights)."""
        second, second_bias, out, out_bias = self._head_layers(column) if layers is None else layers
        h = F.relu(torch.addmm(second_bias, F.relu(pre).to(second.dtype), second))
        return torch.addmm(out_bias, h, out).float()
