"""TimeGAN on the paper's benchmarks (Google stock, appliances energy); print JSON.

    python benchmarks/timeseries.py --iterations 3000                # both datasets
    python benchmarks/timeseries.py --datasets stock_data --iterations 3000 --repeats 5
    python benchmarks/timeseries.py --quick                          # tiny run: keeps the script working
    python benchmarks/timeseries.py --profile                        # ms per iteration of each phase

The protocol is the paper's (Yoon et al. 2019, jsyoon0823/TimeGAN): every sliding window of 24 steps
of the series (stock_data: 6 features, no time column; appliances_energy: its 28 features, the date
column dropped), as many synthetic sequences as real windows, the discriminative and predictive
scores on features min-max scaled with the real ranges, repeated ``--repeats`` times (the paper: 10).
The discriminative score is reported with the paper's 2-layer classifier and with the authors'
code's 1-layer one. Wall time and seconds per iteration are measured on one thread, with the load
average of the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import RESULTS, emit, machine, peak_rss_mb

# Published TimeGAN figures (Yoon et al. 2019, Table 2 and 3): mean over 10 runs.
PAPER = {
    "stock_data": {"discriminative": 0.102, "predictive": 0.038, "predictive_real": 0.036},
    "appliances_energy": {"discriminative": 0.236, "predictive": 0.273, "predictive_real": 0.250},
}
SEQUENCE_LENGTH = 24


def load(name: str):
    from synthgan import datasets

    table = datasets.load(name)
    return table.drop(columns=["date"]) if "date" in table else table


def run(
    name: str, iterations: int, pretrain: int | None, repeats: int, seed: int, quick: bool, keep: str | None = None
) -> dict:
    from synthgan import Synthesizer
    from synthgan.evaluation import evaluate_sequences
    from synthgan.evaluation.sequences import discriminative_score, encode_windows

    table = load(name)
    if quick:
        table = table.iloc[:400]
    params = {"sequence_length": SEQUENCE_LENGTH, "iterations": iterations, "seed": seed, "verbose": False}
    if pretrain:
        params["pretrain_iterations"] = pretrain
    synthesizer = Synthesizer("timegan", **params)
    load_before = os.getloadavg()
    start = time.perf_counter()
    synthesizer.fit(table)
    fit_seconds = time.perf_counter() - start
    history = synthesizer.history
    windows = synthesizer.windows_
    start = time.perf_counter()
    synthetic = synthesizer.sample(windows)
    sample_seconds = time.perf_counter() - start
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        synthetic.to_parquet(Path(keep) / f"{name}_synthetic.parquet")
    load_after_fit = os.getloadavg()

    evaluation = {"repeats": repeats}
    settings = {"classifier_iterations": 50, "predictor_iterations": 50} if quick else {}
    report = evaluate_sequences(table, synthetic, SEQUENCE_LENGTH, seed=seed, repeats=repeats, **settings)
    evaluation.update(report.to_dict())
    evaluation.pop("autocorrelation")
    evaluation.pop("inputs")
    data = encode_windows(table, synthetic, SEQUENCE_LENGTH, None, None)
    rng = np.random.default_rng(seed)
    one_layer = [
        discriminative_score(
            data.real,
            data.synthetic,
            layers=1,
            iterations=settings.get("classifier_iterations", 2_000),
            seed=int(rng.integers(2**31 - 1)),
        )
        for _ in range(repeats)
    ]
    evaluation["discriminative_score_1_layer"] = float(np.mean(one_layer))
    evaluation["discriminative_score_1_layer_std"] = float(np.std(one_layer))
    report_path = RESULTS / f"timeseries_{name}_{iterations}.html"
    if not quick:
        report.to_html(report_path)

    phases, before = {}, 0.0
    for phase, rows in history.groupby("phase", sort=False):
        seconds = float(rows["seconds"].max()) - before
        before = float(rows["seconds"].max())
        steps = iterations if phase == "joint" else (pretrain or iterations)
        last = rows.iloc[-1]
        phases[phase] = {
            "iterations": steps,
            "seconds": round(seconds, 1),
            "ms_per_iteration": round(1e3 * seconds / steps, 1),
            **{key: round(float(last[key]), 4) for key in rows.columns if "loss" in key and rows[key].notna().all()},
        }
    return {
        "dataset": name,
        "rows": len(table),
        "features": table.shape[1],
        "windows": windows,
        "sequence_length": SEQUENCE_LENGTH,
        "params": {key: value for key, value in synthesizer.params_.items() if key not in ("verbose",)},
        "fit_s": round(fit_seconds, 1),
        "phases": phases,
        "sample_s": round(sample_seconds, 2),
        "evaluation": evaluation,
        "paper": PAPER.get(name),
        "report": str(report_path.relative_to(RESULTS.parent.parent)) if not quick else None,
        "stop_reason": synthesizer.stop_reason_,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_fit": [round(x, 2) for x in load_after_fit],
        "peak_mem_mb": round(peak_rss_mb()),
    }


def profile(name: str, steps: int) -> dict:
    """Milliseconds (thread CPU time) per iteration of each phase, with the fused GRU kernel and with torch's."""
    import torch

    import synthgan.families.sequence as family
    from synthgan import Synthesizer
    from synthgan.nn.recurrent import GRUStack
    from synthgan.training import loop

    captured = {}

    def capture(phases, callbacks=()):
        captured["phases"] = phases
        return loop.train([], callbacks)

    family.train, original = capture, family.train
    try:
        Synthesizer("timegan", iterations=1, seed=0, verbose=False).fit(load(name))
    finally:
        family.train = original
    torch.set_num_threads(1)
    out = {"dataset": name, "load_average": [round(x, 2) for x in os.getloadavg()]}
    for fused in (False, True):
        GRUStack.fused = fused
        key = "fused_kernel" if fused else "torch_gru"
        out[key] = {}
        for phase in captured["phases"]:
            phase.step()  # warm-up
            tic = time.thread_time()
            for _ in range(steps):
                phase.step()
            out[key][phase.name] = round(1e3 * (time.thread_time() - tic) / steps, 1)
    GRUStack.fused = True
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="stock_data,appliances_energy")
    parser.add_argument("--iterations", type=int, default=50_000, help="Joint-phase iterations (paper: 50,000).")
    parser.add_argument("--pretrain-iterations", type=int, default=None, help="Autoencoder / supervised phases.")
    parser.add_argument("--repeats", type=int, default=3, help="Runs of each evaluation score (paper: 10).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="400 rows, 20 iterations: a smoke run.")
    parser.add_argument("--profile", action="store_true", help="ms per iteration of each phase.")
    parser.add_argument("--keep-synthetic", default=None, metavar="DIR", help="Also write the synthetic tables.")
    args = parser.parse_args()
    names = args.datasets.split(",")
    if args.profile:
        results = [profile(n, 10) for n in names]
        emit({"benchmark": "timeseries_profile", "machine": machine(), "results": results}, "timeseries_profile")
        return
    iterations = 20 if args.quick else args.iterations
    results = []
    for name in names:
        repeats = 1 if args.quick else args.repeats
        results.append(
            run(name, iterations, args.pretrain_iterations, repeats, args.seed, args.quick, args.keep_synthetic)
        )
        print(results[-1], file=sys.stderr)
    suffix = "" if args.iterations == 50_000 else f"_{args.iterations}"
    result_name = None if args.quick else f"timeseries_{'_'.join(names)}{suffix}"
    emit({"benchmark": "timeseries", "machine": machine(), "results": results}, result_name)


if __name__ == "__main__":
    main()
