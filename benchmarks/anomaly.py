"""Anomaly scores on the 13 ADBench tables: synthgan's models against IsolationForest, ECOD and kNN.

    python benchmarks/anomaly.py                                  # every table, both settings, seeds 0 1 2
    python benchmarks/anomaly.py --datasets 38_thyroid,44_Wilt --seeds 0 --methods argan,iforest
    python benchmarks/anomaly.py --resume                         # keep the runs already in --output
    python benchmarks/anomaly.py --report                         # only redraw docs/anomaly.md's plot

ADBench's two settings (Han et al. 2022), labels never used for fitting:

- ``semi``: fit on 70% of the normal rows (a seeded split), score the other 30% and every anomaly;
- ``unsup``: fit on every row, anomalies included, and score every row.

Per (table, setting, method, seed): ROC AUC and average precision of the scores against the labels,
and the seconds of fit + score. Every method runs at its library's defaults: synthgan's models as
``Synthesizer(model, seed=seed)`` (one wall-clock cap, ``--max-minutes``, for every fit), scikit-
learn's IsolationForest, PyOD's ECOD and kNN. Nothing is tuned per table.

Results go to benchmarks/results/anomaly.json after every run; the printed JSON holds the means
over the tables of the per-table means over seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine

from synthgan import Synthesizer
from synthgan.datasets import shared_datasets_dir

RESULTS = Path(__file__).resolve().parent / "results"
DOCS = Path(__file__).resolve().parent.parent / "docs"
METHODS = ("argan", "ctgan", "iforest", "ecod", "knn")
SETTINGS = ("semi", "unsup")
NORMAL_SHARE = 0.7
TITLES = {"semi": "semi-supervised (fit on 70% of normal rows)", "unsup": "unsupervised (fit on every row)"}


def tables() -> dict[str, Path]:
    folder = shared_datasets_dir()
    if folder is None or not (folder / "anomaly").is_dir():
        sys.exit("benchmarks/anomaly.py needs ../shared/datasets/anomaly (the ADBench tables).")
    return {
        path.stem: path for path in sorted((folder / "anomaly").glob("*.npz"), key=lambda p: int(p.stem.split("_")[0]))
    }


def load(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    data = np.load(path, allow_pickle=False)
    features = pd.DataFrame(data["X"], columns=[f"x{j}" for j in range(data["X"].shape[1])])
    return features, data["y"].astype(int)


def split(labels: np.ndarray, setting: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows to fit on and rows to score."""
    every = np.arange(len(labels))
    if setting == "unsup":
        return every, every
    normal = np.random.default_rng(seed).permutation(np.flatnonzero(labels == 0))
    cut = int(NORMAL_SHARE * len(normal))
    return np.sort(normal[:cut]), np.sort(np.concatenate([normal[cut:], np.flatnonzero(labels == 1)]))


def score(method: str, fit_rows: pd.DataFrame, test_rows: pd.DataFrame, seed: int, max_minutes: float):
    """Scores of ``test_rows`` (higher = more anomalous) and a note."""
    if method in ("argan", "ctgan"):
        model = Synthesizer(method, seed=seed, verbose=False, max_minutes=max_minutes).fit(fit_rows)
        return model.anomaly_scores(test_rows).to_numpy(), model.stop_reason_
    x_fit, x_test = fit_rows.to_numpy(), test_rows.to_numpy()
    if method == "iforest":
        from sklearn.ensemble import IsolationForest

        detector = IsolationForest(random_state=seed).fit(x_fit)
        return -detector.score_samples(x_test), ""
    if method == "ecod":
        from pyod.models.ecod import ECOD

        return ECOD().fit(x_fit).decision_function(x_test), ""
    if method == "knn":
        from pyod.models.knn import KNN

        return KNN().fit(x_fit).decision_function(x_test), ""
    raise ValueError(f"unknown method {method!r}")


def run(name: str, path: Path, setting: str, method: str, seed: int, max_minutes: float) -> dict:
    features, labels = load(path)
    fit_at, test_at = split(labels, setting, seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, note = score(method, features.iloc[fit_at], features.iloc[test_at], seed, max_minutes)
    seconds = time.perf_counter() - started
    truth = labels[test_at]
    finite = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0, posinf=1e300, neginf=-1e300)
    return {
        "dataset": name,
        "setting": setting,
        "method": method,
        "seed": seed,
        "rows_fit": len(fit_at),
        "rows_scored": len(test_at),
        "roc_auc": float(roc_auc_score(truth, finite)),
        "average_precision": float(average_precision_score(truth, finite)),
        "seconds": round(seconds, 2),
        "note": note,
    }


