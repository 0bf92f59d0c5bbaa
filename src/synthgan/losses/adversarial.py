"""Adversarial losses as small strategies.

Each loss says how the critic scores a batch (``critic_value``), what the critic minimizes and what
the generator minimizes. The training loop calls these three and nothing else, so adding a GAN
variant never touches the loop. ``fake2`` is a second, independent fake batch that only the Cramer
loss uses.

Batches the critic scores together (real and fake) go through it in one call: one forward and one
backward pass instead of one per batch, and no gradient accumulation between them. The critic has
no batch statistics, so this changes nothing but speed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class AdversarialLoss:
    """Interface: the Wasserstein form, where the critic's raw output is the score."""

    name = "wasserstein"
    needs_second_fake = False

    def critic_value(self, critic: nn.Module, x: torch.Tensor, fake2: torch.Tensor | None = None) -> torch.Tensor:
        return critic(x)

    def critic_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        real_scores, fake_scores = score_together(critic, real, fake)
        return fake_scores.mean() - real_scores.mean()

    def generator_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        return -critic(fake).mean()


class WassersteinLoss(AdversarialLoss):
    """WGAN: the critic estimates the earth mover's distance (needs a Lipschitz penalty or clipping)."""


class BCELoss(AdversarialLoss):
    """The original GAN: the discriminator is a real/fake classifier; non-saturating generator loss."""

    name = "bce"

    def critic_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        real_logits, fake_logits = score_together(critic, real, fake)
        return F.binary_cross_entropy_with_logits(
            real_logits, torch.ones_like(real_logits)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))

    def generator_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        logits = critic(fake)
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


class CramerLoss(AdversarialLoss):
    """Cramer GAN (Bellemare et al. 2017) with the critic's energy form.

    The critic ``h`` embeds rows; ``f(x) = ||h(x) - h(x_g')|| - ||h(x)||`` with an independent fake
    batch ``x_g'``. The generator minimizes the energy distance estimate
    ``E||h(x_r) - h(x_g)|| + E||h(x_r) - h(x_g')|| - E||h(x_g) - h(x_g')||``; the critic maximizes
    ``E f(x_r) - E f(x_g)`` (with a gradient penalty on ``f``).
    """

    name = "cramer"
    needs_second_fake = True

    def critic_value(self, critic, x, fake2=None) -> torch.Tensor:
        h_x, h_g2 = score_together(critic, x, fake2)
        return _energy(h_x, h_g2)

    def critic_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        h_r, h_g, h_g2 = score_together(critic, real, fake, fake2)
        return _energy(h_g, h_g2).mean() - _energy(h_r, h_g2).mean()

    def generator_loss(self, critic, real, fake, fake2=None) -> torch.Tensor:
        h_r, h_g, h_g2 = score_together(critic, real, fake, fake2)
        distance = torch.linalg.vector_norm
        return (distance(h_r - h_g, dim=1) + distance(h_r - h_g2, dim=1) - distance(h_g - h_g2, dim=1)).mean()


def score_together(critic: nn.Module, *batches: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Critic outputs for equal-sized batches, computed in one pass."""
    return critic(torch.cat(batches)).chunk(len(batches))


def _energy(h_x: torch.Tensor, h_g2: torch.Tensor) -> torch.Tensor:
    """The Cramer critic ``f(x) = ||h(x) - h(x_g')|| - ||h(x)||``."""
    return torch.linalg.vector_norm(h_x - h_g2, dim=1) - torch.linalg.vector_norm(h_x, dim=1)
