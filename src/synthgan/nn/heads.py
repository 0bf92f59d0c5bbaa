"""The layout-aware output head: the right activation for every span, in a few batched ops.

Scalars (offsets within a mode) go through tanh. One-hot spans go through a softmax; during training
a Gumbel-softmax, as in CTGAN, so the critic sees soft but sharp category choices. Spans of equal
width are stacked and activated together, so the cost does not grow with one Python call per column.
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
        scalar = [span.start for span in layout if span.kind == "scalar"]
        self.register_buffer("scalar_index", torch.tensor(scalar, dtype=torch.long), persistent=False)
        groups: dict[int, list[int]] = {}
        for span in layout:
            if span.kind == "onehot":
                groups.setdefault(span.width, []).append(span.start)
        self.group_names = []
        for width, starts in sorted(groups.items()):
            index = torch.tensor([[start + offset for offset in range(width)] for start in starts])
            self.group_names.append(f"group_{width}")
            self.register_buffer(self.group_names[-1], index, persistent=False)

    def forward(
        self,
        raw: torch.Tensor,
        gumbel: bool = False,
        generator: torch.Generator | None = None,
        onehot_probabilities: bool = True,
    ) -> torch.Tensor:
        """Activated output. With ``onehot_probabilities=False`` one-hot spans keep their logits:
        enough for decoding, which only takes each span's argmax, and much cheaper when sampling."""
        if not onehot_probabilities:
            out = raw.clone()
            out[:, self.scalar_index] = torch.tanh(raw[:, self.scalar_index])
            return out
        out = torch.empty_like(raw)
        out[:, self.scalar_index] = torch.tanh(raw[:, self.scalar_index])
        for name in self.group_names:
            index = getattr(self, name)
            flat = index.reshape(-1)
            logits = raw[:, flat].reshape(raw.shape[0], *index.shape)
            if gumbel:
                uniform = torch.rand(logits.shape, generator=generator, device=raw.device)
                logits = (logits - torch.log(-torch.log(uniform.clamp_min(1e-10)))) / self.tau
            out[:, flat] = torch.softmax(logits, dim=-1).reshape(raw.shape[0], -1)
        return out
