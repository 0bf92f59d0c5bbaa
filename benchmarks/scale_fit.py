"""Out-of-core fit: argan on 1M, 3M and 10M rows of Parquet, peak memory and seconds per pass and step.

    python benchmarks/scale_fit.py                      # prints JSON, keeps benchmarks/results/scale_fit.json
    python benchmarks/scale_fit.py --resume             # skips the row counts already in the results file
    python benchmarks/scale_fit.py --rows 1000000 --ctgan

The table: the BRFSS diabetes columns (../shared/datasets; the embedded Adult table without it),
drawn from an argan model fitted on the real rows and written as Parquet parts of 1,000,000 rows in
benchmarks/.cache/scale_fit (made once, kept). Each run fits argan in a child process on the first
k parts, given as a ``pyarrow.dataset.Dataset``, for a fixed number of likelihood steps (no
refinement, no early stopping), and reports the child's peak resident memory (VmHWM), the seconds
of each pass over the data (scan + transformer fit, tokens, token counts) and seconds per step.
``--ctgan`` adds ctgan at the smallest row count, which reads its table whole (not out of core).
"""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from common import RESULTS, machine, write_json

from synthgan import Synthesizer, load_dataset

OUTPUT = RESULTS / "scale_fit.json"
CACHE = Path(__file__).resolve().parent / ".cache" / "scale_fit"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
BRFSS = SHARED / "diabetes_binary_health_indicators_BRFSS2015.csv.gz"
PART_ROWS = 1_000_000
PLOT = Path(__file__).resolve().parents[1] / "docs" / "scale_fit.png"


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


CHILD = """
import json, sys, time
import pyarrow.dataset as pads
from synthgan import Synthesizer

model, steps, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
options = {"epochs": 1, "seed": 0, "verbose": False}
if model == "argan":
    options.update(steps_per_epoch=steps, refine="none", early_stopping=False)
start = time.perf_counter()
data = pads.dataset(files, format="parquet")
synthesizer = Synthesizer(model, **options).fit(data if model == "argan" else data.to_table().to_pandas())
seconds = time.perf_counter() - start
history = synthesizer.history
result = {"fit_seconds": seconds, "training_seconds": float(history["seconds"].max()), "peak_rss_mb": peak_mb()}
if model == "argan":
    result.update(steps=steps, data_seconds=synthesizer.data_seconds_, rows=synthesizer.training_rows_)
print("RESULT", json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,3000000,10000000", help="comma-separated row counts")
    parser.add_argument("--steps", type=int, default=300, help="likelihood steps of every argan fit")
    parser.add_argument("--ctgan", action="store_true", help="also fit ctgan (in memory) at the smallest count")
    parser.add_argument("--resume", action="store_true", help="keep the row counts already in the results file")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    counts = sorted(int(text) for text in args.rows.split(","))
    document = json.loads(args.output.read_text()) if args.resume and args.output.exists() else {}
    document.update({"machine": machine(), "steps": args.steps, "part_rows": PART_ROWS})
    parts, document["table"] = _parts(max(counts))
    runs = document.setdefault("argan", {})
    for rows in counts:
        if str(rows) not in runs:
            runs[str(rows)] = _fit("argan", parts[: -(-rows // PART_ROWS)], args.steps)
            write_json(document, args.output)
    if args.ctgan and "ctgan_in_memory" not in document:
        document["ctgan_in_memory"] = {str(counts[0]): _fit("ctgan", parts[: -(-counts[0] // PART_ROWS)], 0)}
    done = [runs[str(rows)] for rows in counts]
    document["summary"] = {
        "peak_rss_mb": [run["peak_rss_mb"] for run in done],
        "seconds_per_step": [run["training_seconds"] / run["steps"] for run in done],
        "transformer_pass_seconds": [run["data_seconds"]["transformer"] for run in done],
    }
    write_json(document, args.output)
    _plot(counts, done, PLOT)
    print(json.dumps(document, indent=2))


def _plot(counts: list[int], runs: list[dict], path: Path) -> None:
    """Peak memory and seconds (transformer pass, token pass, per 100 steps) against rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    millions = [rows / 1e6 for rows in counts]
    figure, (memory, seconds) = plt.subplots(1, 2, figsize=(9, 3.4))
    memory.plot(millions, [run["peak_rss_mb"] for run in runs], "o-", label="argan fit, peak RSS")
    memory.axhline(2_048, color="grey", linestyle=":", label="2 GB")
    memory.set(xlabel="rows (millions)", ylabel="MB", title="Peak memory", ylim=(0, None))
    memory.legend(fontsize=8)
    for key, label in (("transformer", "transformer pass"), ("tokens", "token pass"), ("counts", "token counts")):
        seconds.plot(millions, [run["data_seconds"][key] for run in runs], "o-", label=label)
    seconds.plot(millions, [100 * run["training_seconds"] / run["steps"] for run in runs], "o-", label="100 steps")
    seconds.set(xlabel="rows (millions)", ylabel="seconds", title="Time", ylim=(0, None))
    seconds.legend(fontsize=8)
    figure.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=110)
    tmp.rename(path)


def _parts(rows: int) -> tuple[list[Path], dict]:
    """Parquet parts of ``PART_ROWS`` rows, enough for ``rows``; made once from a model of the real table."""
    CACHE.mkdir(parents=True, exist_ok=True)
    name, real = ("brfss", pd.read_csv(BRFSS)) if BRFSS.exists() else ("adult", load_dataset("adult"))
    needed = -(-rows // PART_ROWS)
    parts = [CACHE / f"{name}-{index:03d}.parquet" for index in range(needed)]
    missing = [part for part in parts if not part.exists()]
    if missing:
        saved = CACHE / f"{name}.synth"
        if saved.exists():
            model = Synthesizer.load(saved)
        else:
            model = Synthesizer("argan", epochs=5, refine="none", seed=0, verbose=False).fit(real)
            model.save(saved)
        for part in missing:
            index = parts.index(part)
            frame = model.sample(PART_ROWS, seed=1_000 + index)
            tmp = part.with_suffix(".tmp")
            frame.to_parquet(tmp, index=False)
            tmp.rename(part)
    description = {"source": name, "real_rows": len(real), "columns": real.shape[1], "parts": len(parts)}
    return parts, description


def _fit(model: str, parts: list[Path], steps: int) -> dict:
    program = f"from pathlib import Path\n{inspect.getsource(peak_mb)}\n{CHILD}"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", program, model, str(steps), *map(str, parts)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2_000:], "wall_seconds": time.perf_counter() - start}
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    result["wall_seconds"] = time.perf_counter() - start
    print(model, len(parts), "parts:", json.dumps(result), file=sys.stderr, flush=True)
    return result


if __name__ == "__main__":
    main()
