"""Differential privacy on Adult: what epsilon costs in quality, and what the attacks find.

    python benchmarks/privacy.py                 # argan at epsilon 1, 3, 10 and without DP, TabularARGN
                                                 # under DP at the same epsilons, seeds 0 1 2
    python benchmarks/privacy.py --resume        # keep the runs already in --output
    python benchmarks/privacy.py --rejudge       # judge the kept synthetic tables again (no fitting)

Every run fits and samples in its own process (the flagship harness: same 80/20 split, seed 0, for
everyone; the model seed varies) and gets the same judges:

- the flagship judges (benchmarks/flagship.py): SDMetrics quality, shapes, pair trends, TSTR ROC
  AUC, synthgan's detection AUC, LogisticDetection, DCR share, exact copies, rule compliance;
- synthgan's privacy section on the training rows, the synthetic rows and the holdout: the
  distance membership attack, DOMIAS, nearest-row attribute inference and anonymeter's singling
  out, linkability and inference risks, each with its verdict.

DP runs use delta = 1e-5 (below 1 / 26,048 training rows). synthgan spends a tenth of epsilon on
its data layer; TabularARGN is given the same split (``value_protection_epsilon`` = epsilon / 10,
``max_epsilon`` = 9 epsilon / 10, its noise multiplier and clipping norm at their defaults).
Models that cannot train under DP (synthgan's ctgan) get a row that says why.

Synthetic tables are kept under benchmarks/.cache/privacy/ (not committed) for ``--rejudge``.
Results go to benchmarks/results/privacy.json after every run; the printed JSON holds the means and
spreads over seeds and the goal checks of the privacy issue.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import flagship
from common import machine, write_json
from peers import harness, judge

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path(__file__).resolve().parent / ".cache" / "privacy"
DELTA = 1e-5
EPSILONS = (1, 3, 10)
MODELS = (
    "argan",
    *(f"argan:dp_epsilon={e};dp_delta={DELTA}" for e in EPSILONS),
    *(f"mostlyai_argn:dp_epsilon={e};dp_delta={DELTA}" for e in EPSILONS),
    f"synthgan_ctgan:dp_epsilon=1;dp_delta={DELTA}",
)
ATTACK_AUCS = ("membership_inference_auc", "domias_auc")
MEASURES = (
    "quality",
    "column_shapes",
    "column_pair_trends",
    "tstr_auc",
    "detection_auc",
    "logistic_detection",
    "dcr_share",
    "exact_copy_rate",
    "membership_inference_auc",
    "domias_auc",
    "singling_out_risk",
    "linkability_risk",
    "inference[income]_risk",
    "attribute_inference_risk[income]",
    "spent_epsilon",
    "fit_seconds",
)


def attacks(data: harness.Prepared, synthetic: pd.DataFrame, guarantee: dict | None) -> dict:
    """synthgan's privacy section on (training, synthetic, holdout): every attack's figure and verdict."""
    from synthgan import evaluate

    fake = judge.canonical(synthetic, list(data.train.columns), data.discrete)
    report = evaluate(
        real=data.train_canonical,
        synthetic=fake,
        holdout=data.holdout_canonical,
        discrete_columns=data.discrete,
        target=data.target,
        sections=["privacy"],
        seed=0,
        guarantee=guarantee if guarantee and "spent_epsilon" in guarantee else None,
    )
    section = report["privacy"]
    out = {m.name: m.value for m in section.metrics if isinstance(m.value, int | float)}
    out["attack_verdicts"] = {row["attack"]: row["verdict"] for row in section.tables.get("attacks", [])}
    out["anonymeter"] = section.tables.get("anonymeter", [])
    out["privacy_verdict"] = section.verdict.status if section.verdict else None
    return out


def one_run(dataset: str, label: str, model: str, params: dict, seed: int, timeout: float) -> dict:
    kept = CACHE / f"{dataset}_{_slug(label)}_{seed}.parquet"
    row = flagship.run(dataset, label, model, params, seed, None, timeout, keep_synthetic=kept)
    if row["status"] != "ok":
        if "cannot train with differential privacy" in str(row.get("reason", "")):
            reason = str(row["reason"])
            row["status"], row["reason"] = "unsupported", reason[reason.find("Model ") :].split("\n")[0]
        return row
    return {**row, **judge_kept(dataset, kept, row.get("privacy"))}


def judge_kept(dataset: str, kept: Path, guarantee: dict | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="privacy-") as folder:
        data = harness.prepare(harness.DATASETS[dataset], None, Path(folder))
        started = time.perf_counter()
        found = attacks(data, pd.read_parquet(kept), guarantee)
        found["attack_seconds"] = round(time.perf_counter() - started, 1)
        return found


def summarize(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        if row.get("status") == "unsupported" and not any(o["model"] == row["model"] for o in out):
            out.append(
                {"dataset": row["dataset"], "model": row["model"], "status": "unsupported", "reason": row["reason"]}
            )
    frame = pd.DataFrame([row for row in rows if row.get("status") == "ok"])
    if frame.empty:
        return out
    if "privacy" in frame:
        frame["spent_epsilon"] = [p.get("spent_epsilon") if isinstance(p, dict) else None for p in frame["privacy"]]
    for (dataset, model), group in frame.groupby(["dataset", "model"], sort=False):
        entry = {"dataset": dataset, "model": model, "seeds": sorted(group["seed"].tolist())}
        for measure in MEASURES:
            if measure in group and group[measure].notna().any():
                values = group[measure].astype(float)
                entry[measure] = round(float(np.nanmean(values)), 4)
                entry[f"{measure}_sd"] = round(float(np.nanstd(values)), 4) if len(values) > 1 else None
        out.append(entry)
    return out


def goals(summary: list[dict]) -> list[dict]:
    """The privacy issue's goals, per model: quality at epsilon 1 and 10, every attack AUC <= 0.55."""
    checks = []
    for entry in summary:
        if entry.get("status") == "unsupported":
            continue
        epsilon = _epsilon(entry["model"])
        if epsilon in (1, 10):
            wanted = 0.90 if epsilon == 1 else 0.94
            checks.append(_check(entry, f"quality >= {wanted}", entry.get("quality"), wanted, higher=True))
        for auc in ATTACK_AUCS:
            if auc in entry:
                checks.append(_check(entry, f"{auc} <= 0.55", entry[auc], 0.55, higher=False))
    return checks


