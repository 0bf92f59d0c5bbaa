"""Run every (model, dataset) in its own process, judge it, and keep the rows as JSON.

The parent (this module, synthgan's own environment) prepares each dataset once: the manifest's
id columns dropped, an optional fixed subsample, the same shuffled 80/20 split with the same seed
for everyone. It writes the training rows to parquet and starts ``runner.py`` with the Python of
the model's environment; it waits with a time limit, takes the child's peak memory from ``wait4``,
reads the synthetic rows back and judges them with ``judge.py``. Whatever happens, a row is
written: ok, not installed, unavailable, crashed or timed out, with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import envs, judge

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "runner.py"
RESULTS = HERE.parent / "results"
SEED = 0


# --------------------------------------------------------------------------- what runs
@dataclass(frozen=True)
class ModelSpec:
    name: str
    env: str
    library: str
    label: str


# synthgan's models are read from the engine at run time; this list is the fallback when the
# engine cannot be imported (their rows then say "synthgan engine not available").
SYNTHGAN_FALLBACK = ("ctgan",)

PEERS: tuple[ModelSpec, ...] = (
    ModelSpec("ctgan_pkg", envs.MAIN, "ctgan", "CTGAN (ctgan package)"),
    ModelSpec("sdv_ctgan", "sdv", "sdv", "SDV CTGANSynthesizer"),
    ModelSpec("sdv_tvae", "sdv", "sdv", "SDV TVAESynthesizer"),
    ModelSpec("sdv_gaussiancopula", "sdv", "sdv", "SDV GaussianCopulaSynthesizer"),
    ModelSpec("ydata_ctgan", "ydata", "ydata-synthetic", "ydata-synthetic CTGAN"),
    ModelSpec("ydata_wgangp", "ydata", "ydata-synthetic", "ydata-synthetic WGAN-GP"),
    ModelSpec("synthcity_ctgan", "synthcity", "synthcity", "synthcity ctgan"),
    ModelSpec("synthcity_tvae", "synthcity", "synthcity", "synthcity tvae"),
    ModelSpec("mostlyai_argn", "mostlyai", "mostlyai-engine", "mostlyai-engine TabularARGN"),
)
# Known to the adapters, run only when named with --models.
EXTRA: tuple[ModelSpec, ...] = (
    ModelSpec("ctgan_pkg_tvae", envs.MAIN, "ctgan", "TVAE (ctgan package)"),
    ModelSpec("ydata_cramer", "ydata", "ydata-synthetic", "ydata-synthetic CramerGAN"),
)


def synthgan_models() -> tuple[list[ModelSpec], str | None]:
    """synthgan's registered models, or the fallback list and the reason the engine is missing."""
    try:
        from synthgan import available_models

        names, reason = list(available_models("table")), None
    except Exception as error:
        names, reason = list(SYNTHGAN_FALLBACK), f"synthgan engine not available: {type(error).__name__}: {error}"
    return [ModelSpec(f"synthgan_{n}", envs.MAIN, "synthgan", f"synthgan {n}") for n in names], reason


def all_models() -> list[ModelSpec]:
    return synthgan_models()[0] + list(PEERS)


def known_models() -> dict[str, ModelSpec]:
    return {m.name: m for m in [*all_models(), *EXTRA]}


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    source: str
    rows: int | None = None


DATASETS: dict[str, DatasetSpec] = {
    "adult": DatasetSpec("adult", "adult"),
    "brfss": DatasetSpec("brfss", "diabetes_binary_brfss2015"),
    "brfss_50k": DatasetSpec("brfss_50k", "diabetes_binary_brfss2015", rows=50_000),
    "credit": DatasetSpec("credit", "default_of_credit_card_clients"),
    "shoppers": DatasetSpec("shoppers", "online_shoppers_intention"),
    "bank": DatasetSpec("bank", "bank_marketing"),
    # Used by benchmarks/flagship.py (the flagship issue's tables); not in the default peer table.
    "brfss5050": DatasetSpec("brfss5050", "diabetes_binary_5050split_brfss2015"),
    "magic": DatasetSpec("magic", "magic_gamma_telescope"),
    "pima": DatasetSpec("pima", "pima_indians_diabetes"),
}
PEER_TABLE_DATASETS = ("adult", "brfss", "brfss_50k", "credit", "shoppers", "bank")
QUICK_DATASETS = ("adult",)
QUICK_ROWS = 2_500  # 2,000 training rows after the 80/20 split
QUICK_EPOCHS = 5


