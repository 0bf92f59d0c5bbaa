"""Losses and penalties: per-sample gradient norms, clipping, and the Cramer energy form."""

from __future__ import annotations

import torch
from torch import nn

from synthgan.losses import CramerLoss, DraganPenalty, GradientPenalty, WassersteinLoss, WeightClipping
from synthgan.nn import Critic


class Quadratic(nn.Module):
    """critic(x) = sum(w * x^2) per row: its gradient 2 w x is known in closed form."""

    def __init__(self, weights: torch.Tensor) -> None:
        super().__init__()
        self.weights = nn.Parameter(weights)

    def forward(self, x):
        return (self.weights * x**2).sum(dim=1, keepdim=True)


def test_gradient_penalty_uses_per_sample_norms():
    generator = torch.Generator().manual_seed(0)
    real, fake = torch.randn(6, 3, generator=generator), torch.randn(6, 3, generator=generator)
    weights = torch.tensor([1.0, 2.0, 3.0])
    critic = Quadratic(weights)
    penalty = GradientPenalty(weight=1.0, pac=1)
    value = penalty(WassersteinLoss(), critic, real, fake, None, torch.Generator().manual_seed(7))
    alpha = torch.rand(6, 1, 1, generator=torch.Generator().manual_seed(7)).reshape(6, 1)
    points = alpha * real + (1 - alpha) * fake
    expected = (((2 * weights * points).norm(dim=1) - 1) ** 2).mean()
    assert torch.allclose(value, expected, atol=1e-5)
    batch_norm = ((2 * weights * points).norm() - 1) ** 2
    assert not torch.allclose(value, batch_norm)


def test_gradient_penalty_groups_pac_rows():
    critic = Critic(4, [8], pac=2, dropout=0.0)
    real, fake = torch.randn(6, 4), torch.randn(6, 4)
    value = GradientPenalty(pac=2)(WassersteinLoss(), critic, real, fake, None, torch.Generator().manual_seed(0))
    assert value.ndim == 0 and value.item() >= 0
    value.backward()  # differentiable with respect to the critic's weights
    assert critic.body[0].weight.grad is not None


def test_dragan_penalty_is_zero_for_a_unit_slope_linear_critic():
    critic = nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[0.6, 0.8, 0.0]]))  # gradient norm exactly 1 everywhere
    value = DraganPenalty()(WassersteinLoss(), critic, torch.randn(8, 3), None, None, torch.Generator())
    assert value.item() < 1e-10


def test_weight_clipping_bounds_every_weight():
    critic = Critic(5, [16, 16], dropout=0.0)
    WeightClipping(0.01).after_critic_step(critic)
    assert all(p.abs().max() <= 0.01 for p in critic.parameters())


def test_cramer_generator_loss_is_zero_when_fakes_equal_real_in_distribution():
    critic = Critic(3, [8], dropout=0.0, output_features=4)
    x = torch.randn(64, 3)
    loss = CramerLoss()
    same = loss.generator_loss(critic, x, x, x)
    shifted = loss.generator_loss(critic, x, x + 5.0, x + 5.0)
    assert same.abs().item() < 1e-6
    assert shifted.item() > same.item()
