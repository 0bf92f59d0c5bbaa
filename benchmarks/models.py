"""Fit every synthgan model on Adult (80% split, seed 0) and judge it with SDMetrics; print JSON.

    python benchmarks/models.py                      # every model at its defaults (long)
    python benchmarks/models.py --models ctgan       # one model
    python benchmarks/models.py --quick              # 2,000 rows, 2 epochs: keeps the script working
    python benchmarks/models.py --profile --models ctgan   # where a training step's time goes
    python benchmarks/models.py --models ctgan --peer-epochs 10   # with the ctgan package side by side
    python benchmarks/models.py --sampling           # sampling rows/s: ours in float32 and bfloat16, the package's

Each model runs in its own process so peak memory is its own. Figures: fit seconds, seconds per
epoch, sampling rows/s (inverse transform included), peak memory, SDMetrics quality, TSTR and TRTR
ROC AUC on the income target, and categorical level coverage.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from common import categorical_coverage, emit, load_split, machine, peak_rss_mb, sdmetrics_quality, tstr_auc

DATASET, TARGET = "adult", "income"


def run_one(model: str, quick: bool, epochs: int | None, extra: dict | None = None) -> dict:
    from synthgan import Synthesizer

    train, test, _ = load_split(DATASET, rows=2500 if quick else None)
    params = {"seed": 0, "verbose": False}
    if quick:
        params["epochs"] = 2
    elif epochs:
        params["epochs"] = epochs
    params.update(extra or {})
    synthesizer = Synthesizer(model, **params)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    synthesizer.fit(train, target=TARGET)
    fit_seconds = time.perf_counter() - start
    history = synthesizer.history
    start = time.perf_counter()
    synthetic = synthesizer.sample(len(train))
    sample_seconds = time.perf_counter() - start
    coverage = categorical_coverage(train, synthetic)
    quality = sdmetrics_quality(train, synthetic)
    return {
        "model": model,
        **({"params": extra} if extra else {}),
        "rows": len(train),
        "epochs": int(history["epoch"].max()),
        "stop_reason": synthesizer.stop_reason_,
        "fit_s": round(fit_seconds, 1),
        "s_per_epoch": round(float(history["seconds"].diff().fillna(history["seconds"]).median()), 3),
        "sample_rows_per_s": round(len(train) / sample_seconds),
        "peak_mem_mb": round(peak_rss_mb()),
        **{key: round(value, 4) for key, value in quality.items()},
        "tstr_auc": round(tstr_auc(synthetic, test, TARGET), 4),
        "trtr_auc": round(tstr_auc(train, test, TARGET), 4),
        "min_level_coverage": round(min(coverage.values()), 3),
        "target_share_gap": round(target_share_gap(train, synthetic), 4),
        "threads": synthesizer.params_["threads"],
        "fidelity_checks": [
            [int(row.epoch), round(row.fidelity, 4)] for row in history.dropna(subset=["fidelity"]).itertuples()
        ],
        "load_avg_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def target_share_gap(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """Total variation distance between the real and synthetic target's level shares (0 = same)."""
    real_shares = real[TARGET].value_counts(normalize=True)
    synthetic_shares = synthetic[TARGET].value_counts(normalize=True)
    return float(real_shares.sub(synthetic_shares, fill_value=0).abs().sum() / 2)


def _discrete_columns(train: pd.DataFrame) -> list[str]:
    """The columns the ctgan package is told are discrete (it cannot infer them)."""
    from synthgan import datasets

    discrete = [c for c in datasets.info(DATASET).get("categorical", []) if c in train.columns]
    return discrete or list(train.select_dtypes("object").columns)  # the embedded Adult has no manifest entry


