"""Sampling on a Dask cluster: one request, many partitions, the rows of one ``sample`` call.

The parts are those of :mod:`synthgan.cluster` (whole seeded blocks that any process can make from
the model file); Dask runs them wherever it likes. Needs the optional extra:
``pip install "synthgan[dask]"``. Every worker must be able to read the model file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthgan.cluster import empty_frame, plan, sample_partition
from synthgan.errors import ParameterError

if TYPE_CHECKING:
    import dask.dataframe

__all__ = ["sample", "write_parquet"]

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
    Text columns come back as Dask's default string dtype.
    """
    try:
        import dask.dataframe as dd
    except ImportError:
        raise ParameterError(f"Sampling on Dask needs dask: {INSTALL}.") from None
    sampling = plan(model_path, rows, partitions, conditions, seed)
    return dd.from_map(
        lambda part: sample_partition(sampling, part),
        range(len(sampling.bounds)),
        meta=empty_frame(sampling),
        label="synthgan-sample",
        enforce_metadata=False,
    )


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
