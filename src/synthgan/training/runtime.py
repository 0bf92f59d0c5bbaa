"""Where and how training runs: the device, the sampling precision and CPU threads.

Every family of models (tables, sequences, images) uses these, and no global state of the caller's
(torch's thread count) is left changed. Seeds and generators live in ``synthgan/randomness.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