def _in_own_process(arguments: list[str], label: dict) -> dict:
    """Run this script with ``arguments`` in a fresh process; its last JSON line, or ``label`` with the error."""
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True)
    if done.returncode:
        return {**label, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_peer(epochs: int, quick: bool) -> dict:
    """The ctgan package at its default settings, for ``epochs`` epochs, on the same split."""
    from ctgan import CTGAN

    train, test, _ = load_split(DATASET, rows=2500 if quick else None)
    discrete = _discrete_columns(train)
    model = CTGAN(epochs=epochs, verbose=False)
    preparation = _time_package_preparation()
    start = time.perf_counter()
    model.fit(train.fillna({c: "missing" for c in discrete}), discrete)
    fit_seconds = time.perf_counter() - start
    training_seconds = fit_seconds - sum(preparation)
    start = time.perf_counter()
    synthetic = model.sample(len(train))
    sample_seconds = time.perf_counter() - start
    synthetic = synthetic.replace({"missing": None})
    quality = sdmetrics_quality(train, synthetic)
    return {
        "model": "ctgan package (ctgan.CTGAN)",
        "rows": len(train),
        "epochs": epochs,
        "fit_s": round(fit_seconds, 1),
        "preparation_s": round(sum(preparation), 1),
        "s_per_epoch": round(training_seconds / epochs, 3),
        "sample_rows_per_s": round(len(train) / sample_seconds),
        "peak_mem_mb": round(peak_rss_mb()),
        **{key: round(value, 4) for key, value in quality.items()},
        "tstr_auc": round(tstr_auc(synthetic, test, TARGET), 4),
        "target_share_gap": round(target_share_gap(train, synthetic), 4),
        "note": "quality after only this many epochs" if epochs < 300 else "package defaults (300 epochs)",
    }


def _time_package_preparation() -> list[float]:
    """Wrap the ctgan package's transformer and data sampler so their time can be taken out of the
    per-epoch figure (ours is measured from the training loop's own clock, after the transformer)."""
    import ctgan.synthesizers.ctgan as package

    spent: list[float] = []

    def timed(function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - start)

        return wrapper

    package.DataTransformer.fit = timed(package.DataTransformer.fit)
    package.DataTransformer.transform = timed(package.DataTransformer.transform)
    package.DataSampler.__init__ = timed(package.DataSampler.__init__)
    return spent


PROFILE_GROUPS = {
    "matrix products": ("aten::mm", "aten::addmm", "aten::bmm"),
    "optimizer (fused Adam)": ("aten::_fused_adam_",),
    "random numbers": ("aten::uniform_", "aten::normal_", "aten::bernoulli_", "aten::randperm", "aten::random_"),
    "gather, scatter, concatenate": (
        "aten::index",
        "aten::index_put_",
        "aten::_index_put_impl_",
        "aten::index_select",
        "aten::gather",
        "aten::scatter_reduce_",
        "aten::scatter_add_",
        "aten::cat",
        "aten::masked_fill_",
        "aten::searchsorted",
    ),
}


def profile_steps(model: str, steps: int = 40) -> dict:
    """Where one training step's time goes, by kind of op (torch profiler, self CPU time)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    import synthgan.families.table as synthesizer_module
    from synthgan import Synthesizer

    train, _, _ = load_split(DATASET)
    phases = []
    real_train = synthesizer_module.train

    def capture(found, callbacks=()):
        phases.extend(found)
        return real_train(found, callbacks)

    synthesizer_module.train = capture
    synthesizer = Synthesizer(model, epochs=1, seed=0, verbose=False).fit(train, target=TARGET)
    phase = phases[0]
    torch.set_num_threads(synthesizer.params_["threads"])
    for _ in range(5):
        phase.step()
    start = time.perf_counter()
    for _ in range(steps):
        phase.step()
    per_step = (time.perf_counter() - start) / steps
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            phase.step()
    totals: dict[str, float] = {}
    for event in prof.key_averages():
        group = next((name for name, ops in PROFILE_GROUPS.items() if event.key in ops), None)
        if group is None and event.key.startswith("aten::"):
            group = "element-wise and reductions"
        if group is not None:
            totals[group] = totals.get(group, 0.0) + event.self_cpu_time_total
    everything = sum(totals.values())
    return {
        "model": model,
        "ms_per_step": round(1000 * per_step, 1),
        "steps_per_epoch": phase.steps_per_epoch,
        "s_per_epoch_training_only": round(per_step * phase.steps_per_epoch, 3),
        "share_of_op_time": {key: round(value / everything, 3) for key, value in sorted(totals.items())},
        "threads": synthesizer.params_["threads"],
        "load_avg": round(os.getloadavg()[0], 2),
    }


def sampling_speed(which: str, rows: int, repeats: int = 5) -> dict:
    """Rows per second of sampling ``rows`` rows (inverse transform included), best of ``repeats``.

    ``which`` is ``ours-float32``, ``ours-bfloat16`` or ``package``. Sampling costs the same whatever
    the training length (the networks keep their size), so the models are trained for 2 epochs.
    """
    train, _, _ = load_split(DATASET)
    if which == "package":
        from ctgan import CTGAN

        discrete = _discrete_columns(train)
        model = CTGAN(epochs=2, verbose=False)
        model.fit(train.fillna({c: "missing" for c in discrete}), discrete)
        sample = model.sample
    else:
        from synthgan import Synthesizer

        precision = which.removeprefix("ours-")
        synthesizer = Synthesizer("ctgan", epochs=2, sample_precision=precision, verbose=False)
        synthesizer.fit(train, target=TARGET)
        sample = synthesizer.sample
    sample(1_000)  # warm-up
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        sample(rows)
        seconds.append(time.perf_counter() - start)
    return {"sampler": which, "rows": rows, "rows_per_s": round(rows / min(seconds)), "load_avg": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=None, help="Comma-separated model names (default: all).")
    parser.add_argument("--quick", action="store_true", help="Small data, 2 epochs: a smoke run.")
    parser.add_argument("--epochs", type=int, default=None, help="Override every model's epochs.")
    parser.add_argument("--peer-epochs", type=int, default=0, help="Also run the ctgan package for N epochs.")
    parser.add_argument("--profile", action="store_true", help="Where a training step's time goes, per model.")
    parser.add_argument("--params", type=json.loads, default=None, help="Extra parameters of every model, as JSON.")
    parser.add_argument(
        "--sampling", action="store_true", help="Sampling speed only: ours (float32, bfloat16) and the package's."
    )
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: run one model in-process
    args = parser.parse_args()
    if args.profile:
        from synthgan import available_models

        for model in args.models.split(",") if args.models else available_models("table"):
            print(json.dumps(profile_steps(model)))
        return
    if args.one and args.one.startswith("sampling:"):
        print(json.dumps(sampling_speed(args.one.removeprefix("sampling:"), 26_048)))
        return
    if args.sampling:
        results = [
            _in_own_process(["--one", f"sampling:{which}"], {"sampler": which})
            for which in ("ours-float32", "ours-bfloat16", "package")
        ]
        package = results[-1].get("rows_per_s")
        for result in results:
            result["vs_package"] = (
                round(result["rows_per_s"] / package, 2) if package and "rows_per_s" in result else None
            )
        emit({"benchmark": "sampling", "dataset": DATASET, "machine": machine(), "results": results}, "sampling")
        return
    if args.one == "peer":
        print(json.dumps(run_peer(args.peer_epochs, args.quick)))
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.quick, args.epochs, args.params)))
        return
    from synthgan import available_models

    models = args.models.split(",") if args.models else available_models("table")
    results = []
    for model in models + (["peer"] if args.peer_epochs else []):
        arguments = ["--one", model] + (["--quick"] if args.quick else [])
        arguments += ["--epochs", str(args.epochs)] if args.epochs else []
        arguments += ["--peer-epochs", str(args.peer_epochs)]
        arguments += ["--params", json.dumps(args.params)] if args.params else []
        results.append(_in_own_process(arguments, {"model": model}))
        print(json.dumps(results[-1]), file=sys.stderr)
    name = None if args.quick else ("models" if not args.models else f"models_{'_'.join(models)}")
    emit(
        {"benchmark": "models", "dataset": DATASET, "quick": args.quick, "machine": machine(), "results": results}, name
    )


if __name__ == "__main__":
    main()
