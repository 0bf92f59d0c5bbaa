"""Adversarial losses and penalties: the small strategies that tell the GAN models apart."""

from synthgan.losses.adversarial import AdversarialLoss, BCELoss, CramerLoss, WassersteinLoss
from synthgan.losses.penalties import DraganPenalty, GradientPenalty, Penalty, WeightClipping

__all__ = [
    "AdversarialLoss",
    "BCELoss",
    "CramerLoss",
    "DraganPenalty",
    "GradientPenalty",
    "Penalty",
    "WassersteinLoss",
    "WeightClipping",
]
