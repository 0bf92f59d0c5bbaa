"""Callbacks of the training loop: progress, history, divergence guard, time budget, best-generator keeping."""

from __future__ import annotations

import copy
import math
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from synthgan.errors import TrainingError
from synthgan.training.loop import Callback, Phase, Run
from synthgan.training.monitoring import Signals

# A loss beyond this magnitude means the networks have left any useful regime.
EXPLODED = 1e6
# Mode collapse: a column produces under half of its common levels, or numeric spread falls under a
# fifth of the real one, for this many fidelity checks in a row.
COLLAPSED_COVERAGE, COLLAPSED_SPREAD, COLLAPSE_CHECKS = 0.5, 0.2, 3


class ProgressBar(Callback):
    """A rich progress bar with epoch, losses and rows per second; shown on a terminal or when verbose.

    ``rows_per_epoch`` may depend on the phase (a callable of it); ``unit`` names what is counted.
    """

    def __init__(self, verbose: bool | None, rows_per_epoch: int | Callable[[Phase], int], unit: str = "rows") -> None:
        self.enabled = sys.stderr.isatty() if verbose is None else verbose
        self.rows_per_epoch = rows_per_epoch
        self.unit = unit
        self._progress = None

    def on_train_begin(self, run: Run) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("train", total=run.total_epochs, info="")
        self._last = time.perf_counter()

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        if self._progress is None:
            return
        now = time.perf_counter()
        rows = self.rows_per_epoch(phase) if callable(self.rows_per_epoch) else self.rows_per_epoch
        speed = rows / max(now - self._last, 1e-9)
        self._last = now
        losses = "  ".join(f"{key.removesuffix('_loss')} {value:+.3f}" for key, value in logs.items() if "loss" in key)
        stage = f"{phase.name}  " if len(run.phases) > 1 else ""
        self._progress.update(self._task, completed=run.epoch, info=f"{stage}{losses}  {speed:,.0f} {self.unit}/s")

    def on_train_end(self, run: Run) -> None:
        if self._progress is not None:
            self._progress.stop()


class History(Callback):
    """Keeps one record per epoch: phase, seconds, losses and any signals added by earlier callbacks."""

    def __init__(self) -> None:
        self.records: list[dict[str, float | str]] = []

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        self.records.append({"epoch": run.epoch, "phase": phase.name, "seconds": round(run.seconds, 3), **logs})


class DivergenceGuard(Callback):
    """Stops with a clear error when a loss becomes NaN, infinite or explodes; ``advice`` says what to try."""

    def __init__(
        self,
        advice: str = "Lower the learning rates (generator_lr, critic_lr), or use a model with a gradient "
        "penalty such as 'wgangp' or 'ctgan'.",
    ) -> None:
        self.advice = advice

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            if "loss" in key and (not math.isfinite(value) or abs(value) > EXPLODED):
                raise TrainingError(
                    f"Training diverged at epoch {run.epoch} ({phase.name}): {key} = {value}. {self.advice}"
                )


class TimeBudget(Callback):
    """Ends training once ``max_minutes`` have passed (checked after every epoch).

    With ``phase_shares`` (phase name -> share of the budget), training that runs several phases in
    turn gives each its share: a phase still running when its share (plus whatever earlier phases
    left unused) is spent ends there and the next phase starts, so the last phases are not starved.
    """

    def __init__(self, max_minutes: float | None, phase_shares: dict[str, float] | None = None) -> None:
        self.max_seconds = None if max_minutes is None else 60 * max_minutes
        self.phase_shares = phase_shares
        self.cut: list[str] = []  # phases ended early by the budget

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        if self.max_seconds is None:
            return
        last = phase is run.phases[-1]
        if self.phase_shares and not last:
            names = [p.name for p in run.phases]
            done = sum(self.phase_shares.get(name, 0.0) for name in names[: names.index(phase.name) + 1])
            if run.seconds >= done * self.max_seconds:
                run.end_phase = True
                self.cut.append(phase.name)
            return
        if run.seconds >= self.max_seconds:
            run.stop, run.stop_reason = True, f"time budget of {self.max_seconds / 60:g} minutes reached"
            if self.cut:
                run.stop_reason += f" (phases cut short: {', '.join(self.cut)})"