def summarize(runs: list[dict]) -> dict:
    frame = pd.DataFrame(runs)
    if frame.empty:
        return {}
    per_table = frame.groupby(["setting", "method", "dataset"])[["roc_auc", "average_precision", "seconds"]].mean()
    summary = {}
    for (setting, method), group in per_table.groupby(level=[0, 1]):
        mine = frame[(frame.setting == setting) & (frame.method == method)]
        spread = float(mine.groupby("dataset")["roc_auc"].std().mean())
        summary.setdefault(setting, {})[method] = {
            "tables": len(group),
            "runs": len(mine),
            "seeds": sorted(int(seed) for seed in mine["seed"].unique()),
            "roc_auc": round(float(group["roc_auc"].mean()), 4),
            "average_precision": round(float(group["average_precision"].mean()), 4),
            "seconds": round(float(group["seconds"].mean()), 1),
            "seed_spread_roc_auc": None if np.isnan(spread) else round(spread, 4),
        }
    return summary


def markdown(runs: list[dict], setting: str) -> str:
    """ROC AUC per table and method in ``setting`` (mean over seeds), the mean row last."""
    frame = pd.DataFrame(runs)
    frame = frame[frame.setting == setting]
    table = frame.pivot_table(index="dataset", columns="method", values="roc_auc", aggfunc="mean")
    seeds = frame.groupby("method")["seed"].nunique()
    methods = [m for m in METHODS if m in table.columns]
    lines = [
        "| table | " + " | ".join(f"{m} ({seeds[m]} seed{'s' if seeds[m] > 1 else ''})" for m in methods) + " |",
        "|---|" + "---:|" * len(methods),
    ]
    for name, row in table.iterrows():
        best = row[methods].max()
        cells = [("**%.3f**" if row[m] == best else "%.3f") % row[m] if pd.notna(row[m]) else "-" for m in methods]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    means, counts = table[methods].mean(), table[methods].count()
    cells = [f"{means[m]:.3f}" + ("" if counts[m] == len(table) else f" ({counts[m]} tables)") for m in methods]
    lines.append("| **mean** | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save(document: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    os.replace(temporary, path)


def plot(runs: list[dict], path: Path) -> None:
    """ROC AUC per table, one panel per setting, one bar per method (means over seeds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = pd.DataFrame(runs)
    settings = [s for s in SETTINGS if s in set(frame.setting)]
    figure, axes = plt.subplots(len(settings), 1, figsize=(11, 3.6 * len(settings)), squeeze=False)
    for axis, setting in zip(axes[:, 0], settings, strict=True):
        table = frame[frame.setting == setting].pivot_table(index="dataset", columns="method", values="roc_auc")
        table = table.loc[sorted(table.index, key=lambda d: int(d.split("_")[0]))]
        methods = [m for m in METHODS if m in table.columns]
        width = 0.8 / len(methods)
        for k, method in enumerate(methods):
            axis.bar(np.arange(len(table)) + k * width, table[method], width, label=method)
        axis.set_xticks(np.arange(len(table)) + 0.4 - width / 2, [d.split("_", 1)[1] for d in table.index], rotation=30)
        axis.set_ylim(0.3, 1.0)
        axis.set_ylabel("ROC AUC")
        axis.set_title(TITLES[setting])
        axis.legend(ncol=len(methods), fontsize=8, loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=None, help="comma-separated table names (default: all 13)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--max-minutes", type=float, default=5.0, help="wall-clock cap of each synthgan fit")
    parser.add_argument("--output", type=Path, default=RESULTS / "anomaly.json")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--report", action="store_true", help="only redraw the plot from --output")
    args = parser.parse_args()

    document = json.loads(args.output.read_text()) if (args.resume or args.report) and args.output.exists() else {}
    runs = document.get("runs", [])
    if not args.report:
        available = tables()
        names = args.datasets.split(",") if args.datasets else list(available)
        unknown = sorted(set(names) - set(available))
        if unknown:
            sys.exit(f"unknown tables {unknown}; available: {sorted(available)}")
        done = {(r["dataset"], r["setting"], r["method"], r["seed"]) for r in runs}
        for seed in (int(s) for s in args.seeds.split(",")):
            for name in names:
                for setting in args.settings.split(","):
                    for method in args.methods.split(","):
                        if (name, setting, method, seed) in done:
                            continue
                        result = run(name, available[name], setting, method, seed, args.max_minutes)
                        runs.append(result)
                        print(json.dumps(result), file=sys.stderr, flush=True)
                        save({"runs": runs, "machine": machine(), "summary": summarize(runs)}, args.output)
    document = {"runs": runs, "machine": machine(), "summary": summarize(runs)}
    save(document, args.output)
    if runs:
        plot(runs, DOCS / "anomaly_roc_auc.png")
    print(json.dumps(document["summary"], indent=2))
    if args.report and runs:
        for setting in SETTINGS:
            print(f"\n{setting}\n" + markdown(runs, setting))


if __name__ == "__main__":
    main()
