"""``evaluate`` at scale: 10M real vs 10M synthetic rows from Parquet, seconds and peak memory.

    python benchmarks/scale_evaluate.py                  # prints JSON, keeps benchmarks/results/scale_evaluate.json
    python benchmarks/scale_evaluate.py --rows 3000000

"Real" is the first ``rows / 1M`` Parquet parts that benchmarks/scale_fit.py draws from a model of
BRFSS (made here if missing), "synthetic" as many further parts of the same model with other seeds,
and one more part the holdout. ``synthgan evaluate REAL SYNTH --holdout PART --target
Diabetes_binary`` runs in a child process with every section; the child's peak resident memory
(VmHWM) and the wall seconds are reported with the section timings. Both tables come from one
model, so the figures measure speed and memory, not a model's quality.
"""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS, machine, write_json
from scale_fit import PART_ROWS, _parts, peak_mb

OUTPUT = RESULTS / "scale_evaluate.json"
TARGET = "Diabetes_binary"

CHILD = """
import json, sys
from synthgan.cli.app import run
code = run(sys.argv[1:])
print("PEAK", peak_mb(), file=sys.stderr)
sys.exit(code)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of each table")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    count = -(-args.rows // PART_ROWS)
    parts, table = _parts((2 * count + 1) * PART_ROWS)
    real, synthetic, holdout = parts[:count], parts[count : 2 * count], parts[2 * count]
    work = real[0].parent
    folders = []
    for name, group in (("real", real), ("synthetic", synthetic)):
        folder = work / f"evaluate-{name}-{count}"
        folder.mkdir(exist_ok=True)
        for part in group:
            link = folder / part.name
            if not link.exists():
                link.symlink_to(part)
        folders.append(folder)
    report = work / "evaluate.json"
    program = f"from pathlib import Path\n{inspect.getsource(peak_mb)}\n{CHILD}"
    start = time.perf_counter()
    arguments = ["evaluate", str(folders[0]), str(folders[1]), "--holdout", str(holdout), "--target", TARGET]
    done = subprocess.run(
        [sys.executable, "-c", program, *arguments, "--json", str(report)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3_000:])
    figures = json.loads(report.read_text())
    document = {
        "machine": machine(),
        "table": table,
        "rows_per_table": count * PART_ROWS,
        "holdout_rows": PART_ROWS,
        "target": TARGET,
        "wall_seconds": seconds,
        "peak_rss_mb": float(done.stderr.split("PEAK")[-1]),
        "timings_s": figures.get("timings_s"),
        "inputs_streamed": figures["inputs"].get("streamed"),
        "score": figures.get("score"),
        "column_shapes": figures.get("column_shapes"),
        "column_pair_trends": figures.get("column_pair_trends"),
        "detection_auc": figures.get("detection_auc"),
        "tstr": figures.get("tstr"),
        "dcr_share": figures.get("dcr_share"),
    }
    write_json(document, args.output)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
