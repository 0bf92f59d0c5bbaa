"""Run one (model, dataset) in this process: ``python runner.py ARGS.json RESULT.json``.

Started by the harness with the Python of the model's own environment. ARGS names the training
table (parquet), the discrete columns, the target, the epochs (null: the library's default), the
seed and the rows to sample. RESULT gets the fit seconds, the sampling seconds, this process's
peak memory and the adapter's notes; the synthetic rows go to ARGS' ``synthetic_path``. A failure
is written to RESULT too (status, error, traceback tail) so the row can say why.
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
import traceback
from pathlib import Path


def peak_rss_mb() -> float:
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(self_kib, children_kib) / 1024


def main(args_path: str, result_path: str) -> int:
    args = json.loads(Path(args_path).read_text())
    result: dict = {"model": args["model"], "python": platform.python_version()}
    started = time.perf_counter()
    try:
        sys.path.insert(0, str(Path(__file__).parent))
        import adapters
        import pandas as pd

        train = pd.read_parquet(args["train_path"])
        adapter = adapters.adapter_for(args["model"])(args["model"], args.get("epochs"), args["seed"])
        adapter.params = dict(args.get("params") or {})  # model parameters (synthgan ablations)
        result["library"] = adapter.library
        start = time.perf_counter()
        adapter.fit(train, list(args["discrete_columns"]), args["target"])
        result["fit_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = adapter.sample(int(args["n_sample"]))
        result["sample_seconds"] = time.perf_counter() - start
        result["sample_rows"] = len(synthetic)
        result["sample_rows_per_s"] = len(synthetic) / max(result["sample_seconds"], 1e-9)
        result["epochs"] = adapter.epochs_used
        result["notes"] = adapter.notes
        result["extra"] = adapter.extra
        synthetic = synthetic.reset_index(drop=True)
        synthetic.columns = [str(c) for c in synthetic.columns]
        synthetic.to_parquet(args["synthetic_path"], index=False)
        result["status"] = "ok"
        code = 0
    except Exception as error:  # every failure becomes a row that says why
        unavailable = type(error).__name__ == "PeerUnavailable"
        result["status"] = "unavailable" if unavailable else "crashed"
        result["error"] = str(error) if unavailable else f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc()[-3000:]
        result["notes"] = getattr(locals().get("adapter"), "notes", [])
        code = 0 if unavailable else 1
    result["process_seconds"] = time.perf_counter() - started
    result["peak_rss_mb_self"] = peak_rss_mb()
    Path(result_path).write_text(json.dumps(result, indent=2, default=str))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
