"""``argan``: synthgan's flagship tabular model, an any-order autoregressive generator of column tokens.

Each column is a small vocabulary (categories as levels; numbers as exact values or quantile bins,
with null as a token of its own); one head per column predicts its token from the columns already
drawn. It trains by teacher-forced likelihood on random column orders, keeps the weights of the
best held-out likelihood, refines them for a few epochs on the pair tables of rows it samples
itself, and samples column by column, with rules that hold in every real row
(a column that is a function of another, columns null together) enforced exactly. Because any
order is trained, conditions on any column, numeric ranges included, and imputation are exact.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import torch

from synthgan.models.base import COMMON_PARAMS, MAX_WIDTH, GANModel, Param
from synthgan.nn.autoregressive import ColumnHeads

__all__ = ["ARGAN", "ARGAN_PARAMS"]

ORDER_SHARES = {"mixed": 0.5, "any": 0.0, "fixed": 1.0}
# Below this many training rows the heads are regularized by dropout (measured on Pima and online
# shoppers: less overfitting, lower detection AUC; on Adult it only doubled the fit time).
SMALL_TABLE_ROWS = 20_000
# An epoch of a large table is at most this many steps: time budgets, early stopping and the
# progress bar act between epochs, and one pass over ten million rows would take most of an hour.
MAX_STEPS_PER_EPOCH = 2_000
_SHARED = ("seed", "device", "sample_threads", "verbose", "max_minutes")

ARGAN_PARAMS: dict[str, Param] = {
    "epochs": Param(
        100, (int,), "Most epochs: passes over the training rows, of at most steps_per_epoch steps each.", low=1
    ),
    "batch_size": Param(
        None, (int,), "Rows per training step (None: an eighth of the rows, from 32 to 512).", low=1, allow_none=True
    ),
    "steps_per_epoch": Param(
        None,
        (int,),
        f"Steps between held-out checks (None: one pass over the training rows, at most "
        f"{MAX_STEPS_PER_EPOCH:,} steps, so a table of millions of rows is checked about every million rows).",
        low=1,
        allow_none=True,
    ),
    "embedding_dim": Param(16, (int,), "Size of each column's token embedding.", low=1, high=1024),
    "hidden": Param(128, (int,), "Width of each column's head.", low=1, high=MAX_WIDTH),
    "dropout": Param(
        None,
        (float, int),
        f"Dropout in the heads (None: 0.5 below {SMALL_TABLE_ROWS:,} training rows, else 0).",
        low=0,
        high=0.95,
        allow_none=True,
    ),
    "learning_rate": Param(2e-3, (float, int), "Adam learning rate.", low=0),
    "weight_decay": Param(1e-5, (float, int), "Adam weight decay.", low=0),
    "training_order": Param(
        "mixed",
        (str,),
        "Column orders seen in training: 'any' (a random order per row), 'fixed' (the table's order; "
        "conditions on later columns then fall back to rejection) or 'mixed' (half of each).",
        choices=tuple(ORDER_SHARES),
    ),
    "rules": Param(True, (bool,), "Find exact rules between columns in the real rows and enforce them."),
    "validation_share": Param(
        0.1, (float, int), "Share of rows held out to measure likelihood for early stopping.", low=0, high=0.5
    ),
    "early_stopping": Param(True, (bool,), "Keep the weights of the best held-out likelihood."),
    "lr_patience": Param(2, (int,), "Epochs without held-out gain before the learning rate halves (0: never).", low=0),
    # The ablation (docs/benchmarks.md, 3 seeds on Adult, Pima and online shoppers) found the pair
    # refinement the best of the three on quality and detection; the critic added nothing.
    "refine": Param(
        "pairs",
        (str,),
        "After likelihood training, judge whole sampled rows: 'pairs' (the gap of every pair's "
        "contingency table), 'adversarial' (a critic, WGAN-GP) or 'none'.",
        choices=("none", "adversarial", "pairs"),
    ),
    "refine_epochs": Param(5, (int,), "Epochs of refinement after likelihood training.", low=1),
    "refine_weight": Param(1.0, (float, int), "Weight of the refinement's judge against the likelihood.", low=0),
    "patience": Param(5, (int,), "Epochs without held-out gain before training ends.", low=1, allow_none=True),
    "dp_epsilon": Param(
        None,
        (float, int),
        "Train with differential privacy spending at most this epsilon (data layer and DP-SGD together); "
        "None: no privacy guarantee. See docs/privacy.md.",
        low=1e-3,
        high=1e3,
        allow_none=True,
    ),
    "dp_delta": Param(
        None, (float,), "The delta of the guarantee (None: 1 / (10 x rows)).", low=1e-12, high=0.1, allow_none=True
    ),
    "dp_bounds": Param(
        None,
        (dict,),
        "Public domains that need no budget: {'age': (17, 90), 'sex': ['F', 'M']}; a numeric column's "
        "values are clipped into its range. Other columns' ranges and levels are found privately.",
        allow_none=True,
    ),
    "dp_max_grad_norm": Param(1.0, (float, int), "DP-SGD: each row's gradient is clipped to this norm.", low=1e-6),
    "dp_data_share": Param(
        0.1,
        (float,),
        "Share of dp_epsilon the data layer (ranges, bins, levels) would spend on its own.",
        low=0.01,
        high=0.9,
    ),
    "dp_accountant": Param("rdp", (str,), "Privacy accountant (Opacus): 'rdp' or 'prv'.", choices=("rdp", "prv")),
    # Two threads: one training step is a few large matrix products (about 2.7 GFLOP on Adult),
    # which two threads run 1.5x faster on an idle 2-core machine; a fixed count keeps the same
    # seed giving the same model on any machine with two cores or more.
    "threads": replace(
        COMMON_PARAMS["threads"],
        default=2,
        doc="CPU threads torch uses in fit (None: torch's setting). Results depend on it; 2 is the default.",
    ),
    # float32 by default: rows sampled in bfloat16 are other rows, and a file fitted before this
    # parameter must sample what it sampled then.
    "sample_precision": replace(
        COMMON_PARAMS["sample_precision"],
        default="float32",
        doc="Arithmetic of the heads in sample: 'float32' (default), 'bfloat16' (the heads' later layers in "
        "bfloat16: faster on CPUs with AMX, other rows of the same kind) or 'auto' (bfloat16 where AMX is).",
    ),
    **{name: COMMON_PARAMS[name] for name in _SHARED},
}


class ARGAN(GANModel):
    name = "argan"
    summary = (
        "synthgan's flagship: any-order autoregressive model of column tokens (the default). Learns how "
        "columns go together, keeps exact rules, conditions on any column and range, imputes."
    )
    conditioning = "any"
    privacy = "the generator sees real rows: DP-SGD; the data layer from noisy counts"
    supports_dp = True
    base_params: ClassVar[dict[str, Param]] = ARGAN_PARAMS
    # The family's Synthesizer subclass for this model (tables, sampled column by column).
    synthesizer = "synthgan.families.argan:ARGANSynthesizer"

    def build_network(self, vocabularies: list[int], rows: int | None = None) -> ColumnHeads:
        """The column heads; ``rows`` (training rows) picks the dropout when it is None."""
        p = self.params
        return ColumnHeads(vocabularies, p["embedding_dim"], p["hidden"], self.dropout(rows))

    def dropout(self, rows: int | None) -> float:
        if self.params["dropout"] is not None:
            return float(self.params["dropout"])
        return 0.5 if rows is not None and rows < SMALL_TABLE_ROWS else 0.0

    def optimizer(self, network: ColumnHeads) -> torch.optim.Optimizer:
        p = self.params
        return torch.optim.Adam(network.parameters(), p["learning_rate"], weight_decay=p["weight_decay"], fused=True)

    def batch_size(self, rows: int) -> int:
        """The batch size for ``rows`` training rows: small tables take more, smaller steps per pass."""
        chosen = self.params["batch_size"]
        return chosen if chosen is not None else int(min(512, max(32, rows // 8)))

    def steps_per_epoch(self, one_pass: int) -> int:
        """Steps in an epoch whose phase would take ``one_pass`` steps: the chosen count, else at
        most ``MAX_STEPS_PER_EPOCH``."""
        chosen = self.params["steps_per_epoch"]
        return chosen if chosen is not None else min(MAX_STEPS_PER_EPOCH, one_pass)

    @property
    def fixed_share(self) -> float:
        return ORDER_SHARES[self.params["training_order"]]

    def loss(self) -> Any:  # no adversarial loss of its own
        raise NotImplementedError("argan trains by likelihood; see synthgan.training.likelihood.")
