"""Pima Indians diabetes: fit CTGAN, sample, and judge the result with a similarity score and a PCA plot.

    python examples/pima_ctgan.py                 # full run: ctgan at its defaults (300 epochs)
    python examples/pima_ctgan.py --quick         # the CI run: 5 epochs
    python examples/pima_ctgan.py --output-dir pima-out

The seed article's second workflow (docs/tutorial_pima.md walks through it): 768 women, 8 clinical
measurements and the diabetes outcome. The script keeps 20% of the rows aside, fits ctgan on the
rest (in batches of 100 rows: the default 500 is most of the table), samples as many synthetic rows,
and evaluates them against the real rows and the holdout:
the similarity (quality) score, the headline figures, the PCA plot (``pca.png``), the columns side by
side (``columns.png``) and the full HTML report (``report.html``). The model file is written too.

Needs the shared datasets folder (``SYNTHGAN_DATASETS`` or ``../shared/datasets``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pandas as pd

import synthgan
from synthgan.evaluation import compare_columns

TARGET = "Outcome"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 epochs (what CI runs).")
    parser.add_argument("--epochs", type=int, default=None, help="Training epochs (ctgan's default: 300).")
    parser.add_argument("--batch-size", type=int, default=100, help="Rows per step (default 500 is most of Pima).")
    parser.add_argument("--output-dir", default="examples-output/pima", help="Where figures and files go.")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def split(df: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = int(0.8 * len(shuffled))
    return shuffled.iloc[:cut].reset_index(drop=True), shuffled.iloc[cut:].reset_index(drop=True)


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    load_start = os.getloadavg()[0]  # the machine's load: wall-clock budgets buy fewer epochs on a busy CPU
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    pima = synthgan.load_dataset("pima_indians_diabetes")
    train, holdout = split(pima, args.seed)
    epochs = args.epochs or (5 if args.quick else None)
    # 614 training rows in batches of 500 (the default) are one or two steps per epoch; batches of 100
    # give six, and a better table for the same epochs (docs/tutorial_pima.md has both runs' figures).
    params = {"seed": args.seed, "batch_size": args.batch_size, **({"epochs": epochs} if epochs else {})}
    print(f"Pima: {len(pima)} rows x {pima.shape[1]} columns; ctgan learns {len(train)}, {len(holdout)} held out")

    synthesizer = synthgan.Synthesizer("ctgan", **params).fit(train)
    synthesizer.save(out / "pima.synth")
    synthetic = synthesizer.sample(len(train))
    synthetic.to_csv(out / "pima_synthetic.csv", index=False)

    report = synthgan.evaluate(real=train, synthetic=synthetic, holdout=holdout, target=TARGET)
    report.to_html(out / "report.html")
    report.save_figure("pca", out / "pca.png")
    compare_columns(train, synthetic, list(pima.columns), out / "columns.png", title="Pima: real vs synthetic")
    figures = report.to_dict()
    summary = {
        "epochs": int(synthesizer.history["epoch"].max()),
        "stop_reason": synthesizer.stop_reason_,
        "similarity_score": round(report.score, 3),
        "column_shapes": round(figures["column_shapes"], 3),
        "column_pair_trends": round(figures["column_pair_trends"], 3),
        "detection_auc": round(figures["detection_auc"], 3),
        "tstr_roc_auc": round(figures["tstr"]["roc_auc"], 3),
        "trtr_roc_auc": round(figures["trtr"]["roc_auc"], 3),
        "dcr_share": round(figures["dcr_share"], 3),
        "exact_copies": figures["exact_copies"],
    }
    summary["load_avg_start_end"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"ctgan: {summary['epochs']} epochs ({summary['stop_reason']})")
    print(f"similarity score   {summary['similarity_score']:.3f}  (1 = same distributions)")
    print(f"detection AUC      {summary['detection_auc']:.3f}  (0.5 = indistinguishable)")
    print(f"TSTR / TRTR AUC    {summary['tstr_roc_auc']:.3f} / {summary['trtr_roc_auc']:.3f}")
    print(f"DCR share          {summary['dcr_share']:.3f}  (0.5 = no closer to training rows than to new ones)")
    print(f"PCA plot, columns, report and model in {out}/")
    return summary


if __name__ == "__main__":
    main()
