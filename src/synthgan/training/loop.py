"""THE training loop. Every model in synthgan trains here; models only supply phases.

A phase knows how to take one optimization step (an adversarial phase takes ``n_critic`` critic steps
and one generator step; sequence models add autoencoder and supervised phases). The loop runs each
phase's epochs, averages the step logs per epoch and hands them to callbacks, which draw progress,
keep history, guard against divergence, watch the time budget and decide on early stopping.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Phase(Protocol):
    name: str
    epochs: int
    steps_per_epoch: int

    def step(self) -> dict[str, float]: ...


class Callback:
    """Hooks called by :func:`train`; set ``run.stop = True`` to end training early, or
    ``run.end_phase = True`` to end the current phase and go on with the next."""

    def on_train_begin(self, run: Run) -> None: ...

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None: ...

    def on_phase_end(self, run: Run, phase: Phase) -> None: ...

    def on_train_end(self, run: Run) -> None: ...


@dataclass
class Run:
    """What callbacks can see and change while training runs."""

    phases: Sequence[Phase]
    epoch: int = 0  # epochs completed, over all phases
    started: float = field(default_factory=time.perf_counter)
    stop: bool = False
    stop_reason: str = ""
    end_phase: bool = False

    @property
    def total_epochs(self) -> int:
        return sum(phase.epochs for phase in self.phases)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def train(phases: Sequence[Phase], callbacks: Sequence[Callback] = ()) -> Run:
    """Run every phase's epochs in order, calling the callbacks after each epoch."""
    run = Run(phases)
    for callback in callbacks:
        callback.on_train_begin(run)
    try:
        for phase in phases:
            for _ in range(phase.epochs):
                totals: dict[str, float] = {}
                for _ in range(phase.steps_per_epoch):
                    for key, value in phase.step().items():
                        totals[key] = totals.get(key, 0.0) + value
                run.epoch += 1
                logs = {key: value / phase.steps_per_epoch for key, value in totals.items()}
                for callback in callbacks:
                    callback.on_epoch_end(run, phase, logs)
                if run.stop or run.end_phase:
                    break
            for callback in callbacks:
                callback.on_phase_end(run, phase)
            run.end_phase = False
            if run.stop:
                break
    finally:
        for callback in callbacks:
            callback.on_train_end(run)
    return run
