"""Scale on one machine: training argan with 1 process against ``--processes 2`` (training rows/s),
and sampling with one process (``synthgan sample``) against a 2-worker Dask LocalCluster
(``synthgan sample --dask``), rows/s and peak memory, on the embedded Adult table.

    python benchmarks/scale.py --rows 10000000            # prints JSON, keeps benchmarks/results/scale.json
    python benchmarks/scale.py --rows 10000000 --resume   # skips the stages already in the results file

Training: ``synthgan fit`` in a child process for a fixed number of likelihood epochs (no
refinement, no early stopping), 1 process with 2 torch threads against 2 processes with 1 each and
the same global batch; rows/s = epochs x training rows / the training seconds the command reports.

Each stage writes its result as soon as it ends. The single process runs the CLI in a child
process (its peak resident memory); the Dask run uses worker processes with one thread each and
reports each worker's peak resident memory, read inside the worker. Both write Parquet of the same rows (the
same seed); the row counts of both outputs are checked, and the first and last 50,000 rows compared.
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as pads
from common import RESULTS, machine, write_json

from synthgan import Synthesizer, load_dataset

OUTPUT = RESULTS / "scale.json"
SEED = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5, help="likelihood epochs of the training stage")
    parser.add_argument("--resume", action="store_true", help="keep the stages already in the results file")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    document = _read(args.output) if args.resume else {}
    document.update({"machine": machine(), "rows": args.rows, "workers": args.workers})
    work = Path(tempfile.mkdtemp(prefix="synthgan-scale-"))
    try:
        model = work / "adult.synth"
        Synthesizer("argan", epochs=2, seed=0, verbose=False).fit(load_dataset("adult")).save(model)
        training = document.setdefault("training", {})
        for processes in (1, 2):
            if str(processes) not in training:
                training[str(processes)] = _training(processes, args.epochs, work)
                write_json(document, args.output)
        if {"1", "2"} <= set(training):
            document["training_2_over_1_rows_per_s"] = training["2"]["rows_per_s"] / training["1"]["rows_per_s"]
        stages = document.setdefault("sampling", {})
        if "single_process" not in stages:
            stages["single_process"] = _single_process(model, args.rows, work / "single.parquet")
            write_json(document, args.output)
        if "dask" not in stages:
            stages["dask"] = _dask(model, args.rows, args.workers, work / "dask")
            write_json(document, args.output)
        single, dask = stages["single_process"], stages["dask"]
        document["dask_over_single_rows_per_s"] = dask["rows_per_s"] / single["rows_per_s"]
        if (work / "single.parquet").exists() and (work / "dask").exists():
            document["same_rows_checked"] = _same_rows(work / "single.parquet", work / "dask", args.rows)
        write_json(document, args.output)
        print(json.dumps(document, indent=2, default=str))
    finally:
        shutil.rmtree(work, ignore_errors=True)


# The CLI in a child process that prints its own peak RSS on exit (VmHWM is per process image;
# ru_maxrss would carry the parent's peak over the fork).
CLI_WITH_PEAK = (
    "import sys\n"
    "from synthgan.cli.app import run\n"
    "code = run(sys.argv[1:])\n"
    "print('peak_mb', peak_mb(), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _single_process(model: Path, rows: int, output: Path) -> dict:
    start = time.perf_counter()
    program = f"from pathlib import Path\n{inspect.getsource(peak_mb)}\n{CLI_WITH_PEAK}"
    arguments = ["sample", str(model), "--rows", str(rows), "--seed", str(SEED), "-o", str(output)]
    done = subprocess.run([sys.executable, "-c", program, *arguments], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = float(done.stderr.split("peak_mb")[-1])
    return {"seconds": seconds, "rows_per_s": rows / seconds, "peak_rss_mb": peak}


def _training(processes: int, epochs: int, work: Path) -> dict:
    table = work / "adult.csv"
    if not table.exists():
        load_dataset("adult").to_csv(table, index=False)
    batch = 512 // processes  # the same global batch
    arguments = ["fit", str(table), "--epochs", str(epochs), "--batch-size", str(batch), "-q", "--processes"]
    arguments += [str(processes), "-p", "refine=none", "-p", "early_stopping=false", "-o", str(work / "t.synth")]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "synthgan", *arguments], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    (work / "t.synth").unlink()
    seconds = float(done.stdout.split(" epochs in ")[1].split(" s ")[0])
    total = len(load_dataset("adult"))
    rows = total - int(0.1 * total)  # argan holds 10% of the rows out for validation
    return {"training_seconds": seconds, "wall_seconds": wall, "rows_per_s": epochs * rows / seconds}


def _dask(model: Path, rows: int, workers: int, folder: Path) -> dict:
    from distributed import Client, LocalCluster

    import synthgan.dask

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: None)  # workers up before the clock starts
        start = time.perf_counter()
        frame = synthgan.dask.sample(model, rows, seed=SEED)
        frame.to_parquet(folder, write_index=False)
        seconds = time.perf_counter() - start
        peaks = client.run(peak_mb)
    return {
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "partitions": frame.npartitions,
        "worker_peak_rss_mb": sorted(peaks.values()),
    }


def _same_rows(single: Path, dask: Path, rows: int) -> dict:
    one, many = pads.dataset(single), pads.dataset(dask)
    ends = {"first": list(range(min(rows, 50_000))), "last": list(range(max(0, rows - 50_000), rows))}
    checked: dict[str, object] = {"rows": [one.count_rows(), many.count_rows()]}
    for end, positions in ends.items():
        left, right = one.take(positions).to_pandas(), many.take(positions).to_pandas()
        try:  # Dask writes text as pyarrow strings, the CLI as plain strings: the values are compared
            pd.testing.assert_frame_equal(left, right, check_dtype=False)
            checked[f"{end}_50000_equal"] = True
        except AssertionError:
            checked[f"{end}_50000_equal"] = False
    return checked


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


if __name__ == "__main__":
    main()
