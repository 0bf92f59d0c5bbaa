"""What a GAN model is in synthgan: a small strategy, not a training loop.

A model declares its parameters (as data, validated in one place), builds its generator and critic
from the layout, and picks an adversarial loss, penalties, critic steps and conditioning. The one
training loop in ``synthgan.training`` does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
from torch import nn

from synthgan.losses import AdversarialLoss, Penalty
from synthgan.nn import Critic, ResidualGenerator

Conditioning = Literal["none", "label", "ctgan", "any"]


@dataclass(frozen=True)
class Param:
    """One parameter: its default, accepted types, bounds or choices, and what it does."""

    default: Any
    types: tuple[type, ...]
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    allow_none: bool = False


# Widest layer (or noise vector) a parameter may ask for: far above any useful model, and a bound on
# what a model file's parameters can make synthgan allocate before its tensors are checked.
MAX_WIDTH = 16_384

# Most CPU threads a parameter may ask for (OpenMP allocates per thread: a million would exhaust memory).
MAX_THREADS = 1_024

# Parameters every tabular model accepts. Models override defaults through `defaults`.
COMMON_PARAMS: dict[str, Param] = {
    "epochs": Param(300, (int,), "Passes over the training rows.", low=1),
    "batch_size": Param(500, (int,), "Rows per training step (a multiple of pac).", low=2),
    "noise_dim": Param(128, (int,), "Size of the generator's random input.", low=1, high=MAX_WIDTH),
    "generator_dims": Param(
        (256, 256), (tuple, list), "Widths of the generator's residual blocks.", low=1, high=MAX_WIDTH
    ),
    "critic_dims": Param((256, 256), (tuple, list), "Widths of the critic's hidden layers.", low=1, high=MAX_WIDTH),
    "generator_lr": Param(2e-4, (float, int), "Generator learning rate (Adam).", low=0),
    "critic_lr": Param(2e-4, (float, int), "Critic learning rate (Adam).", low=0),
    "weight_decay": Param(1e-6, (float, int), "Adam weight decay of both networks.", low=0),
    "n_critic": Param(1, (int,), "Critic steps per generator step.", low=1),
    "pac": Param(10, (int,), "Rows the critic judges together (PacGAN); fights mode collapse.", low=1),
    "dropout": Param(0.5, (float, int), "Critic dropout.", low=0, high=0.95),
    "ema_decay": Param(
        0.995, (float, int), "Generator weight averaging; samples come from the average. 0 disables.", low=0, high=1
    ),
    "target_weight": Param(
        0.0,
        (float, int),
        "With fit(target=...): weight of CTAB-GAN's classifier loss, which keeps the target consistent "
        "with the other columns (a classifier trained on real rows alongside the critic). 0 disables; "
        "None: 1 when the target is a discrete column, else off (ctgan's default).",
        low=0,
        allow_none=True,
    ),
    "seed": Param(0, (int,), "Seed of every random draw in fit and sample.", low=0, high=2**63 - 1, allow_none=True),
    "device": Param("auto", (str,), "'auto' (GPU when present), 'cpu' or 'cuda'.", choices=("auto", "cpu", "cuda")),
    "threads": Param(
        1,
        (int,),
        "CPU threads torch uses in fit (None: torch's setting). Results depend on it. One is the default: "
        "these small networks gain little from more, and on a busy machine 2 threads on 2 cores trained "
        "8x slower than 1.",
        low=1,
        high=MAX_THREADS,
        allow_none=True,
    ),
    "sample_threads": Param(
        None,
        (int,),
        "CPU threads torch uses in sample (None: torch's setting, every core). Sampling is a few large "
        "matrix products split by rows, which scale with threads and give the same rows whatever the count.",
        low=1,
        high=MAX_THREADS,
        allow_none=True,
    ),
    "sample_precision": Param(
        "auto",
        (str,),
        "Arithmetic of the generator in sample: 'float32', 'bfloat16' (hidden layers and category logits in "
        "bfloat16, numeric values in float32; several times faster on CPUs with AMX) or 'auto' (bfloat16 on "
        "CPUs with AMX, else float32). The two give different rows of the same quality; each is reproducible.",
        choices=("auto", "float32", "bfloat16"),
    ),
    "verbose": Param(None, (bool,), "Progress bar: None shows it on a terminal only.", allow_none=True),
    "max_minutes": Param(None, (float, int), "Stop training after this many minutes.", low=0, allow_none=True),
    "early_stopping": Param(True, (bool,), "Keep the generator with the best held-out fidelity."),
    "check_every": Param(5, (int,), "Epochs between fidelity / diversity checks.", low=1),
    "patience": Param(
        10, (int,), "Checks without improvement before early stopping ends training.", low=1, allow_none=True
    ),
}


class GANModel:
    """Base strategy: a WGAN-style model with an MLP critic and a residual generator."""

    name: ClassVar[str]
    summary: ClassVar[str]
    # What the model learns: "table", "sequence" or "image" (picks the Synthesizer subclass).
    family: ClassVar[str] = "table"
    conditioning: ClassVar[Conditioning] = "none"
    # The parameters the family shares (tables: COMMON_PARAMS); a model adds extra_params, overrides defaults.
    base_params: ClassVar[dict[str, Param]] = COMMON_PARAMS
    defaults: ClassVar[dict[str, Any]] = {}
    extra_params: ClassVar[dict[str, Param]] = {}
    critic_outputs: ClassVar[int] = 1
    # "module:class" of a subclass of the family's Synthesizer, for models that sample differently.
    synthesizer: ClassVar[str | None] = None
    # How the model stands under differential privacy (dp_epsilon), as `synthgan models` says it.
    # A model that cannot train under DP says why; its dp_* parameters are refused with that reason.
    privacy: ClassVar[str] = "only the critic sees real rows; the generator would be private by post-processing"
    supports_dp: ClassVar[bool] = False

    @classmethod
    def param_specs(cls) -> dict[str, Param]:
        specs = {**cls.base_params, **cls.extra_params}
        return {name: Param(cls.defaults.get(name, spec.default), *_rest(spec)) for name, spec in specs.items()}

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params

    def loss(self) -> AdversarialLoss:
        raise NotImplementedError

    def penalties(self) -> list[Penalty]:
        return []

    def build_generator(self, in_features: int, out_features: int) -> nn.Module:
        return ResidualGenerator(in_features, self.params["generator_dims"], out_features)

    def build_critic(self, in_features: int) -> nn.Module:
        p = self.params
        return Critic(in_features, p["critic_dims"], p["pac"], p["dropout"], self.critic_outputs)

    def optimizers(self, generator: nn.Module, critic: nn.Module) -> tuple[torch.optim.Optimizer, ...]:
        p = self.params
        # fused: one kernel per step for all tensors (5x faster than the per-tensor loop on a CPU).
        settings = {"betas": (0.5, 0.9), "weight_decay": p["weight_decay"], "fused": True}
        return (
            torch.optim.Adam(generator.parameters(), p["generator_lr"], **settings),
            torch.optim.Adam(critic.parameters(), p["critic_lr"], **settings),
        )


def _rest(spec: Param) -> tuple[Any, ...]:
    return (spec.types, spec.doc, spec.low, spec.high, spec.choices, spec.allow_none)
