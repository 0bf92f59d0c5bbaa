"""argan against TabularARGN (and any other model) side by side: same split, same judges, one run.

    python benchmarks/flagship.py                                   # Adult, argan + TabularARGN, seeds 0 1 2
    python benchmarks/flagship.py --datasets adult,bank --seeds 0
    python benchmarks/flagship.py --models argan,argan:training_order=fixed,mostlyai_argn   # an ablation
    python benchmarks/flagship.py --resume                          # keep the runs already in --output
    python benchmarks/flagship.py --sampling 1000000                # sampling speed only, 1M rows each

Each (dataset, model, seed) fits and samples in its own process with its library's Python (the
peers harness's runner), on the shared 80/20 split (seed 0 for everyone; the model seed varies).
Every synthetic table then gets the same judges, in this process:

- the neutral judge of benchmarks/peers/judge.py: SDMetrics quality (shapes, pair trends), TSTR ROC
  AUC, DCR share, exact-copy rate;
- synthgan's own detector (gradient boosting, cross-validated ROC AUC; 0.5 = indistinguishable)
  and SDMetrics' LogisticDetection (1 = indistinguishable);
- the target's level shares against the real ones (largest gap);
- the exact rules of the real training rows (benchmarks/rules.py): the share of synthetic rows that
  keep every rule of each kind.

Per dataset, ``reference`` holds what the real rows score: TRTR ROC AUC (the classifier trained on
the real training rows) and the share of holdout rows that are exact copies of a training row.

``--sampling ROWS`` times sampling alone: each model is fitted for one epoch (sampling speed does not
depend on how long a model trained) and samples ROWS rows, inverse transform included; nothing is
judged; results go to benchmarks/results/flagship_sampling.json.

Results go to benchmarks/results/flagship.json after every run (``--resume`` continues a run that
was cut short); the printed JSON holds the means over seeds per (dataset, model).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, write_json
from peers import envs, harness, judge
from rules import rule_compliance

RESULTS = Path(__file__).resolve().parent / "results"
MEASURES = (
    "quality",
    "column_shapes",
    "column_pair_trends",
    "detection_auc",
    "logistic_detection",
    "tstr_auc",
    "target_share_gap",
    "dcr_share",
    "exact_copy_rate",
    "fit_seconds",
    "sample_rows_per_s",
)


def parse_model(text: str) -> tuple[str, str, dict]:
    """``argan:training_order=fixed,...`` -> (label, harness model name, parameters)."""
    name, _, rest = text.partition(":")
    params = {}
    for item in filter(None, rest.split(";")):
        key, _, value = item.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    harness_name = name if name in harness.known_models() else f"synthgan_{name}"
    return text, harness_name, params


def run(
    dataset: str,
    label: str,
    model: str,
    params: dict,
    seed: int,
    rows: int | None,
    timeout: float,
    sample_rows: int | None = None,
    keep_synthetic: Path | None = None,
) -> dict:
    """Fit and sample one model in its own process; judge its rows unless ``sample_rows`` (timing only).

    ``keep_synthetic``: a parquet path the synthetic rows are copied to, for judges run later.
    """
    spec = harness.known_models()[model]
    with tempfile.TemporaryDirectory(prefix="flagship-") as folder:
        workdir = Path(folder)
        data = harness.prepare(harness.DATASETS[dataset], rows, workdir)
        synthetic_path = workdir / "synthetic.parquet"
        args = {
            "model": model,
            "train_path": str(data.train_path),
            "discrete_columns": data.discrete,
            "target": data.target,
            "epochs": 1 if sample_rows else None,
            "seed": seed,
            "params": params,
            "n_sample": sample_rows or len(data.train),
            "synthetic_path": str(synthetic_path),
        }
        (workdir / "args.json").write_text(json.dumps(args))
        python = envs.python_of(spec.env)
        command = [str(python), str(harness.RUNNER), str(workdir / "args.json"), str(workdir / "result.json")]
        process = harness.run_process(command, timeout, workdir / "log.txt", harness.child_env())
        row = {"dataset": dataset, "model": label, "seed": seed, "train_rows": len(data.train)}
        child = json.loads((workdir / "result.json").read_text()) if (workdir / "result.json").is_file() else {}
        if child.get("status") != "ok":
            tail = (workdir / "log.txt").read_text(errors="replace")[-1500:]
            return {**row, "status": "failed", "reason": child.get("error") or tail, "timed_out": process["timed_out"]}
        row.update({key: child[key] for key in ("fit_seconds", "sample_seconds", "sample_rows_per_s", "notes")})
        row.update(child.get("extra") or {})
        row["peak_rss_mb"] = round(process["peak_rss_mb"], 1)
        row["status"] = "ok"
        if sample_rows:
            return {**row, "sample_rows": sample_rows}
        if keep_synthetic is not None:
            keep_synthetic.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(synthetic_path, keep_synthetic)
        synthetic = pd.read_parquet(synthetic_path)
        try:
            row.update(judge_all(data, synthetic))
        except Exception as error:  # a peer's odd output must not end the other runs
            return {**row, "status": "failed", "reason": f"judging failed: {error}"}
        return row


def judge_all(data: harness.Prepared, synthetic: pd.DataFrame) -> dict:
    from sdmetrics.single_table import LogisticDetection
    from threadpoolctl import threadpool_limits

    from synthgan import evaluate
    from synthgan.evaluation.fidelity import sdmetrics_metadata

    scores = judge.judge(data.train_canonical, data.holdout_canonical, synthetic, data.discrete, data.target)
    fake = judge.canonical(synthetic, list(data.train.columns), data.discrete)
    real = data.train_canonical
    report = evaluate(real=real, synthetic=fake, discrete_columns=data.discrete, sections=["detection"], seed=0)
    scores["detection_auc"] = report["detection"].value("detection_auc")
    from synthgan.data import infer_schema

    metadata = sdmetrics_metadata(infer_schema(real, discrete_columns=data.discrete))
    sample = min(len(real), len(fake), 10_000)
    try:
        with threadpool_limits(1):
            scores["logistic_detection"] = float(
                LogisticDetection.compute(
                    real.sample(sample, random_state=0), fake.sample(sample, random_state=0), metadata
                )
            )
    except ValueError as error:
        # SDMetrics fits its one-hot encoder on the real rows only: a synthetic level the real rows
        # lack (a null where they have none) makes it fail. The other judges still score the table.
        scores["logistic_detection"] = None
        scores["logistic_detection_failed"] = str(error)[:200]
    real_shares = real[data.target].value_counts(normalize=True)
    fake_shares = fake[data.target].value_counts(normalize=True).reindex(real_shares.index, fill_value=0.0)
    scores["target_share_gap"] = float((real_shares - fake_shares).abs().max())
    scores.update(rule_compliance(real, fake))
    return scores


def reference(dataset: str, rows: int | None) -> dict:
    """What real rows score: TRTR ROC AUC, and the share of holdout rows that equal a training row."""
    with tempfile.TemporaryDirectory(prefix="flagship-") as folder:
        data = harness.prepare(harness.DATASETS[dataset], rows, Path(folder))
        train, holdout = data.train_canonical, data.holdout_canonical
        positive = judge.positive_class(train, data.target)
        return {
            "trtr_auc": judge.tstr_auc(train, holdout, data.target, data.discrete, positive),
            "holdout_exact_copy_rate": judge.exact_copy_rate(train, holdout, data.discrete),
        }


def summarize(rows: list[dict]) -> list[dict]:
    frame = pd.DataFrame([row for row in rows if row.get("status") == "ok"])
    if frame.empty:
        return []
    wanted = [m for m in MEASURES if m in frame] + [c for c in frame if c.startswith("rules_")]
    out = []
    for (dataset, model), group in frame.groupby(["dataset", "model"], sort=False):
        means = {m: round(float(np.nanmean(group[m].astype(float))), 4) for m in wanted}
        out.append({"dataset": dataset, "model": model, "seeds": sorted(group["seed"].tolist()), **means})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="adult", help="comma-separated, from the peers harness' datasets")
    parser.add_argument("--models", default="argan,mostlyai_argn", help="comma-separated; name:key=value;key=value")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--rows", type=int, help="subsample each dataset to this many rows before the split")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--output", type=Path, default=RESULTS / "flagship.json")
    parser.add_argument("--resume", action="store_true", help="keep the runs already in --output")
    parser.add_argument("--sampling", type=int, metavar="ROWS", help="time sampling ROWS rows only (no judging)")
    args = parser.parse_args(argv)
    if args.sampling and args.output == RESULTS / "flagship.json":
        args.output = RESULTS / "flagship_sampling.json"

    document = json.loads(args.output.read_text()) if args.resume and args.output.is_file() else {"runs": []}
    document["machine"] = machine()
    done = {(r["dataset"], r["model"], r["seed"]) for r in document["runs"] if r.get("status") == "ok"}
    models = [parse_model(text) for text in args.models.split(",") if text]
    for dataset in args.datasets.split(","):
        if not args.sampling:
            document.setdefault("reference", {})[dataset] = reference(dataset, args.rows)
        for seed in (int(s) for s in args.seeds.split(",")):
            for label, model, params in models:  # models side by side within each seed
                if (dataset, label, seed) in done:
                    continue
                started = time.perf_counter()
                row = run(dataset, label, model, params, seed, args.rows, args.timeout, args.sampling)
                row["wall_seconds"] = round(time.perf_counter() - started, 1)
                document["runs"] = [
                    r for r in document["runs"] if (r["dataset"], r["model"], r["seed"]) != (dataset, label, seed)
                ]
                document["runs"].append(row)
                save(document, args.output)
                shown = {k: row.get(k) for k in ("dataset", "model", "seed", "status", "quality", "detection_auc")}
                print(json.dumps(shown), file=sys.stderr, flush=True)
    save(document, args.output)
    print(json.dumps(document.get("summary", []), indent=2))
    return 0


def save(document: dict, output: Path) -> None:
    """Write the runs and their summary: a temporary file, then a rename, so no half-written JSON."""
    document["summary"] = summarize(document["runs"])
    write_json(document, output)


if __name__ == "__main__":
    raise SystemExit(main())
