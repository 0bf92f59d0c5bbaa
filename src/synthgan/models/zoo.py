"""The tabular GAN zoo. Each model is a few lines: its loss, penalties, conditioning and defaults."""

from __future__ import annotations

from synthgan.losses import (
    AdversarialLoss,
    BCELoss,
    CramerLoss,
    DraganPenalty,
    GradientPenalty,
    Penalty,
    WassersteinLoss,
    WeightClipping,
)
from synthgan.models.base import GANModel, Param


class VanillaGAN(GANModel):
    name = "gan"
    summary = "Original GAN (Goodfellow et al. 2014): BCE discriminator, non-saturating generator."

    def loss(self) -> AdversarialLoss:
        return BCELoss()


class ConditionalGAN(VanillaGAN):
    name = "cgan"
    summary = "Conditional GAN (Mirza & Osindero 2014): the GAN conditioned on a label column (target=)."
    conditioning = "label"


class WGAN(GANModel):
    name = "wgan"
    summary = "Wasserstein GAN (Arjovsky et al. 2017): critic with weight clipping, 5 critic steps."
    defaults = {"n_critic": 5, "critic_lr": 5e-5, "generator_lr": 5e-5, "dropout": 0.0}
    extra_params = {"clip_value": Param(0.01, (float, int), "Critic weights are clipped to this bound.", low=0)}

    def loss(self) -> AdversarialLoss:
        return WassersteinLoss()

    def penalties(self) -> list[Penalty]:
        return [WeightClipping(self.params["clip_value"])]


class WGANGP(GANModel):
    name = "wgangp"
    summary = "WGAN-GP (Gulrajani et al. 2017): Wasserstein loss with a per-sample gradient penalty."
    extra_params = {"gp_weight": Param(10.0, (float, int), "Gradient penalty weight.", low=0)}

    def loss(self) -> AdversarialLoss:
        return WassersteinLoss()

    def penalties(self) -> list[Penalty]:
        return [GradientPenalty(self.params["gp_weight"], self.params["pac"])]


class ConditionalWGANGP(WGANGP):
    name = "cwgangp"
    summary = "Conditional WGAN-GP: WGAN-GP conditioned on a label column (target=)."
    conditioning = "label"


class DRAGAN(GANModel):
    name = "dragan"
    summary = "DRAGAN (Kodali et al. 2017): BCE loss with a gradient penalty around real data."
    extra_params = {
        "gp_weight": Param(10.0, (float, int), "DRAGAN penalty weight.", low=0),
        "perturbation": Param(0.5, (float, int), "Size of the noise around real rows, in stds.", low=0),
    }

    def loss(self) -> AdversarialLoss:
        return BCELoss()

    def penalties(self) -> list[Penalty]:
        p = self.params
        return [DraganPenalty(p["gp_weight"], p["perturbation"], p["pac"])]


class CramerGAN(GANModel):
    name = "cramergan"
    summary = "Cramer GAN (Bellemare et al. 2017): energy distance with the critic's energy form + GP."
    critic_outputs = 64
    extra_params = {"gp_weight": Param(10.0, (float, int), "Gradient penalty weight.", low=0)}

    def loss(self) -> AdversarialLoss:
        return CramerLoss()

    def penalties(self) -> list[Penalty]:
        return [GradientPenalty(self.params["gp_weight"], self.params["pac"])]


class CTGAN(WGANGP):
    name = "ctgan"
    privacy = "its critic, target classifier and training-by-sampling all read real rows"
    summary = (
        "CTGAN (Xu et al. 2019): conditional vectors over every discrete column, training-by-sampling, "
        "PacGAN, Gumbel-softmax heads, WGAN-GP."
    )
    conditioning = "ctgan"
    # The target's classifier loss is off by default: on Adult it lifted train-synthetic-test-real
    # ROC AUC from 0.870 to 0.883 but skewed income >50K to 33% of rows against 24% real
    # (docs/benchmarks.md). target_weight=None turns it on for a discrete target.
