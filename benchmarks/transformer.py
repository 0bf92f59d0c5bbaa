"""Transformer speed on the full BRFSS diabetes table, next to CTGAN's DataTransformer; prints JSON.

    python benchmarks/transformer.py            # BRFSS (253,680 rows) + scaling to 1M rows
    python benchmarks/transformer.py --no-peer  # skip the ctgan package (slow)

How it measures:

- Each measurement runs in a fresh process, so imports, caches and memory are its own.
- Time: wall clock (``time.perf_counter``) of ``fit``, ``transform`` and ``inverse_transform``.
- Memory, two figures per process: ``peak_rss_mb`` is the process's peak resident set size
  (``ru_maxrss``: interpreter, libraries and the loaded table included); ``phase_peak_mb`` is, per
  phase, the highest resident size seen during the phase above the size at its start, read from
  /proc/self/statm every 2 ms by a background thread (what the phase itself adds; a spike shorter
  than 2 ms can be missed).
- Both transformers get the same table; ctgan gets the discrete columns that datasets.json lists.
- The two run alternately, ``--repeats`` times each (default 3), and each side's fastest run (by
  fit + transform) is reported: on a shared machine the fastest run is the one least slowed by
  other work, and alternating exposes both sides to the same background load. Every run's
  fit + transform seconds are listed too.
- Ours is also checked: ``inverse_transform(transform(df))`` must give back ``df``.
- Scaling: fit time at 100k, 250k, 500k and 1M rows (resampled with replacement from BRFSS) for
  three seeds each. The seed changes the mixtures' random subsample, and with it how many EM
  iterations they need; the median and the range are reported, with the EM iterations and the
  milliseconds per iteration (which should not depend on rows: the subsample has a fixed size), and
  the fit time without the mixture fits (the part that is a pass over the rows).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import emit, machine, peak_rss_mb

DATASET = "diabetes_binary_brfss2015"
SIZES = (100_000, 250_000, 500_000, 1_000_000)
SEEDS = (0, 1, 2)
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


class _PhaseMemory:
    """Peak resident memory above the phase's starting point, sampled by a background thread."""

    def __init__(self, interval_s: float = 0.002) -> None:
        self.interval_s = interval_s
        self.peaks: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        start = _rss_mb()
        peak = [start]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss_mb())
                done.wait(self.interval_s)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            self.peaks[name] = round(max(peak[0], _rss_mb()) - start, 1)


def _table(rows: int | None):
    from synthgan import datasets

    df = datasets.load(DATASET)
    if rows is not None and rows != len(df):
        df = df.sample(rows, replace=rows > len(df), random_state=0).reset_index(drop=True)
    return df


def _time_round_trip(transformer, df, fit_args: tuple = ()) -> tuple[dict, object]:
    """Seconds and memory to fit, transform and inverse-transform ``df``; also the decoded table."""
    memory = _PhaseMemory()
    with memory.phase("fit"):
        start = time.perf_counter()
        transformer.fit(df, *fit_args)
        fit_s = time.perf_counter() - start
    with memory.phase("transform"):
        start = time.perf_counter()
        matrix = transformer.transform(df)
        transform_s = time.perf_counter() - start
    with memory.phase("inverse"):
        start = time.perf_counter()
        back = transformer.inverse_transform(matrix)
        inverse_s = time.perf_counter() - start
    figures = {
        "rows": len(df),
        "fit_s": fit_s,
        "transform_s": transform_s,
        "inverse_s": inverse_s,
        "width": matrix.shape[1],
        "matrix_mb": round(matrix.nbytes / 2**20, 1),
        "phase_peak_mb": memory.peaks,
        "peak_rss_mb": peak_rss_mb(),
    }
    return figures, back


def measure_ours(rows: int | None, seed: int = 0) -> dict:
    import pandas as pd

    import synthgan.data.numeric as numeric
    from synthgan.data import Transformer

    # Time the mixture fits apart: they run on a fixed-size subsample, so their cost depends on how
    # fast EM converges on that subsample, not on the number of rows; everything else is a pass over rows.
    fit_modes, spent = numeric._fit_modes, [0.0]

    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = fit_modes(*args, **kwargs)
        spent[0] += time.perf_counter() - start
        return result

    iterations = [0]

    class CountedMixture(numeric.BayesianGaussianMixture):
        def fit(self, X, y=None):
            fitted = super().fit(X, y)
            iterations[0] += self.n_iter_
            return fitted

    numeric._fit_modes = timed
    numeric.BayesianGaussianMixture = CountedMixture
    df = _table(rows)
    figures, back = _time_round_trip(Transformer(seed=seed), df)
    try:
        pd.testing.assert_frame_equal(back, df)
        exact = True
    except AssertionError:
        exact = False
    return {
        **figures,
        "mixture_fit_s": spent[0],
        "mixture_em_iterations": iterations[0],
        "mixture_ms_per_iteration": 1000 * spent[0] / max(iterations[0], 1),
        "fit_without_mixtures_s": figures["fit_s"] - spent[0],
        "round_trip_exact": exact,
    }