@dataclass
class Prepared:
    spec: DatasetSpec
    train: pd.DataFrame
    holdout: pd.DataFrame
    discrete: list[str]
    target: str
    train_path: Path
    train_canonical: pd.DataFrame
    holdout_canonical: pd.DataFrame


def split(frame: pd.DataFrame, seed: int = SEED, train_share: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 80/20 split every model gets: one shuffle with ``seed``, first 80% train."""
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = round(train_share * len(shuffled))
    return shuffled.iloc[:cut].reset_index(drop=True), shuffled.iloc[cut:].reset_index(drop=True)


def load_dataset(spec: DatasetSpec, rows: int | None) -> tuple[pd.DataFrame, list[str], str]:
    from synthgan import datasets

    frame = datasets.load(spec.source)
    info = datasets.info(spec.source)
    frame = frame.drop(columns=[c for c in info.get("id_columns", []) if c in frame.columns])
    limit = min(r for r in (rows, spec.rows) if r) if (rows or spec.rows) else None
    if limit is not None and limit < len(frame):
        frame = frame.sample(limit, random_state=SEED).reset_index(drop=True)
    target = info["target"]
    discrete = [c for c in info.get("categorical", []) if c in frame.columns]
    if not discrete:  # the embedded Adult without the shared manifest
        discrete = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if target not in discrete:
        discrete.append(target)
    return frame, discrete, target


def prepare(spec: DatasetSpec, rows: int | None, workdir: Path) -> Prepared:
    frame, discrete, target = load_dataset(spec, rows)
    return from_frame(spec, frame, discrete, target, workdir)


def from_frame(spec: DatasetSpec, frame: pd.DataFrame, discrete: list[str], target: str, workdir: Path) -> Prepared:
    """Split ``frame`` and write its training rows where the children read them."""
    train, holdout = split(frame)
    path = workdir / f"{spec.name}_train.parquet"
    train.to_parquet(path, index=False)
    columns = list(train.columns)
    return Prepared(
        spec,
        train,
        holdout,
        discrete,
        target,
        path,
        judge.canonical(train, columns, discrete),
        judge.canonical(holdout, columns, discrete),
    )


# --------------------------------------------------------------------------- one process per run
def run_process(command: list[str], timeout: float, log_path: Path, env: dict | None = None) -> dict:
    """Run ``command`` in its own session; return exit code, seconds, peak memory (wait4), timed_out."""
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        deadline = started + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.1)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        with contextlib.suppress(ProcessLookupError, PermissionError):  # what the child left in its session
            os.killpg(process.pid, signal.SIGKILL)
    return {
        "returncode": process.returncode,
        "wall_seconds": time.perf_counter() - started,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "timed_out": timed_out,
    }


def child_env() -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONHASHSEED="0",
        CUDA_VISIBLE_DEVICES="",
        TF_CPP_MIN_LOG_LEVEL="2",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        MPLBACKEND="Agg",
    )
    env.pop("PYTHONPATH", None)
    return env


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def run_one(
    model: ModelSpec,
    data: Prepared,
    workdir: Path,
    epochs: int | None,
    timeout: float,
    unavailable_reason: str | None = None,
) -> dict:
    """Fit, sample and judge one model on one dataset; always return a row."""
    row: dict = {
        "dataset": data.spec.name,
        "model": model.name,
        "label": model.label,
        "library": model.library,
        "env": model.env,
        "train_rows": len(data.train),
        "holdout_rows": len(data.holdout),
    }
    status = envs.status_of(model.env)
    if not status.get("ok"):
        row.update(status="not installed", reason=status.get("reason", "environment failed to set up"))
        return row
    if unavailable_reason:
        row.update(status="unavailable", reason=unavailable_reason)
        return row
    python = envs.python_of(model.env)
    stem = f"{data.spec.name}__{model.name}"
    args = {
        "model": model.name,
        "train_path": str(data.train_path),
        "discrete_columns": data.discrete,
        "target": data.target,
        "epochs": epochs,
        "seed": SEED,
        "n_sample": len(data.train),
        "synthetic_path": str(workdir / f"{stem}_synthetic.parquet"),
    }
    args_path, result_path, log_path = (
        workdir / f"{stem}{suffix}" for suffix in (".args.json", ".result.json", ".log")
    )
    args_path.write_text(json.dumps(args))
    result_path.unlink(missing_ok=True)
    process = run_process([str(python), str(RUNNER), str(args_path), str(result_path)], timeout, log_path, child_env())
    row["peak_rss_mb"] = round(process["peak_rss_mb"], 1)
    row["process_seconds"] = round(process["wall_seconds"], 2)
    row["process_cpu_seconds"] = round(process["cpu_seconds"], 2)  # user + system, all threads
    child = json.loads(result_path.read_text()) if result_path.is_file() else {}
    for key in ("fit_seconds", "sample_seconds", "sample_rows_per_s", "epochs", "notes", "python"):
        if key in child:
            row[key] = child[key]
    if process["timed_out"]:
        row.update(status="timed out", reason=f"no result within the {timeout:.0f} s limit (process killed)")
        return row
    if child.get("status") != "ok":
        if child:
            row.update(status=child.get("status", "crashed"), reason=child.get("error", ""))
            if child.get("status") == "crashed":
                row["traceback_tail"] = "\n".join(child.get("traceback", "").strip().splitlines()[-6:])
        else:
            row.update(
                status="crashed", reason=f"exit code {process['returncode']}, no result; log tail:\n{_tail(log_path)}"
            )
        return row
    try:
        synthetic = pd.read_parquet(args["synthetic_path"])
        started = time.perf_counter()
        scores = judge.judge(data.train_canonical, data.holdout_canonical, synthetic, data.discrete, data.target)
        row["judge_seconds"] = round(time.perf_counter() - started, 2)
    except Exception as error:
        row.update(status="judge failed", reason=f"{type(error).__name__}: {error}")
        return row
    row.update(scores)
    row["status"] = "ok"
    Path(args["synthetic_path"]).unlink(missing_ok=True)
    return row


def reference_row(data: Prepared) -> dict:
    """The ceiling: the real holdout judged as if it were synthetic (TSTR becomes train-real-test-real)."""
    scores = judge.judge(
        data.train_canonical, data.holdout_canonical, data.holdout_canonical, data.discrete, data.target, reference=True
    )
    scores["tstr_auc"] = judge.tstr_auc(
        data.train_canonical,
        data.holdout_canonical,
        data.target,
        data.discrete,
        judge.positive_class(data.train_canonical, data.target),
    )
    return {
        "dataset": data.spec.name,
        "model": "real_holdout",
        "label": "real data (holdout vs train; TSTR = train real, test real)",
        "library": "reference",
        "env": envs.MAIN,
        "status": "reference",
        "train_rows": len(data.train),
        "holdout_rows": len(data.holdout),
        **scores,
    }


# --------------------------------------------------------------------------- machine and file
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "device": "CPU for every model (GPUs hidden from the children)",
    }


def write_results(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, default=_json_default) + "\n")
    temporary.replace(path)


def _json_default(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def run(
    models: list[str] | None = None,
    datasets: list[str] | None = None,
    quick: bool = False,
    epochs: int | None = None,
    rows: int | None = None,
    timeout: float | None = None,
    output: Path | None = None,
    resume: bool = False,
    fresh: bool = False,
    log=print,
) -> dict:
    """Run the benchmark and return the results document (also written to ``output``)."""
    synthgan_specs, engine_reason = synthgan_models()
    catalogue = {m.name: m for m in [*synthgan_specs, *PEERS, *EXTRA]}
    if models:
        unknown = [m for m in models if m not in catalogue and not m.startswith("debug_")]
        if unknown:
            raise SystemExit(f"unknown models {unknown}; known: {sorted(catalogue)}")
        chosen = [catalogue.get(m) or ModelSpec(m, envs.MAIN, "debug", m) for m in models]
    else:
        chosen = [*synthgan_specs, *PEERS]
    dataset_names = datasets or list(QUICK_DATASETS if quick else PEER_TABLE_DATASETS)
    unknown = [d for d in dataset_names if d not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown datasets {unknown}; known: {sorted(DATASETS)}")
    if quick:
        rows = rows or QUICK_ROWS
        epochs = epochs or QUICK_EPOCHS
    timeout = timeout or (600 if quick else 6 * 3600)
    output = output or RESULTS / ("peers_quick.json" if quick else "peers.json")

    # The results file is a store: rows of (dataset, model) pairs this run does not plan are kept,
    # so `--models X` re-runs X alone. --resume also keeps this run's pairs that already succeeded.
    earlier = json.loads(output.read_text()) if output.is_file() and not fresh else {}
    planned = {(d, m.name) for d in dataset_names for m in chosen} | {(d, "real_holdout") for d in dataset_names}
    kept_rows = [r for r in earlier.get("rows", []) if (r.get("dataset"), r.get("model")) not in planned]
    previous = {}
    if resume:
        for row in earlier.get("rows", []):
            if row.get("status") in ("ok", "reference"):
                previous[(row["dataset"], row["model"])] = row

    env_names = sorted({m.env for m in chosen})
    document = {
        "kind": "quick" if quick else "full",
        "command": " ".join(["python", "benchmarks/peers.py", *sys.argv[1:]]) if sys.argv else "",
        "settings": {
            "seed": SEED,
            "split": "one shuffle with the seed, 80% train / 20% holdout, the same for every model",
            "rows": rows,
            "epochs": epochs if epochs is not None else "each library's default",
            "timeout_s": timeout,
            "quality_rows_max": judge.QUALITY_ROWS,
            "dcr_rows": judge.DCR_ROWS,
            "classifier": {"HistGradientBoostingClassifier": judge.CLASSIFIER_PARAMS},
            "sampled_rows": "as many as the training rows",
        },
        "machine": machine(),
        "environments": {**earlier.get("environments", {}), **{name: envs.status_of(name) for name in env_names}},
        "datasets": dict(earlier.get("datasets", {})),
        "rows": kept_rows,
        "runs": list(earlier.get("runs", [])) if kept_rows else [],
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    this_run = {"command": document["command"], "started": document["started"], "pairs": len(planned)}
    document["runs"].append(this_run)
    if engine_reason:
        document["synthgan_engine"] = engine_reason
    with tempfile.TemporaryDirectory(prefix="synthgan-peers-") as folder:
        workdir = Path(folder)
        for dataset in dataset_names:
            data = prepare(DATASETS[dataset], rows, workdir)
            document["datasets"][dataset] = {
                "source": data.spec.source,
                "rows": len(data.train) + len(data.holdout),
                "train_rows": len(data.train),
                "holdout_rows": len(data.holdout),
                "target": data.target,
                "positive_class": judge.positive_class(data.train_canonical, data.target),
                "discrete_columns": data.discrete,
            }
            log(f"[{dataset}] {len(data.train)} training rows, {len(data.holdout)} holdout rows")
            document["rows"].append(previous.get((dataset, "real_holdout")) or reference_row(data))
            for model in chosen:
                if (dataset, model.name) in previous:
                    document["rows"].append(previous[(dataset, model.name)])
                    log(f"[{dataset}] {model.name}: kept from {output.name}")
                    continue
                reason = engine_reason if model.library == "synthgan" else None
                row = run_one(model, data, workdir, epochs, timeout, reason)
                row["settings"] = {"rows": rows, "epochs": epochs}
                document["rows"].append(row)
                write_results(output, document)
                log(f"[{dataset}] {model.name}: {_summary(row)}")
    document["finished"] = this_run["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    write_results(output, document)
    return document


def _summary(row: dict) -> str:
    if row.get("status") != "ok":
        return f"{row.get('status')}: {str(row.get('reason', '')).splitlines()[0] if row.get('reason') else ''}"
    return (
        f"quality {row['quality']:.3f}, TSTR AUC {row['tstr_auc']:.3f}, DCR share {row['dcr_share']:.3f}, "
        f"copies {row['exact_copy_rate']:.3f}, fit {row['fit_seconds']:.1f} s, {row['peak_rss_mb']:.0f} MB"
    )
