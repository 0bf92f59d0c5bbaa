"""The loss terms of TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019).

TimeGAN learns in a latent space made by an autoencoder (embedder + recovery), and adds to the
adversarial game a *supervised* loss: the supervisor, given the latent sequence up to step t, must
predict step t + 1, so the generator learns the step-to-step dynamics, not only what single steps
look like. The generator also matches the first two moments of the data (the moment loss).

Tensors are ``(batch, time, features)``. Weights follow the authors' code (jsyoon0823/TimeGAN).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "MOMENT_WEIGHT",
    "RECONSTRUCTION_WEIGHT",
    "SUPERVISED_WEIGHT",
    "discriminator_loss",
    "generator_adversarial_loss",
    "moment_loss",
    "reconstruction_loss",
    "supervised_loss",
]

# Weights of the authors' code: G = L_U + gamma L_U_e + 100 sqrt(L_S) + 100 L_V,
# E = 10 sqrt(L_R) + 0.1 L_S.
SUPERVISED_WEIGHT = 100.0
MOMENT_WEIGHT = 100.0
RECONSTRUCTION_WEIGHT = 10.0
EMBEDDER_SUPERVISED_WEIGHT = 0.1


def reconstruction_loss(x: torch.Tensor, x_tilde: torch.Tensor) -> torch.Tensor:
    """Mean squared error of the autoencoder (embedder, then recovery)."""
    return F.mse_loss(x_tilde, x)


def supervised_loss(h: torch.Tensor, h_next: torch.Tensor) -> torch.Tensor:
    """How well the supervisor's output at step t predicts the latent state at step t + 1."""
    return F.mse_loss(h_next[:, :-1], h[:, 1:])


def moment_loss(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Mean absolute gap between real and generated batch means and standard deviations.

    Moments are taken over the batch, for every step and feature, as in the authors' code.
    """
    real_var, real_mean = torch.var_mean(x, dim=0, correction=0)
    fake_var, fake_mean = torch.var_mean(x_hat, dim=0, correction=0)
    std_gap = (torch.sqrt(fake_var + 1e-6) - torch.sqrt(real_var + 1e-6)).abs().mean()
    return std_gap + (fake_mean - real_mean).abs().mean()


def discriminator_loss(real: torch.Tensor, fake: torch.Tensor, fake_e: torch.Tensor, gamma: float) -> torch.Tensor:
    """BCE of the step-wise logits: real latents are 1, supervised fakes and raw generator output 0."""
    return (
        F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
        + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
        + gamma * F.binary_cross_entropy_with_logits(fake_e, torch.zeros_like(fake_e))
    )


def generator_adversarial_loss(fake: torch.Tensor, fake_e: torch.Tensor, gamma: float) -> torch.Tensor:
    """Non-saturating generator loss on both kinds of fake (with and without the supervisor)."""
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake)) + gamma * (
        F.binary_cross_entropy_with_logits(fake_e, torch.ones_like(fake_e))
    )
