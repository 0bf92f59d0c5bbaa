"""``argan`` with ``dp_epsilon``: a differentially private fit from the data layer to the last step.

What changes against the ordinary fit (:mod:`synthgan.families.argan`), and why:

- the data layer comes from noisy counts (:mod:`synthgan.privacy.data_layer`) and the output biases
  start from the frequencies released with it, not from the real ones;
- the likelihood phase is DP-SGD (:mod:`synthgan.training.private_likelihood`) on every row, with
  the training noise set so that the data layer and the planned steps together spend ``dp_epsilon``;
- nothing else reads real rows: no rules found in them, no held-out rows for early stopping, no
  pair refinement against their contingency tables. The weights kept are those of the epoch whose
  samples come closest to the released marginals (post-processing of what is already private);
- the spent budget is recorded in ``privacy_``, the model file and the report.

Asking for one of the parts that would read real rows outside the budget is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from synthgan.data.schema import Schema
from synthgan.data.tokens import TokenLayout
from synthgan.errors import ParameterError
from synthgan.privacy.budget import PrivacyBudget, default_delta
from synthgan.privacy.data_layer import fit_private_data_layer
from synthgan.randomness import local_torch_rng, seed_or_random
from synthgan.training import train
from synthgan.training.callbacks import DivergenceGuard, History, ProgressBar, TimeBudget, ValidationCheck
from synthgan.training.private_likelihood import PrivateLikelihoodPhase
from synthgan.training.runtime import torch_threads

__all__ = ["DP_EPOCHS", "fit_private"]

DP_EPOCHS = 20  # passes over the rows (in expectation) when epochs= is not given
GAP_ROWS = 2_000  # rows sampled after each epoch to compare with the released marginals
# What the ordinary fit does with real rows that a DP fit cannot budget for, and what to do instead.
_UNBUDGETED = {
    "rules": (True, "rules found in the real rows are not private; leave rules off (the default under DP)"),
    "early_stopping": (
        True,
        "early stopping on held-out real rows is not budgeted; a DP fit keeps the epoch "
        "closest to its released marginals instead",
    ),
    "validation_share": (None, "held-out real rows are not budgeted; leave validation_share unset"),
    "refine": ("pairs", "refinement against the real rows' pair tables is not private; use refine='none'"),
    "lr_patience": (None, "the learning-rate schedule reads held-out real rows; leave lr_patience unset"),
}


def fit_private(
    syn: Any,
    model: Any,
    data: pd.DataFrame,
    discrete_columns: list[str] | None,
    schema: Schema | None,
    overrides: dict[str, str] | None,
) -> None:
    """Fit ``syn`` (an ARGANSynthesizer whose ``params_`` hold ``dp_epsilon``) with differential privacy."""
    params, given = syn.params_, syn.params
    _refuse_unbudgeted(given)
    rows = len(data)
    delta = params["dp_delta"] if params["dp_delta"] is not None else default_delta(rows)
    if delta >= 1 / rows:
        raise ParameterError(
            f"dp_delta={delta:g} is not below 1 / rows = {1 / rows:.3g}: a mechanism that publishes one random "
            f"row would meet it. Use dp_delta below {1 / rows:.1g} (the default is 1 / (10 x rows))."
        )
    budget = PrivacyBudget(
        params["dp_epsilon"], delta, params["dp_data_share"], params["dp_accountant"], float(params["dp_max_grad_norm"])
    )
    seed = params["seed"]
    layer = fit_private_data_layer(
        data,
        budget,
        params["dp_bounds"],
        np.random.default_rng(seed_or_random(seed)),
        discrete_columns=discrete_columns,
        overrides=overrides,
        schema=schema,
    )
    syn.transformer_, syn.target_, syn.rules_ = layer.transformer, None, []
    syn.tokens_ = TokenLayout(layer.transformer.layout)
    syn._check_network_fits()
    tokens = torch.from_numpy(syn.tokens_.encode(layer.transformer, layer.clean(data)))
    expected_batch = min(model.batch_size(rows) if params["batch_size"] else _dp_batch(rows), rows)
    steps_per_epoch = max(1, round(rows / expected_batch))
    epochs = params["epochs"] if "epochs" in given else DP_EPOCHS
    budget.plan_training(expected_batch / rows, epochs * steps_per_epoch)

    random = torch.Generator().manual_seed(seed_or_random(seed))
    with local_torch_rng(seed, syn.device_), torch_threads(params["threads"]):
        network = model.build_network(syn.tokens_.vocabularies, rows).to(syn.device_)
        refuse_batch_norm(network)
        frequencies = [torch.from_numpy(layer.frequencies[c.name]).float() for c in syn.tokens_.columns]
        network.start_from_frequencies(frequencies)
        syn.generator_ = network
        phase = PrivateLikelihoodPhase(
            network=network,
            optimizer=model.optimizer(network),
            tokens=tokens.to(syn.device_),
            budget=budget,
            expected_batch=expected_batch,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            fixed_share=model.fixed_share,
            random=random,
        )
        check = ValidationCheck(
            _marginal_gap(syn, frequencies, seed),
            network,
            keep_best=True,
            patience=None,
            name="released_marginal_gap",
            phase=phase.name,
        )
        history = History()
        callbacks = [
            DivergenceGuard("Lower learning_rate, or raise dp_epsilon."),
            check,
            history,
            TimeBudget(params["max_minutes"]),
            ProgressBar(params["verbose"], expected_batch * steps_per_epoch),
        ]
        network.train()
        run = train([phase], callbacks)
    network.eval()
    syn.history_ = history.records
    spent = budget.spent()
    if budget.steps == budget.planned_steps:
        reason = f"privacy budget spent: epsilon {spent:.3g} of {budget.epsilon:g} after {budget.steps:,} DP-SGD steps"
    else:
        reason = (
            f"{run.stop_reason or 'stopped'} after {budget.steps:,} of {budget.planned_steps:,} DP-SGD steps "
            f"(epsilon {spent:.3g} of {budget.epsilon:g} spent)"
        )
    syn.stop_reason_ = (
        f"{reason}; kept the weights of epoch {check.best_epoch} (samples closest to the released marginals)"
    )
    syn.privacy_ = {**budget.record(), **layer.summary(), "rows": rows, "expected_batch": expected_batch}


def _refuse_unbudgeted(given: dict[str, Any]) -> None:
    """Refuse the parameters in ``_UNBUDGETED`` at their harmful value (None there: any set value)."""
    for name, (harmful, advice) in _UNBUDGETED.items():
        if name in given and (bool(given[name]) if harmful is None else given[name] == harmful):
            raise ParameterError(f"{name}={given[name]!r} cannot be used with dp_epsilon: {advice}.")


def refuse_batch_norm(network: nn.Module) -> None:
    """BatchNorm mixes the rows of a batch, so one row's gradient is not its own: DP-SGD's clipping fails."""
    for name, module in network.named_modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            raise ParameterError(
                f"The network's layer {name!r} is a BatchNorm, which cannot train under differential privacy "
                "(it mixes rows, so per-row clipping bounds nothing). Use a network without it."
            )


def _dp_batch(rows: int) -> int:
    """DP-SGD's expected batch: large batches average the noise away (a 25th of the rows, 256 to 4,096)."""
    return int(min(4_096, max(256, rows // 25)))


def _marginal_gap(syn: Any, frequencies: list[torch.Tensor], seed: int | None):
    """Mean total-variation gap between sampled token shares and the released ones (lower is better)."""
    order = list(range(len(frequencies)))

    @torch.no_grad()
    def measure() -> float:
        network = syn.generator_
        network.eval()
        tables = network.draw_tables(order)
        tokens, _ = syn._draw(GAP_ROWS, order, {}, None, None, tables, torch.Generator().manual_seed(seed or 0))
        network.train()
        gaps = [
            0.5 * float((torch.bincount(tokens[:, j], minlength=len(f)).float() / GAP_ROWS - f).abs().sum())
            for j, f in enumerate(frequencies)
        ]
        return float(np.mean(gaps))

    return measure