class FidelityCheck(Callback):
    """Every few epochs: measure fidelity and diversity of generated rows; keep the best generator.

    ``measure`` generates rows and compares them with held-out real rows (see monitoring.py). With
    ``keep_best`` the weights of the best-scoring generator are restored when training ends, and
    ``patience`` checks without improvement stop training early. A collapse of diversity (a column
    losing most of its common levels, or numeric spread shrinking to a fraction) raises a warning.
    """

    def __init__(
        self,
        measure: Callable[[], Signals],
        module: nn.Module,
        every: int,
        keep_best: bool,
        patience: int | None,
        collapse_advice: str = "Try more epochs or a lower learning rate.",
    ) -> None:
        self.measure, self.module, self.every = measure, module, every
        self.collapse_advice = collapse_advice
        self.keep_best, self.patience = keep_best, patience
        self.best_score, self.best_epoch, self.best_state = -np.inf, 0, None
        self.checks_since_best = 0
        self.collapsed_checks = 0
        self.warned = False

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        if run.epoch % self.every and run.epoch != run.total_epochs:
            return
        signals = self.measure()
        logs.update(
            fidelity=signals.fidelity,
            column_shapes=signals.shapes,
            pair_trends=signals.pairs,
            level_coverage=signals.coverage,
            spread_ratio=signals.spread,
        )
        # One collapsed check is often a transient of early training; several in a row are not.
        collapsed = signals.coverage < COLLAPSED_COVERAGE or signals.spread < COLLAPSED_SPREAD
        self.collapsed_checks = self.collapsed_checks + 1 if collapsed else 0
        if self.collapsed_checks >= COLLAPSE_CHECKS and not self.warned:
            self.warned = True
            warnings.warn(
                f"Possible mode collapse at epoch {run.epoch}: level coverage {signals.coverage:.2f}, "
                f"spread ratio {signals.spread:.2f} for {COLLAPSE_CHECKS} checks in a row (see .history). "
                + self.collapse_advice,
                RuntimeWarning,
                stacklevel=2,
            )
        if signals.fidelity > self.best_score:
            self.best_score, self.best_epoch, self.checks_since_best = signals.fidelity, run.epoch, 0
            if self.keep_best:
                self.best_state = copy.deepcopy(self.module.state_dict())
        else:
            self.checks_since_best += 1
            if self.keep_best and self.patience is not None and self.checks_since_best >= self.patience:
                run.stop, run.stop_reason = True, f"no fidelity gain in {self.patience} checks"

    def on_train_end(self, run: Run) -> None:
        if self.keep_best and self.best_state is not None:
            self.module.load_state_dict(self.best_state)


class ValidationCheck(Callback):
    """After every epoch: a held-out loss (lower is better); keep the best weights, stop when it stalls.

    ``measure`` returns the loss (``argan``: the negative log-likelihood of held-out rows); it is
    logged in every phase. Only epochs of the phase named ``phase`` count: with ``keep_best`` the
    weights of its best epoch are restored when that phase ends, and ``patience`` epochs without a
    gain of ``min_delta`` end it early (later phases, such as a refinement, still run).
    """

    def __init__(
        self,
        measure: Callable[[], float],
        module: nn.Module,
        keep_best: bool,
        patience: int | None,
        name: str = "validation_loss",
        min_delta: float = 1e-4,
        phase: str = "likelihood",
    ) -> None:
        self.measure, self.module, self.keep_best, self.patience = measure, module, keep_best, patience
        self.name, self.min_delta, self.phase = name, min_delta, phase
        self.best, self.best_epoch, self.best_state, self.since_best = math.inf, 0, None, 0
        self.stop_reason = ""

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        value = self.measure()
        logs[self.name] = value
        if phase.name != self.phase:
            return
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.since_best = value, run.epoch, 0
            if self.keep_best:
                self.best_state = copy.deepcopy(self.module.state_dict())
            return
        self.since_best += 1
        if self.keep_best and self.patience is not None and self.since_best >= self.patience:
            run.end_phase = True
            self.stop_reason = f"no {self.name.replace('_', ' ')} gain in {self.patience} epochs"

    def on_phase_end(self, run: Run, phase: Phase) -> None:
        if phase.name == self.phase and self.keep_best and self.best_state is not None:
            self.module.load_state_dict(self.best_state)


class ReduceLearningRate(Callback):
    """Lower the learning rate when a logged loss stalls, by torch's ``ReduceLROnPlateau``.

    Reads ``logs[key]`` (written by an earlier callback such as :class:`ValidationCheck`) in the
    epochs of ``phase`` and logs the learning rate in force for the next epoch.
    """

    def __init__(
        self, optimizer, key: str = "validation_loss", patience: int = 2, factor: float = 0.5, phase: str = "likelihood"
    ) -> None:
        self.optimizer, self.key, self.phase = optimizer, key, phase
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=factor, patience=patience - 1, threshold=1e-4, threshold_mode="abs"
        )

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        value = logs.get(self.key)
        if value is None or phase.name != self.phase:
            return
        self.scheduler.step(value)
        logs["learning_rate"] = self.optimizer.param_groups[0]["lr"]
