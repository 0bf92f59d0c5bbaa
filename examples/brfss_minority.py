"""CDC BRFSS diabetes: learn the diabetic patients, generate 100,000 more, merge, and check them.

    python examples/brfss_minority.py                # full run: 100,000 rows per class, 3 min per fit
    python examples/brfss_minority.py --quick        # the CI run: 4,000 real rows, 2 epochs, 1,000 per class
    python examples/brfss_minority.py --minutes 10 --output-dir brfss-out

The seed article's workflow (docs/tutorial_brfss.md walks through it). 35,346 of the survey's
253,680 respondents are diabetic. For each of two models, wgangp and ctgan:

1. fit one model on the diabetic patients of the training split and one on the others (one model per
   class, ``per_class=True``), generate 100,000 synthetic rows of each class and merge them into one
   fully synthetic, balanced table (``synthetic_only=True``): a single ``synthgan.balance`` call
   (``synthetic_<model>.parquet``; the fitted models as ``<model>_diabetic.synth`` and so on);
2. compare BMI, MentHlth and PhysHlth of the synthetic diabetic patients with the real ones
   (``diabetic_columns.png``, ``diabetic_columns.csv``) and the same for the others;
3. check that the synthetic table is useful: a gradient-boosting classifier trained on it only,
   scored on the real holdout patients (ROC AUC), next to the same classifier trained on real rows.

Needs the shared datasets folder (``SYNTHGAN_DATASETS`` or ``../shared/datasets``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

import synthgan
from synthgan.evaluation import compare_columns, describe_columns

TARGET = "Diabetes_binary"
COLUMNS = ["BMI", "MentHlth", "PhysHlth"]
MODELS = ("wgangp", "ctgan")
GROUPS = {1: "diabetic", 0: "nondiabetic"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Small subsample and 2 epochs (what CI runs).")
    parser.add_argument("--rows-per-class", type=int, default=None, help="Synthetic rows per class (100,000).")
    parser.add_argument("--minutes", type=float, default=3.0, help="Training budget of each of the 4 fits.")
    parser.add_argument("--output-dir", default="examples-output/brfss", help="Where figures and tables go.")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def split(df: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """80% to learn from, 20% held out to judge the synthetic data's usefulness."""
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = int(0.8 * len(shuffled))
    return shuffled.iloc[:cut].reset_index(drop=True), shuffled.iloc[cut:].reset_index(drop=True)


def holdout_auc(train: pd.DataFrame, holdout: pd.DataFrame) -> float:
    """ROC AUC on the real holdout of a fixed gradient-boosting classifier trained on ``train``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits

    model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
    with threadpool_limits(limits=1):  # OpenMP threads fighting other work on a laptop cost more than they gain
        model.fit(train.drop(columns=TARGET), train[TARGET] == 1)
        scores = model.predict_proba(holdout.drop(columns=TARGET))[:, 1]
    return float(roc_auc_score(holdout[TARGET] == 1, scores))


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    load_start = os.getloadavg()[0]  # the machine's load: wall-clock budgets buy fewer epochs on a busy CPU
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    brfss = synthgan.load_dataset("diabetes_binary_brfss2015")
    if args.quick:
        brfss = brfss.sample(4_000, random_state=args.seed).reset_index(drop=True)
    rows = args.rows_per_class or (1_000 if args.quick else 100_000)
    budget = {"epochs": 2} if args.quick else {"max_minutes": args.minutes}
    train, holdout = split(brfss, args.seed)
    counts = train[TARGET].value_counts()
    print(f"BRFSS training split: {len(train):,} rows, {int(counts[1]):,} diabetic, {int(counts[0]):,} not")

    real = {label: train[train[TARGET] == label] for label in (1, 0)}
    synthetic: dict[str, pd.DataFrame] = {}
    summary: dict = {"rows_per_class": rows, "training_rows": len(train), "models": {}}
    for model in MODELS:
        start = time.perf_counter()
        result = synthgan.balance(
            train, TARGET, model, rows_per_class=rows, per_class=True, synthetic_only=True, seed=args.seed, **budget
        )
        seconds = time.perf_counter() - start
        table = synthetic[model] = result.data
        table.to_parquet(out / f"synthetic_{model}.parquet", index=False)
        for label, fitted in result.synthesizers.items():
            fitted.save(out / f"{model}_{GROUPS[label]}.synth")
        fidelity = synthgan.evaluate(real[1], table[table[TARGET] == 1], sections=["fidelity"]).score
        epochs = {str(label): len(fitted.history) for label, fitted in result.synthesizers.items()}
        summary["models"][model] = {
            "seconds": round(seconds, 1),
            "epochs": epochs,
            "class_counts": {str(label): int(n) for label, n in table[TARGET].value_counts().items()},
            "diabetic_quality_score": round(fidelity, 3),
            "holdout_roc_auc_trained_on_synthetic": round(holdout_auc(table, holdout), 3),
        }
        print(f"{model}: {len(table):,} synthetic rows in {seconds:.0f} s (epochs {epochs}), quality {fidelity:.3f}")

    for label, name in GROUPS.items():
        fakes = {model: table[table[TARGET] == label] for model, table in synthetic.items()}
        title = f"BRFSS, {name}: real vs synthetic"
        compare_columns(real[label], fakes, COLUMNS, out / f"{name}_columns.png", title=title)
        described = describe_columns(real[label], fakes, COLUMNS)
        described.round(3).to_csv(out / f"{name}_columns.csv", index=False)
        if label == 1:
            summary["diabetic_columns"] = described.round(3).to_dict(orient="records")
            print(described.round(2).to_string(index=False))
    summary["holdout_roc_auc_trained_on_real"] = round(holdout_auc(train, holdout), 3)
    summary["load_avg_start_end"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    for model, facts in summary["models"].items():
        print(f"holdout ROC AUC, trained on {model} rows only: {facts['holdout_roc_auc_trained_on_synthetic']:.3f}")
    print(f"holdout ROC AUC, trained on real rows: {summary['holdout_roc_auc_trained_on_real']:.3f}")
    print(f"Figures and tables in {out}/")
    return summary


if __name__ == "__main__":
    main()
