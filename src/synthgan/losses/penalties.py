"""Critic regularizers: gradient penalty, DRAGAN penalty and weight clipping.

Penalties see rows grouped as the critic sees them (``pac`` rows per score), and compute the
gradient norm per group: the per-sample norm of WGAN-GP, not a norm over the whole batch. A "row"
may be a vector (tables) or a tensor of any shape (an image, a sequence): interpolation weights
broadcast over everything but the batch dimension.
"""

from __future__ import annotations

import torch
from torch import nn

from synthgan.randomness import rand


class Penalty:
    """A term added to the critic loss, and/or a hook run after each critic step."""

    def __call__(self, loss, critic: nn.Module, real, fake, fake2, generator) -> torch.Tensor | None:
        return None

    def after_critic_step(self, critic: nn.Module) -> None:
        return None


def _grad_norm_penalty(loss, critic, points: torch.Tensor, fake2, pac: int, target: float) -> torch.Tensor:
    points = points.detach().requires_grad_(True)
    scores = loss.critic_value(critic, points, fake2)
    (gradients,) = torch.autograd.grad(scores.sum(), points, create_graph=True)
    per_group = gradients.reshape(-1, pac * points[0].numel())
    return ((per_group.norm(2, dim=1) - target) ** 2).mean()


class GradientPenalty(Penalty):
    """WGAN-GP (Gulrajani et al. 2017): pull the critic's gradient norm to 1 between real and fake."""

    def __init__(self, weight: float = 10.0, pac: int = 1) -> None:
        self.weight, self.pac = weight, pac

    def __call__(self, loss, critic, real, fake, fake2, generator) -> torch.Tensor:
        groups = real.shape[0] // self.pac
        alpha = rand((groups, 1, *[1] * (real.ndim - 1)), generator, real.device)
        alpha = alpha.expand(groups, self.pac, *real.shape[1:]).reshape(real.shape)
        points = alpha * real + (1 - alpha) * fake
        return self.weight * _grad_norm_penalty(loss, critic, points, fake2, self.pac, 1.0)


class DraganPenalty(Penalty):
    """DRAGAN (Kodali et al. 2017): the gradient penalty around noisy copies of real rows only."""

    def __init__(self, weight: float = 10.0, noise: float = 0.5, pac: int = 1) -> None:
        self.weight, self.noise, self.pac = weight, noise, pac

    def __call__(self, loss, critic, real, fake, fake2, generator) -> torch.Tensor:
        alpha = rand((real.shape[0], *[1] * (real.ndim - 1)), generator, real.device)
        jitter = rand(real.shape, generator, real.device)
        points = real + alpha * self.noise * real.std(dim=0, keepdim=True) * jitter
        return self.weight * _grad_norm_penalty(loss, critic, points, fake2, self.pac, 1.0)


class WeightClipping(Penalty):
    """The original WGAN's Lipschitz constraint: clip every critic weight to [-c, c] after each step."""

    def __init__(self, clip: float = 0.01) -> None:
        self.clip = clip

    def after_critic_step(self, critic: nn.Module) -> None:
        with torch.no_grad():
            for parameter in critic.parameters():
                parameter.clamp_(-self.clip, self.clip)
