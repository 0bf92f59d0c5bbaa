"""The layout-aware output head: the right activation for every span, in a fixed handful of tensor ops.

Scalars (offsets within a mode) go through tanh. One-hot spans go through a softmax; during training
a Gumbel-softmax, as in CTGAN, so the critic sees soft but sharp category choices. What the
generator learns for a span is therefore a categorical distribution, softmax(logits), and sampling
draws from it (:meth:`LayoutHead.sample`, the Gumbel-max trick) rather than taking the most likely
level, which would drop every level that is never the most likely one.

Every one-hot span is activated at once as a *segmented* softmax over the full row: each column
belongs to a segment (its span; a scalar column is a segment of its own), the per-segment maximum
is taken with one ``scatter_reduce``, and the per-segment sums with one small matrix product. The
cost is the same dozen ops whether the table has 3 columns or 300 (CTGAN loops over spans in Python,
and a per-width grouping still costs about ten ops per distinct width).
"""

from __future__ import annotations

import torch
from torch import nn

from synthgan.data.layout import Layout
from synthgan.randomness import rand


class LayoutHead(nn.Module):
    """Apply span activations to raw generator output of width ``layout.width``."""

    def __init__(self, layout: Layout, tau: float = 0.2) -> None:
        super().__init__()
        self.tau = tau
        width = layout.width
        segment = torch.zeros(width, dtype=torch.long)
        scalar = torch.zeros(width, dtype=torch.bool)
        count = 0
        for span in layout:
            if span.kind == "scalar":
                scalar[span.start : span.stop] = True
                segment[span.start : span.stop] = torch.arange(count, count + span.width)
                count += span.width
            else:
                segment[span.start : span.stop] = count
                count += 1
        membership = torch.zeros(width, count)
        membership[torch.arange(width), segment] = 1.0
        self.segments = count
        self.register_buffer("segment", segment, persistent=False)
        self.register_buffer("scalar_mask", scalar, persistent=False)
        self.register_buffer("membership", membership, persistent=False)
        # For sampling: each column's level within its span, each span's last level, and per column
        # the number of spans before its own (what a row's cumulative probability has reached there).
        level, last = torch.zeros(width), torch.zeros(count)
        for span in layout:
            if span.kind == "onehot":
                level[span.start : span.stop] = torch.arange(span.width, dtype=torch.float32)
                last[segment[span.start]] = span.width - 1
        self.register_buffer("level", level, persistent=False)
        self.register_buffer("last_level", last, persistent=False)
        self.register_buffer("segments_before", segment.double(), persistent=False)
        self.register_buffer("scalar_columns", scalar.nonzero().flatten(), persistent=False)

    def sample(self, raw: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Output for decoding: scalars through tanh, each one-hot span an exact one-hot draw.

        Every span's level is drawn from ``softmax(logits)`` by inverse transform sampling, all spans
        at once: the span's probabilities are normalized and summed cumulatively along the row, and
        one uniform number per span picks the level where the running sum passes it. A row's
        cumulative sum grows by exactly 1 per span, so within a span it is the global sum less the
        number of spans before it; one uniform per span is far cheaper than Gumbel noise per level.
        """
        # Softmax within each span; subtracting the span's maximum would cost a segmented reduction,
        # clamping to +-60 keeps exp in float32 range (a level 120 below another has no weight anyway).
        # A scalar is a span of its own whose one "level" has probability 1.
        weights = torch.exp(raw.clamp(-60.0, 60.0))
        probabilities = weights / (weights @ self.membership).index_select(1, self.segment)
        # In float64: the running sum reaches the number of spans, and float32 would blur rare levels.
        running = probabilities.cumsum(1, dtype=torch.float64).sub_(self.segments_before)
        uniform = rand((raw.shape[0], self.segments), generator, raw.device).index_select(1, self.segment)
        passed = (running < uniform).to(raw.dtype) @ self.membership
        drawn = (self.level == torch.minimum(passed, self.last_level).index_select(1, self.segment)).to(raw.dtype)
        drawn[:, self.scalar_columns] = torch.tanh(raw[:, self.scalar_columns])
        return drawn

    def forward(
        self,
        raw: torch.Tensor,
        gumbel: bool = False,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Activated output.

        ``gumbel=True`` adds Gumbel noise (drawn from ``generator``) and divides by ``tau`` before the
        softmax (training).
        """
        logits = raw
        if gumbel:
            uniform = rand(raw.shape, generator, raw.device).clamp_min_(1e-10)
            logits = (raw - torch.log(-torch.log(uniform))) / self.tau
        with torch.no_grad():  # the softmax does not depend on the shift, so its gradient needs none
            peak = torch.full((raw.shape[0], self.segments), -torch.inf, device=raw.device, dtype=raw.dtype)
            peak.scatter_reduce_(1, self.segment.expand(raw.shape[0], -1), logits, "amax")
        exp = torch.exp(logits - peak.index_select(1, self.segment))
        probabilities = exp / (exp @ self.membership).index_select(1, self.segment)
        return torch.where(self.scalar_mask, torch.tanh(raw), probabilities)
