"""TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019): GANs for multivariate time series.

A strategy like every model: it declares its parameters, builds its five GRU networks and names its
three training phases (see ``synthgan/training/timegan.py``); the sequence family
(``synthgan/families/sequence.py``) does the data work and the one training loop runs the phases.
Defaults are the paper's: 24-wide latents, 3 GRU layers, batches of 128 windows of 24 steps,
``gamma = 1``, Adam at 1e-3, and 50,000 iterations per phase.
"""

from __future__ import annotations

from typing import Any

import torch

from synthgan.data.numeric import METHODS
from synthgan.data.sequence import GAP_POLICIES
from synthgan.models.base import COMMON_PARAMS, MAX_WIDTH, GANModel, Param
from synthgan.nn import LayoutHead, TimeGANNetworks
from synthgan.training.timegan import AutoencoderPhase, JointPhase, SupervisedPhase, WindowBatches

__all__ = ["TIMEGAN_PARAMS", "TimeGAN"]

TIMEGAN_PARAMS: dict[str, Param] = {
    "sequence_length": Param(24, (int,), "Steps of each synthetic sequence and training window.", low=2),
    "stride": Param(1, (int,), "Rows between the starts of consecutive training windows.", low=1),
    "gaps": Param(
        "error",
        (str,),
        "Timestamps further apart than the cadence: 'error', 'split' (windows never cross a gap) or 'ignore'.",
        choices=GAP_POLICIES,
    ),
    "iterations": Param(50_000, (int,), "Training steps of each of the three phases (the paper: 50,000).", low=1),
    "pretrain_iterations": Param(
        None,
        (int,),
        "Steps of the autoencoder and supervised phases; None: as many as iterations.",
        low=1,
        allow_none=True,
    ),
    "batch_size": Param(128, (int,), "Windows per training step.", low=1),
    "hidden_dim": Param(24, (int,), "Width of the latent sequences and of every GRU layer.", low=1, high=MAX_WIDTH),
    "num_layers": Param(3, (int,), "GRU layers per network (the supervisor has one fewer).", low=1, high=32),
    "noise_dim": Param(
        None,
        (int,),
        "Noise features per step; None: one per learned column (the paper).",
        low=1,
        high=MAX_WIDTH,
        allow_none=True,
    ),
    "learning_rate": Param(1e-3, (float, int), "Adam learning rate of every network.", low=0),
    "gamma": Param(1.0, (float, int), "Weight of the adversarial loss on the unsupervised generator output.", low=0),
    "generator_steps": Param(2, (int,), "Generator and embedder updates per discriminator update.", low=1),
    "discriminator_threshold": Param(
        0.15, (float, int), "The discriminator is updated only while its loss is above this.", low=0
    ),
    "continuous": Param(
        "minmax", (str,), "Numeric encoding: 'minmax' (the paper), 'quantile' or 'gmm'.", choices=METHODS
    ),
    **{name: COMMON_PARAMS[name] for name in ("seed", "device", "threads", "verbose", "max_minutes")},
}

# Shares of max_minutes for the three phases: the joint phase costs about five autoencoder steps a step.
PHASE_SHARES = {"autoencoder": 0.1, "supervised": 0.1, "joint": 0.8}


class TimeGAN(GANModel):
    name = "timegan"
    summary = "TimeGAN (Yoon et al. 2019): multivariate time series, GRU networks."
    privacy = "its embedder, recovery and supervisor all train on real sequences"
    family = "sequence"

    @classmethod
    def param_specs(cls) -> dict[str, Param]:
        return dict(TIMEGAN_PARAMS)

    def build_networks(self, layout, noise_dim: int) -> TimeGANNetworks:
        p = self.params
        return TimeGANNetworks(layout.width, noise_dim, p["hidden_dim"], p["num_layers"], LayoutHead(layout))

    def phases(self, nets: TimeGANNetworks, batches: WindowBatches, random: torch.Generator) -> list[Any]:
        p = self.params
        iterations, rate = p["iterations"], p["learning_rate"]
        pretrain = p["pretrain_iterations"] or iterations
        return [
            AutoencoderPhase(nets, batches, pretrain, rate),
            SupervisedPhase(nets, batches, pretrain, rate),
            JointPhase(
                nets,
                batches,
                iterations,
                rate,
                gamma=p["gamma"],
                generator_steps=p["generator_steps"],
                discriminator_threshold=p["discriminator_threshold"],
                random=random,
            ),
        ]
