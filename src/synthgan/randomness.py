"""What a seed means in synthgan: seeds checked, derived for sample blocks, and local generators.

A seed becomes local generators (``torch.Generator``, ``numpy.random.Generator``); torch's global
generator is only ever forked (:func:`local_torch_rng`), never left changed. Every layer that draws
(networks, losses, training, sampling) takes its numbers from here, so this module depends on
nothing else of synthgan but its errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from synthgan.errors import ParameterError

__all__ = ["block_seed", "local_torch_rng", "rand", "randn", "seed_or_random"]


def seed_or_random(seed: int | None) -> int:
    """``seed`` itself, or fresh entropy when it is None; a ParameterError for anything else."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise ParameterError(f"seed must be an integer from 0 to 2**63 - 1 (or None for a fresh one), got {seed!r}.")
    return int(seed)


@contextmanager
def local_torch_rng(seed: int | None, device: torch.device) -> Iterator[None]:
    """Seed torch's default generator for weight init and dropout, restoring the caller's state after.

    Layers such as ``nn.Linear`` and ``nn.Dropout`` draw from torch's global generator; forking it
    makes them reproducible without leaving any trace on the caller's random state.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed_or_random(seed))
        yield


def rand(shape: tuple[int, ...] | torch.Size, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """Uniform [0, 1) numbers drawn by ``generator`` on its own device, placed on ``device``.

    Drawing where the generator lives lets one CPU generator drive training on a GPU (torch refuses a
    CPU generator for a CUDA tensor) and gives the same numbers on either device.
    """
    where = generator.device if generator is not None else device
    return torch.rand(shape, generator=generator, device=where).to(device)


def randn(shape: tuple[int, ...] | torch.Size, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """Standard normal numbers drawn by ``generator`` on its own device, placed on ``device`` (see :func:`rand`)."""
    where = generator.device if generator is not None else device
    return torch.randn(shape, generator=generator, device=where).to(device)


def block_seed(seed: int, index: int) -> int:
    """The seed of the ``index``-th block of a sample drawn with ``seed``.

    Block 0 keeps ``seed`` itself, so a sample of one block is what it always was; later blocks get
    independent seeds mixed from ``(seed, index)`` (``seed + index`` would make block 1 of seed 0
    the same rows as block 0 of seed 1).
    """
    if index == 0:
        return seed
    return int(np.random.SeedSequence([seed, index]).generate_state(1, np.uint64)[0] >> np.uint64(1))