def _check(entry: dict, goal: str, value: float | None, bound: float, higher: bool) -> dict:
    met = value is not None and (value >= bound if higher else value <= bound)
    gap = None if value is None else round(value - bound, 4)
    return {"model": entry["model"], "goal": goal, "value": value, "met": "yes" if met else "no", "by": gap}


def _epsilon(label: str) -> float | None:
    for item in label.partition(":")[2].split(";"):
        key, _, value = item.partition("=")
        if key == "dp_epsilon":
            return float(value)
    return None


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="adult")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated; name:key=value;key=value")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--output", type=Path, default=RESULTS / "privacy.json")
    parser.add_argument("--resume", action="store_true", help="keep the runs already in --output")
    parser.add_argument("--rejudge", action="store_true", help="judge the kept synthetic tables again")
    args = parser.parse_args(argv)

    resume = (args.resume or args.rejudge) and args.output.is_file()
    document = json.loads(args.output.read_text()) if resume else {"runs": []}
    document["machine"] = machine()
    document["delta"] = DELTA
    if args.rejudge:
        for row in document["runs"]:
            kept = CACHE / f"{row['dataset']}_{_slug(row['model'])}_{row['seed']}.parquet"
            if row.get("status") == "ok" and kept.is_file():
                row.update(judge_kept(row["dataset"], kept, row.get("privacy")))
                save(document, args.output)
        print(json.dumps({"summary": document["summary"], "goals": document["goals"]}, indent=2))
        return 0
    done = {(r["dataset"], r["model"], r["seed"]) for r in document["runs"] if r.get("status") in ("ok", "unsupported")}
    unsupported = {r["model"] for r in document["runs"] if r.get("status") == "unsupported"}
    models = [flagship.parse_model(text) for text in args.models.split(",") if text]
    for seed in (int(s) for s in args.seeds.split(",")):
        for label, model, params in models:  # models side by side within each seed
            if (args.dataset, label, seed) in done or label in unsupported:
                continue
            started = time.perf_counter()
            row = one_run(args.dataset, label, model, params, seed, args.timeout)
            row["wall_seconds"] = round(time.perf_counter() - started, 1)
            if row["status"] == "unsupported":
                unsupported.add(label)
            document["runs"] = [
                r for r in document["runs"] if (r["dataset"], r["model"], r["seed"]) != (args.dataset, label, seed)
            ]
            document["runs"].append(row)
            save(document, args.output)
            shown = ("model", "seed", "status", "quality", "detection_auc", "membership_inference_auc", "domias_auc")
            print(json.dumps({k: row.get(k) for k in shown}), file=sys.stderr, flush=True)
    save(document, args.output)
    print(json.dumps({"summary": document["summary"], "goals": document["goals"]}, indent=2))
    return 0


def save(document: dict, output: Path) -> None:
    """Write the runs, their summary and the goal checks: a temporary file, then a rename."""
    document["summary"] = summarize(document["runs"])
    document["goals"] = goals(document["summary"])
    write_json(document, output)


if __name__ == "__main__":
    raise SystemExit(main())
