"""The layout-aware output head: the right activation for every span, in a fixed handful of tensor ops.

Scalars (offsets within a mode) go through tanh. One-hot spans go through a softmax; during training
a Gumbel-softmax, as in CTGAN, so the critic sees soft but sharp category choices.

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

    def forward(
        self,
        raw: torch.Tensor,
        gumbel: bool = False,
        generator: torch.Generator | None = None,
        onehot_probabilities: bool = True,
    ) -> torch.Tensor:
        """Activated output.

        ``gumbel=True`` adds Gumbel noise (drawn from ``generator``) and divides by ``tau`` before the
        softmax (training). With ``onehot_probabilities=False`` one-hot spans keep their logits: enough
        for decoding and monitoring, which only take each span's argmax, and much cheaper when sampling.
        """
        if not onehot_probabilities:
            return torch.where(self.scalar_mask, torch.tanh(raw), raw)
        logits = raw
        if gumbel:
            uniform = torch.rand(raw.shape, generator=generator, device=raw.device).clamp_min_(1e-10)
            logits = (raw - torch.log(-torch.log(uniform))) / self.tau
        with torch.no_grad():  # the softmax does not depend on the shift, so its gradient needs none
            peak = torch.full((raw.shape[0], self.segments), -torch.inf, device=raw.device, dtype=raw.dtype)
            peak.scatter_reduce_(1, self.segment.expand(raw.shape[0], -1), logits, "amax")
        exp = torch.exp(logits - peak.index_select(1, self.segment))
        probabilities = exp / (exp @ self.membership).index_select(1, self.segment)
        return torch.where(self.scalar_mask, torch.tanh(raw), probabilities)
