"""Auxiliary generator terms that go beyond fooling the critic.

:class:`TargetClassifierLoss` follows CTAB-GAN's classifier loss (Zhao et al. 2021): a small
classifier learns, on real rows, to predict the target column from the other columns, and the
generator pays when a generated row's target disagrees with what the classifier reads in its other
columns. The critic judges rows as a whole, and a target that drifts away from the columns that
explain it costs it little; this term makes the relation a downstream model will learn explicit.

CTAB-GAN compares the classifier with the *sampled* target level, which rewards putting every
row's target on the classifier's likeliest level: labels cleaner than real ones. Here the
generator's own probabilities for the target (the softmax of its logits, from which the level is
sampled) are pulled towards the classifier's, so a row whose features leave the target uncertain
keeps that uncertainty.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from synthgan.data.layout import Layout
from synthgan.errors import ParameterError


class TargetClassifierLoss:
    """Keep the target consistent with the other columns (a classifier trained alongside the critic)."""

    def __init__(self, layout: Layout, target: str, weight: float, hidden: int = 256, lr: float = 2e-4) -> None:
        spans = [span for span in layout.spans_of(target) if span.role == "category"]
        if not spans:
            raise ParameterError(f"target={target!r} has no category span to classify; is it a discrete column?")
        span = spans[0]
        self.weight = weight
        self.target = slice(span.start, span.stop)
        self.features = torch.cat([torch.arange(span.start), torch.arange(span.stop, layout.width)])
        self.network = nn.Sequential(
            nn.Linear(len(self.features), hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, span.width),
        )
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr, betas=(0.5, 0.9), fused=True)

    def to(self, device: torch.device) -> TargetClassifierLoss:
        self.network.to(device)
        self.features = self.features.to(device)
        return self

    def update(self, real: torch.Tensor) -> float:
        """One classifier step on real rows; returns its loss."""
        logits = self.network(real.index_select(1, self.features))
        loss = F.cross_entropy(logits, real[:, self.target].argmax(1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def generator_loss(self, fake: torch.Tensor, raw: torch.Tensor) -> torch.Tensor:
        """Weighted cross-entropy from the classifier's target probabilities on the fake rows' features
        to the generator's own (``raw`` holds its logits)."""
        self.network.requires_grad_(False)
        expected = F.softmax(self.network(fake.index_select(1, self.features)), dim=1)
        self.network.requires_grad_(True)
        return -self.weight * (expected * F.log_softmax(raw[:, self.target], dim=1)).sum(1).mean()
