"""Transformer speed on the full BRFSS diabetes table, next to CTGAN's DataTransformer; prints JSON.

    python benchmarks/transformer.py            # BRFSS (253,680 rows) + scaling to 1M rows
    python benchmarks/transformer.py --no-peer  # skip the ctgan package (slow)

Each measurement runs in a fresh process so its peak memory (ru_maxrss) is its own. Scaling:
fit time at 100k, 250k, 500k and 1M rows (resampled with replacement from BRFSS), best of three.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import emit, machine, peak_rss_mb

DATASET = "diabetes_binary_brfss2015"


def _table(rows: int | None):
    from synthgan import datasets

    df = datasets.load(DATASET)
    if rows is not None and rows != len(df):
        df = df.sample(rows, replace=rows > len(df), random_state=0).reset_index(drop=True)
    return df


def _time_round_trip(transformer, df, fit_args: tuple = ()) -> dict:
    """Seconds to fit, transform and inverse-transform ``df``, the matrix width and peak memory."""
    start = time.perf_counter()
    transformer.fit(df, *fit_args)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    matrix = transformer.transform(df)
    transform_s = time.perf_counter() - start
    start = time.perf_counter()
    transformer.inverse_transform(matrix)
    inverse_s = time.perf_counter() - start
    return {
        "rows": len(df),
        "fit_s": fit_s,
        "transform_s": transform_s,
        "inverse_s": inverse_s,
        "width": matrix.shape[1],
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_ours(rows: int | None) -> dict:
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

    numeric._fit_modes = timed
    figures = _time_round_trip(Transformer(seed=0), _table(rows))
    return {**figures, "mixture_fit_s": spent[0], "fit_without_mixtures_s": figures["fit_s"] - spent[0]}


def measure_ctgan(rows: int | None) -> dict:
    from ctgan.data_transformer import DataTransformer

    from synthgan import datasets

    discrete = datasets.info(DATASET)["categorical"]
    return _time_round_trip(DataTransformer(), _table(rows), (discrete,))


def _in_process(which: str, rows: int | None) -> dict:
    command = [sys.executable, __file__, "--one", which] + (["--rows", str(rows)] if rows else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return {
        key: round(value, 3) if isinstance(value, float) else value
        for key, value in json.loads(done.stdout.strip().splitlines()[-1]).items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-peer", action="store_true", help="Skip CTGAN's DataTransformer.")
    parser.add_argument("--one", choices=["ours", "ctgan"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps((measure_ours if args.one == "ours" else measure_ctgan)(args.rows)))
        return
    ours = _in_process("ours", None)
    result = {"benchmark": "transformer", "dataset": DATASET, "machine": machine(), "synthgan": ours}
    if not args.no_peer:
        peer = _in_process("ctgan", None)
        result["ctgan_DataTransformer"] = peer
        result["speedup_fit_plus_transform"] = round(
            (peer["fit_s"] + peer["transform_s"]) / (ours["fit_s"] + ours["transform_s"]), 1
        )
        result["speedup_inverse"] = round(peer["inverse_s"] / ours["inverse_s"], 1)
    # Best of three per size: fit time is what the code costs, not what a busy machine adds.
    sizes = (100_000, 250_000, 500_000, 1_000_000)
    runs = {rows: min((_in_process("ours", rows) for _ in range(3)), key=lambda run: run["fit_s"]) for rows in sizes}
    result["scaling_fit_s"] = {rows: run["fit_s"] for rows, run in runs.items()}
    result["scaling_fit_without_mixtures_s"] = {rows: run["fit_without_mixtures_s"] for rows, run in runs.items()}
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    emit(result, "transformer")


if __name__ == "__main__":
    main()
