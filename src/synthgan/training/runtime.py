"""Where and how training runs: the device, seeds, local random state and CPU threads.

Every family of models (tables, sequences, images) uses these, so that a seed means the same thing
everywhere and no global state of the caller's (torch's random generator, its thread count) is left
changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from synthgan.errors import ParameterError


def resolve_device(name: str) -> torch.device:
    """``'auto'`` is the GPU when there is one, else the CPU; ``'cuda'`` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ParameterError("device='cuda' was asked for but no GPU is available. Use device='auto' or 'cpu'.")
    return torch.device(name)


def sample_dtype(precision: str, device: torch.device) -> torch.dtype:
    """The dtype of a generator's products when sampling: ``'auto'`` is bfloat16 on a CPU with AMX
    (Intel's matrix unit multiplies bfloat16 several times faster than float32), else float32."""
    if precision == "auto":
        has_amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
        return torch.bfloat16 if device.type == "cpu" and has_amx else torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[precision]


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


@contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run torch ops with ``threads`` intra-op threads, restoring the caller's setting after."""
    before = torch.get_num_threads()
    if threads is not None and threads != before:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


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
