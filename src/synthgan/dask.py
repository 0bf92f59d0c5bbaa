"""Sampling on a Dask cluster: one request, many partitions, the rows of one ``sample`` call.

``sample(n, seed=s)`` is made of seeded blocks (block ``k`` from a seed mixed from ``(s, k)``), so
any process holding the model file can compute any slice of it (``Synthesizer.sample_slice``).
:func:`sample` splits a request into partitions along block boundaries and lets Dask run them
wherever it likes; the union is the rows one process would write, whatever the partition count.

Needs the optional extra: ``pip install "synthgan[dask]"``. Every worker must be able to read
``model_path`` (a shared file system, or the same file copied to each machine).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthgan.errors import ParameterError

if TYPE_CHECKING:
    import dask.dataframe

    from synthgan.synthesizer import Synthesizer

__all__ = ["partition_bounds", "sample", "sample_partition", "write_parquet"]

INSTALL = 'pip install "synthgan[dask]"'
CONNECT_SECONDS = 10


def sample(
    model_path: str | os.PathLike[str],
    rows: int,
    partitions: int | None = None,
    conditions: Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> dask.dataframe.DataFrame:
    """The rows of ``Synthesizer.load(model_path).sample(rows, conditions, seed)`` as a lazy
    ``dask.dataframe`` of ``partitions`` parts (default: one per seeded block, about 100,000 rows).

    Nothing is sampled until Dask computes it (``.to_parquet(folder)``, ``.compute()``); each part
    loads the model file once per worker process and holds only its own rows. ``seed`` defaults to
    the model's fit seed; a model fitted without one gets a fresh seed here, fixed for every part.
    """
    try:
        import dask.dataframe as dd
    except ImportError:
        raise ParameterError(f"Sampling on Dask needs dask: {INSTALL}.") from None
    from synthgan.randomness import seed_or_random

    path = str(Path(model_path).resolve())
    synthesizer = _load(path, *_stamp(path), threading.get_ident())
    if synthesizer.family == "image":
        raise ParameterError(f"{synthesizer.model!r} makes images; Dask sampling is for table and sequence models.")
    synthesizer._check_count(rows, synthesizer.noun, 0, name="rows")
    base = seed_or_random(synthesizer.params_["seed"] if seed is None else seed)
    bounds = partition_bounds(rows, partitions, synthesizer._items_per_block())
    empty = synthesizer.sample_slice(rows, 0, 0, conditions, base)  # checks the conditions, gives the dtypes
    return dd.from_map(
        sample_partition,
        bounds,
        path=path,
        rows=rows,
        conditions=dict(conditions) if conditions else None,
        seed=base,
        meta=empty,
        divisions=None,
        label="synthgan-sample",
        enforce_metadata=False,
    )


def partition_bounds(rows: int, partitions: int | None, block: int) -> list[tuple[int, int]]:
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


def sample_partition(
    bounds: tuple[int, int], *, path: str, rows: int, conditions: dict[str, Any] | None, seed: int
) -> Any:
    """Rows ``start:stop`` of the request, computed on a worker (one torch thread per task)."""
    start, stop = bounds
    synthesizer = _load(path, *_stamp(path), threading.get_ident())
    frame = synthesizer.sample_slice(rows, start, stop, conditions, seed)
    frame.index = range(start * _rows_per_item(synthesizer), start * _rows_per_item(synthesizer) + len(frame))
    return frame


def _rows_per_item(synthesizer: Synthesizer) -> int:
    return synthesizer.sequence_length_ if synthesizer.family == "sequence" else 1


def _stamp(path: str) -> tuple[int, int]:
    """Size and modification time: a model file rewritten in place is loaded again."""
    try:
        status = os.stat(path)
    except OSError:
        from synthgan.errors import ModelFileError

        raise ModelFileError(f"No model file at {path} on this machine: every Dask worker must read it.") from None
    return status.st_size, status.st_mtime_ns


@lru_cache(maxsize=16)
def _load(path: str, size: int, modified: int, thread: int) -> Synthesizer:
    """One loaded model per file version and worker thread (sampling is not shared across threads)."""
    from synthgan.synthesizer import Synthesizer

    synthesizer = Synthesizer.load(path)
    synthesizer.params_["sample_threads"] = 1  # a worker runs one task per thread
    return synthesizer


def write_parquet(
    model_path: str | os.PathLike[str],
    rows: int,
    folder: str | os.PathLike[str],
    scheduler: str,
    partitions: int | None = None,
    conditions: Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> int:
    """Write the request into ``folder`` (new or empty), one Parquet file per part, on the Dask
    scheduler at ``scheduler`` ("local": a cluster of this machine's cores, one process each).

    The folder appears whole or not at all. Returns the number of files written.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError(f"Sampling on Dask needs dask.distributed: {INSTALL}.") from None
    from synthgan.files import atomic_folder

    frame = sample(model_path, rows, partitions, conditions, seed)
    with atomic_folder(folder) as staging:
        if scheduler == "local":
            cluster = LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None)
            with cluster, Client(cluster):
                frame.to_parquet(staging, write_index=False)
        else:
            with _connect(Client, scheduler):
                frame.to_parquet(staging, write_index=False)
        return sum(1 for path in Path(staging).iterdir() if path.suffix == ".parquet")


def _connect(client_class: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler``, or one ParameterError naming the address."""
    try:
        return client_class(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise ParameterError(
            f"Cannot reach a Dask scheduler at {scheduler!r} ({type(error).__name__}: {str(error)[:200]}). "
            "Give its address (tcp://host:8786) or 'local' for a cluster on this machine."
        ) from None
