"""Time the full evaluation on a large table, next to SDMetrics' QualityReport on the same data; print JSON.

    python benchmarks/evaluate.py                       # BRFSS: 250,000 real rows vs 250,000 synthetic rows
    python benchmarks/evaluate.py --rows 20000          # quicker
    python benchmarks/evaluate.py --stand-in rows       # a stand-in made of copied real rows (privacy must flag it)
    python benchmarks/evaluate.py --save                # also keep the JSON in benchmarks/results/evaluate.json

The real table is a seeded sample of ``--rows`` rows of the dataset; the rows left over are the holdout.
No generator is involved: the synthetic table is an honest stand-in named in the JSON:

* ``columns`` (default): every column resampled independently, with replacement, from the real table.
  Marginals are right, every relation between columns is broken.
* ``rows``: real rows resampled with replacement: perfect fidelity, no privacy at all.

Figures: seconds per section (and for writing the HTML report), peak resident memory, our scores, and
SDMetrics' QualityReport (seconds and scores) run afterwards in the same process on the same tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from synthgan import datasets, evaluate
from synthgan.data.schema import infer_schema
from synthgan.evaluation import HEADLINE_KEYS
from synthgan.evaluation.fidelity import sdmetrics_metadata

RESULTS = Path(__file__).parent / "results"
STAND_INS = {
    "columns": "column-wise bootstrap of the real table: each column resampled independently (correlations broken)",
    "rows": "row-wise bootstrap of the real table: every synthetic row is a copy of a real row",
}


def stand_in(real: pd.DataFrame, kind: str, rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if kind == "rows":
        return real.iloc[rng.integers(0, len(real), rows)].reset_index(drop=True)
    return pd.DataFrame({c: real[c].to_numpy()[rng.integers(0, len(real), rows)] for c in real.columns})


def rss_mb() -> float:
    """Current resident memory in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
    }


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

        start = time.perf_counter()
        report = QualityReport()
        report.generate(real, synthetic, sdmetrics_metadata(infer_schema(real)), verbose=False)
        seconds = time.perf_counter() - start
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "seconds": round(seconds, 2),
        "score": float(report.get_score()),
        "column_shapes": float(properties["Column Shapes"]),
        "column_pair_trends": float(properties["Column Pair Trends"]),
        "note": "SDMetrics samples 50,000 rows (unseeded) per contingency table above 50,000 rows",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="brfss")
    parser.add_argument("--target", default=None, help="default: the dataset's target")
    parser.add_argument("--sensitive", default="Sex,Age", help="comma-separated (BRFSS: Sex,Age)")
    parser.add_argument("--rows", type=int, default=250_000, help="real rows (the rest is the holdout)")
    parser.add_argument("--stand-in", choices=sorted(STAND_INS), default="columns")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", type=Path, default=None, help="also keep the HTML report here")
    parser.add_argument("--no-sdmetrics", action="store_true")
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/evaluate.json")
    args = parser.parse_args(argv)

    facts = machine()
    table = datasets.load(args.dataset)
    target = args.target or datasets.info(args.dataset).get("target")
    shuffled = table.sample(frac=1.0, random_state=args.seed).reset_index(drop=True)
    rows = min(args.rows, len(shuffled) - 1000)
    real, holdout = shuffled.iloc[:rows].reset_index(drop=True), shuffled.iloc[rows:].reset_index(drop=True)
    synthetic = stand_in(real, args.stand_in, rows, args.seed + 1)
    sensitive = [c for c in args.sensitive.split(",") if c in table.columns]
    rss_loaded = rss_mb()

    start = time.perf_counter()
    report = evaluate(real, synthetic, holdout, target=target, sensitive=sensitive, seed=args.seed)
    evaluated = time.perf_counter()
    html = report.to_html(args.report)
    finished = time.perf_counter()
    peak_synthgan = peak_rss_mb()
    figures = report.to_dict()

    result = {
        "benchmark": "evaluate",
        "dataset": args.dataset,
        "real_rows": len(real),
        "synthetic_rows": len(synthetic),
        "holdout_rows": len(holdout),
        "columns": real.shape[1],
        "target": target,
        "sensitive": sensitive,
        "synthetic_stand_in": STAND_INS[args.stand_in],
        "seconds": {
            **{name: round(value, 2) for name, value in report.timings.items() if name != "total"},
            "evaluate_total": round(evaluated - start, 2),
            "html_report": round(finished - evaluated, 2),
            "total_with_report": round(finished - start, 2),
        },
        "memory_mb": {
            "rss_after_loading_tables": round(rss_loaded, 1),
            "peak_rss_through_evaluation_and_report": round(peak_synthgan, 1),
        },
        "html_report_bytes": len(html.encode()),
        "synthgan": {key: figures[key] for key in HEADLINE_KEYS},
        "verdicts": {name: verdict["status"] if verdict else None for name, verdict in figures["verdicts"].items()},
        "settings": figures["inputs"]["settings"],
        "machine": facts,
    }
    if not args.no_sdmetrics:
        result["sdmetrics_quality_report"] = sdmetrics_quality(real, synthetic)
        result["memory_mb"]["peak_rss_including_sdmetrics"] = round(peak_rss_mb(), 1)
    text = json.dumps(result, indent=2)
    print(text)
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "evaluate.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
