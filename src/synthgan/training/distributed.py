"""Data-parallel training on torch.distributed: every process trains the same model on its share of
each batch, and the processes average their gradients after every backward pass.

Started by ``torchrun`` (or ``synthgan fit --processes N``, which runs it), each process reads the
whole table, fits the same encoders and builds the same network from the same seed. A step draws
one global batch of ``processes x batch_size`` rows from the shared seeded walk; process ``r`` takes
its ``r``-th share, computes its loss and gradients, and one ``all_reduce`` over a flat buffer
averages the gradients (no DDP wrapper: it works with any backward pass, gradient penalties
included). The optimizer steps are then the same everywhere, so the weights stay identical, and the
model equals one process trained with the global batch (up to float rounding).

Epoch logs are averaged across processes before callbacks see them, and process 0 decides when to
stop (time budget, early stopping), so every process ends at the same step.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import distributed

from synthgan.training.loop import Callback, Phase, Run

__all__ = ["SINGLE", "AgreeOnStop", "AverageLogs", "Shard", "process_group"]


@dataclass(frozen=True)
class Shard:
    """This process's place among ``world`` data-parallel processes (``world == 1``: no others)."""

    rank: int = 0
    world: int = 1
    local_world: int = 1

    @property
    def lead(self) -> bool:
        """The process that reports progress and writes files."""
        return self.rank == 0

    def part(self, rows: int) -> slice:
        """This process's share of a global batch of ``rows`` rows (contiguous, as equal as possible)."""
        return slice(rows * self.rank // self.world, rows * (self.rank + 1) // self.world)

    def average_gradients(self, parameters: Iterable[torch.nn.Parameter]) -> None:
        """Replace each gradient by its mean over the processes: one all_reduce of one flat buffer."""
        if self.world == 1:
            return
        grads = [p.grad for p in parameters if p.grad is not None]
        if not grads:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        distributed.all_reduce(flat)
        flat /= self.world
        at = 0
        for grad in grads:
            grad.copy_(flat[at : at + grad.numel()].view_as(grad))
            at += grad.numel()


SINGLE = Shard()


@contextmanager
def process_group(device: torch.device) -> Iterator[Shard]:
    """This process's shard: a single process, or its rank in the group torchrun described in the
    environment (``WORLD_SIZE`` > 1; gloo on CPUs, NCCL on GPUs).

    A group joined here is left here, after a barrier: a process that exits while its peer still
    holds the connection can be aborted by gloo. A group the caller made stays the caller's.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        yield SINGLE
        return
    joined = not distributed.is_initialized()
    if joined:
        distributed.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    try:
        yield Shard(distributed.get_rank(), distributed.get_world_size(), local_world)
    except BaseException:
        if joined:  # no barrier: a peer that failed elsewhere would never reach it
            distributed.destroy_process_group()
        raise
    if joined:
        distributed.barrier()
        distributed.destroy_process_group()


class AverageLogs(Callback):
    """First of the callbacks: each epoch's logs become their mean over the processes, so that
    callbacks reading them (divergence guard, learning-rate schedule, history) agree everywhere."""

    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        if self.shard.world == 1 or not logs:
            return
        keys = sorted(logs)
        values = torch.tensor([logs[key] for key in keys], dtype=torch.float64)
        distributed.all_reduce(values)
        logs.update({key: float(value) / self.shard.world for key, value in zip(keys, values, strict=True)})


class AgreeOnStop(Callback):
    """Last of the callbacks: every process takes process 0's decision to stop or end the phase
    (a time budget is read on each machine's clock, so only one may decide)."""

    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    def on_epoch_end(self, run: Run, phase: Phase, logs: dict[str, float]) -> None:
        if self.shard.world == 1:
            return
        flags = torch.tensor([run.stop, run.end_phase], dtype=torch.int32)
        distributed.broadcast(flags, src=0)
        stop, end_phase = bool(flags[0]), bool(flags[1])
        if stop and not run.stop:
            run.stop_reason = "stopped with process 0"
        run.stop, run.end_phase = stop, end_phase