def measure_ctgan(rows: int | None) -> dict:
    from ctgan.data_transformer import DataTransformer

    from synthgan import datasets

    discrete = datasets.info(DATASET)["categorical"]
    figures, _ = _time_round_trip(DataTransformer(), _table(rows), (discrete,))
    return {**figures, "discrete_columns": len(discrete)}


def _in_process(which: str, rows: int | None = None, seed: int = 0) -> dict:
    command = [sys.executable, __file__, "--one", which, "--seed", str(seed)] + (["--rows", str(rows)] if rows else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return {
        key: round(value, 3) if isinstance(value, float) else value
        for key, value in json.loads(done.stdout.strip().splitlines()[-1]).items()
    }


def _fit_plus_transform(run: dict) -> float:
    return round(run["fit_s"] + run["transform_s"], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-peer", action="store_true", help="Skip CTGAN's DataTransformer.")
    parser.add_argument("--no-save", action="store_true", help="Print only; keep benchmarks/results/ as it is.")
    parser.add_argument("--repeats", type=int, default=3, help="Runs per transformer (fastest is kept).")
    parser.add_argument("--one", choices=["ours", "ctgan"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = measure_ours(args.rows, args.seed) if args.one == "ours" else measure_ctgan(args.rows)
        print(json.dumps(result))
        return
    load_before = round(os.getloadavg()[0], 2)
    ours_runs, peer_runs = [], []
    for _ in range(args.repeats):
        ours_runs.append(_in_process("ours"))
        if not args.no_peer:
            peer_runs.append(_in_process("ctgan"))
    ours = min(ours_runs, key=_fit_plus_transform)
    result = {"benchmark": "transformer", "dataset": DATASET, "machine": machine(), "repeats": args.repeats}
    result["synthgan"] = {**ours, "all_fit_plus_transform_s": [_fit_plus_transform(r) for r in ours_runs]}
    if not args.no_peer:
        peer = min(peer_runs, key=_fit_plus_transform)
        result["ctgan_DataTransformer"] = {
            **peer,
            "all_fit_plus_transform_s": [_fit_plus_transform(r) for r in peer_runs],
        }
        result["speedup_fit_plus_transform"] = round(
            (peer["fit_s"] + peer["transform_s"]) / (ours["fit_s"] + ours["transform_s"]), 1
        )
        result["speedup_inverse"] = round(peer["inverse_s"] / ours["inverse_s"], 1)
    # Seed-major order: a change in background load during the loop hits every size alike.
    runs: dict[int, list[dict]] = {rows: [] for rows in SIZES}
    for seed in SEEDS:
        for rows in SIZES:
            runs[rows].append(_in_process("ours", rows, seed))
    result["scaling_seeds"] = list(SEEDS)
    result["scaling_fit_s_median"] = {rows: statistics.median(r["fit_s"] for r in rs) for rows, rs in runs.items()}
    result["scaling_fit_s_range"] = {
        rows: [min(r["fit_s"] for r in rs), max(r["fit_s"] for r in rs)] for rows, rs in runs.items()
    }
    result["scaling_mixture_fit_s_median"] = {
        rows: statistics.median(r["mixture_fit_s"] for r in rs) for rows, rs in runs.items()
    }
    result["scaling_em_iterations"] = {rows: [r["mixture_em_iterations"] for r in rs] for rows, rs in runs.items()}
    result["scaling_ms_per_em_iteration_median"] = {
        rows: statistics.median(r["mixture_ms_per_iteration"] for r in rs) for rows, rs in runs.items()
    }
    result["scaling_fit_without_mixtures_s_median"] = {
        rows: statistics.median(r["fit_without_mixtures_s"] for r in rs) for rows, rs in runs.items()
    }
    result["scaling_transform_s_median"] = {
        rows: statistics.median(r["transform_s"] for r in rs) for rows, rs in runs.items()
    }
    result["scaling_round_trip_exact"] = all(r["round_trip_exact"] for rs in runs.values() for r in rs)
    result["load_average_1m"] = {"start": load_before, "end": round(os.getloadavg()[0], 2)}
    emit(result, None if args.no_save else "transformer")


if __name__ == "__main__":
    main()
