"""Sampling anywhere: a request of n rows cut into parts that any process can make on its own.

``sample(n, seed=s)`` is made of seeded blocks (block ``k`` from a seed mixed from ``(s, k)``), so a
process holding the model file computes any slice of it (``Synthesizer.sample_slice``). A
:class:`SamplingPlan` fixes what every part needs (the file, the row count, the conditions, the seed,
each part's rows); :func:`sample_partition` makes one part. Engines (Dask in ``synthgan.dask``,
Spark's ``mapInPandas``, Ray Data's ``map_batches``: see docs/scale.md) only run parts; the parts
joined in order are the rows of one ``sample`` call, whatever the part count.

Every worker must be able to read the model file (a shared file system, or the same file copied to
each machine).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthgan.errors import ModelFileError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from synthgan.synthesizer import Synthesizer

__all__ = ["SamplingPlan", "empty_frame", "load_cached", "plan", "sample_partition", "split_rows"]


@dataclass(frozen=True)
class SamplingPlan:
    """What every part of a request needs; plain values, so engines can ship it to workers."""

    path: str
    rows: int
    conditions: dict[str, Any] | None
    seed: int
    bounds: list[tuple[int, int]]


def plan(
    model_path: str | os.PathLike[str],
    rows: int,
    partitions: int | None = None,
    conditions: Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> SamplingPlan:
    """Plan ``Synthesizer.load(model_path).sample(rows, conditions, seed)`` as ``partitions`` parts
    (default: one per seeded block, about 100,000 rows each).

    ``seed`` defaults to the model's fit seed; a model fitted without one gets a fresh seed here,
    the same for every part. The model file and the conditions are checked now, on the caller.
    """
    if not isinstance(model_path, str | os.PathLike):
        raise ParameterError(f"model_path must be a model file's path, got {type(model_path).__name__}.")
    path = str(Path(model_path).resolve())
    synthesizer = load_cached(path)
    if synthesizer.family == "image":
        raise ParameterError(f"{synthesizer.model!r} makes images; parted sampling is for table and sequence models.")
    synthesizer._check_count(rows, synthesizer.noun, 0, name="rows")
    base = synthesizer._sample_seed(seed)
    conditions = dict(conditions) if conditions else None
    synthesizer.sample_slice(rows, 0, 0, conditions, base)  # a bad condition is refused here, not on a worker
    return SamplingPlan(path, rows, conditions, base, split_rows(rows, partitions, synthesizer._items_per_block()))


def split_rows(rows: int, partitions: int | None, block: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each part: whole seeded blocks each (so no block is drawn twice), as even
    as blocks allow; never more parts than blocks."""
    blocks = max(1, -(-rows // block))
    if partitions is None:
        partitions = blocks
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ParameterError(f"partitions must be a positive integer (or None for one per block), got {partitions!r}.")
    parts = min(partitions, blocks)
    edges = [min(rows, (blocks * part // parts) * block) for part in range(parts + 1)]
    return list(pairwise(edges))


def sample_partition(sampling: SamplingPlan, part: int) -> pd.DataFrame:
    """Part ``part`` of the plan: its rows, indexed by their position in the whole sample."""
    start, stop = sampling.bounds[part]
    synthesizer = load_cached(sampling.path)
    frame = synthesizer.sample_slice(sampling.rows, start, stop, sampling.conditions, sampling.seed)
    first = start * (synthesizer.sequence_length_ if synthesizer.family == "sequence" else 1)
    frame.index = range(first, first + len(frame))
    return frame


def empty_frame(sampling: SamplingPlan) -> pd.DataFrame:
    """No rows, the sample's columns and dtypes (what engines call the schema or ``meta``)."""
    return load_cached(sampling.path).sample_slice(sampling.rows, 0, 0, sampling.conditions, sampling.seed)


def load_cached(path: str) -> Synthesizer:
    """The model at ``path``, loaded once per file version and thread of this process."""
    try:
        status = os.stat(path)
    except OSError:
        raise ModelFileError(f"No model file at {path} on this machine: every worker must read it.") from None
    return _load(path, status.st_size, status.st_mtime_ns, threading.get_ident())


@lru_cache(maxsize=16)
def _load(path: str, size: int, modified: int, thread: int) -> Synthesizer:
    from synthgan.synthesizer import Synthesizer

    synthesizer = Synthesizer.load(path)
    synthesizer.params_["sample_threads"] = 1  # a worker runs one part per thread; rows do not depend on it
    return synthesizer
