"""Fuzz the model-file loader: mutated copies of real model files of every family.

Each case takes a real model file (argan, ctgan, timegan, dcgan, cdcgan; fitted in seconds on
small data), applies one seeded mutation and loads it. A case passes when the file either loads
and generates valid items (the columns the loaded model declares, as many rows as asked, no NaN in
a column it declares never null; images of its shape with finite pixels) or raises
``ModelFileError``; it fails on any other exception, on invalid items, on a hang over 10 s and on a
crash of the process (each run of cases is a child process, so a crash is seen and counted).

Mutations: byte flips, truncations, header-length lies, tensor-offset, shape and dtype lies in the
safetensors header, JSON edits of synthgan's header (wrong types, huge or negative numbers, missing
and extra keys, path-like strings, newer format versions) and tensors replaced by ones of another
shape or dtype, or with flipped bytes, with the checksum recomputed (a deliberate edit, not
corruption).

    python benchmarks/fuzz_model_files.py --cases 10000 --seed 0   # JSON summary on stdout
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
CASE_SECONDS = 10
FAMILY_MODELS = ("argan", "ctgan", "timegan", "dcgan", "cdcgan")
KINDS = (
    "byte_flip",
    "truncate",
    "header_length",
    "tensor_offsets",
    "tensor_shape",
    "tensor_dtype",
    "json_edit",
    "tensor_replaced",
    "weights_flipped",
)


# ---------------------------------------------------------------- real model files
def build_model_files(folder: Path) -> dict[str, Path]:
    """Fit each family's models on small data and save them; seconds in all."""
    from sklearn.datasets import load_digits

    from synthgan import Synthesizer, load_dataset

    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.synth" for name in FAMILY_MODELS}
    if all(path.exists() for path in paths.values()):
        return paths
    quiet = {"seed": 0, "verbose": False}
    table = load_dataset("adult").sample(400, random_state=0).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Synthesizer("argan", epochs=1, refine_epochs=1, **quiet).fit(table).save(paths["argan"])
        small = {"generator_dims": (32,), "critic_dims": (32,), "noise_dim": 16}
        Synthesizer("ctgan", epochs=1, batch_size=100, **small, **quiet).fit(table).save(paths["ctgan"])
        fast = {"sequence_length": 6, "iterations": 2, "batch_size": 16, "hidden_dim": 8, "num_layers": 1}
        Synthesizer("timegan", **fast, **quiet).fit(panel(), time_column="time", entity_column="patient").save(
            paths["timegan"]
        )
        digits = load_digits()
        images, labels = digits.images[:64].astype(np.int64), digits.target[:64]
        Synthesizer("dcgan", epochs=1, batch_size=32, width=4, **quiet).fit(images).save(paths["dcgan"])
        Synthesizer("cdcgan", epochs=1, batch_size=32, width=4, **quiet).fit(images, labels=labels).save(
            paths["cdcgan"]
        )
    return paths


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frames = []
    for e in range(3):
        level = np.sin(np.arange(20) / 3 + e) + 0.1 * rng.normal(size=20)
        frames.append(
            pd.DataFrame(
                {
                    "time": pd.date_range("2024-05-01", periods=20, freq="h"),
                    "patient": f"P{e}",
                    "level": level,
                    "state": np.where(level > 0, "on", "off"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- the file's parts
def split_file(data: bytes) -> tuple[dict[str, Any], bytes]:
    (length,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + length]), data[8 + length :]


def join_file(header: dict[str, Any], body: bytes) -> bytes:
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + body


def tensor_names(header: dict[str, Any]) -> list[str]:
    return sorted(name for name in header if name != "__metadata__")


def digest(header: dict[str, Any], body: bytes) -> str:
    """synthgan's tensor checksum (io._digest) computed from the raw bytes."""
    sha = hashlib.sha256()
    for name in tensor_names(header):
        begin, end = header[name]["data_offsets"]
        sha.update(name.encode())
        sha.update(body[begin:end])
    return sha.hexdigest()


def with_meta(header: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    header = dict(header)
    header["__metadata__"] = {**header["__metadata__"], "synthgan": json.dumps(meta)}
    return header


def rebuilt(header: dict[str, Any], body: bytes, tensors: dict[str, bytes], meta: dict[str, Any]) -> bytes:
    """A file whose tensor bytes are ``tensors`` (by name, headers already edited) and checksum fixed."""
    offset, parts = 0, []
    for name in tensor_names(header):
        chunk = tensors[name]
        header[name] = {**header[name], "data_offsets": [offset, offset + len(chunk)]}
        offset += len(chunk)
        parts.append(chunk)
    body = b"".join(parts)
    meta = {**meta, "tensor_sha256": digest(header, body)}
    return join_file(with_meta(header, meta), body)


# ---------------------------------------------------------------- mutations
ODD_VALUES: tuple[Any, ...] = (
    "x",
    "",
    [],
    {},
    None,
    True,
    3.5,
    0,
    -1,
    -(10**12),
    10**12,
    10**30,
    "../../etc/passwd",
    "/dev/zero",
    "C:\\Windows\\System32",
    "\x00",
    [1, 2, 3],
    {"a": 1},
    float("nan"),
)


def json_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (lists sampled to a few items, so long lists do not dominate)."""
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += json_paths(inner, (*path, key))
    elif isinstance(value, list):
        for index in sorted({0, len(value) // 2, len(value) - 1}) if value else []:
            found += json_paths(value[index], (*path, index))
    return found


def edit_json(meta: dict[str, Any], rng: np.random.Generator) -> tuple[str, dict[str, Any]]:
    meta = copy.deepcopy(meta)
    choice = rng.integers(8)
    if choice == 0:
        meta["format_version"] = int(rng.choice([2, 99, 10**9]))
        return "newer_format", meta
    paths = [p for p in json_paths(meta) if p and p[0] not in ("tensor_sha256", "history")]
    path = paths[rng.integers(len(paths))]
    parent = meta
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    where = "/".join(str(step) for step in path)
    if choice == 1 and isinstance(parent, dict):
        del parent[last]
        return f"missing_key {where}", meta
    if choice == 2 and isinstance(parent, dict):
        parent[f"extra_{rng.integers(100)}"] = ODD_VALUES[rng.integers(len(ODD_VALUES))]
        return f"extra_key {where}", meta
    if choice == 3 and isinstance(parent[last], int | float) and not isinstance(parent[last], bool):
        parent[last] = parent[last] * int(rng.choice([-1, 1000, 10**9])) + int(rng.choice([-1, 1]))
        return f"number_scaled {where}", meta
    if choice == 4 and isinstance(parent[last], list) and parent[last]:
        parent[last] = parent[last][: rng.integers(len(parent[last]))] if rng.random() < 0.5 else parent[last] * 2
        return f"list_resized {where}", meta
    parent[last] = ODD_VALUES[rng.integers(len(ODD_VALUES))]
    return f"wrong_value {where}: {str(parent[last])[:40]}", meta


def mutate(original: bytes, rng: np.random.Generator) -> tuple[str, str, bytes]:
    """One seeded mutation: (kind, detail, mutated bytes)."""
    kind = KINDS[rng.integers(len(KINDS))]
    data = bytearray(original)
    header, body = split_file(original)
    meta = json.loads(header["__metadata__"]["synthgan"])
    names = tensor_names(header)
    name = names[rng.integers(len(names))]
    if kind == "byte_flip":
        for _ in range(rng.integers(1, 17)):
            data[rng.integers(len(data))] ^= int(rng.integers(1, 256))
        return kind, "", bytes(data)
    if kind == "truncate":
        return kind, "", bytes(data[: rng.integers(len(data))])
    if kind == "header_length":
        (length,) = struct.unpack("<Q", original[:8])
        lie = int(rng.choice([0, 1, length - 1, length + 1, length + 8, len(data), 2**40, 2**63 - 1]))
        return kind, str(lie), struct.pack("<Q", max(lie, 0)) + original[8:]
    if kind == "tensor_offsets":
        begin, end = header[name]["data_offsets"]
        lie = [
            [end, begin],
            [begin + 1, end + 1],
            [begin, end + 10**12],
            [0, end - begin],
            [begin, len(body) + 8],
            [-1, end],
        ][rng.integers(6)]
        header[name] = {**header[name], "data_offsets": lie}
        return kind, str(lie), join_file(header, body)
    if kind == "tensor_shape":
        shape = list(header[name]["shape"]) or [1]
        lie = [[10**12], [*shape, 2], shape[:-1], [s * 2 for s in shape], [-1], [0]][rng.integers(6)]
        header[name] = {**header[name], "shape": lie}
        return kind, str(lie), join_file(header, body)
    if kind == "tensor_dtype":
        lie = str(rng.choice(["F16", "I8", "U8", "F64", "BOOL", "I64", "C64", "F8_E4M3", "OBJECT", ""]))
        header[name] = {**header[name], "dtype": lie}
        return kind, lie, join_file(header, body)
    if kind == "json_edit":
        detail, edited = edit_json(meta, rng)
        return kind, detail, join_file(with_meta(header, edited), body)
    tensors = {n: body[slice(*header[n]["data_offsets"])] for n in names}
    if kind == "tensor_replaced":
        count = int(rng.integers(0, 64))
        dtype, code = [("float32", "F32"), ("float64", "F64"), ("int64", "I64"), ("uint8", "U8")][rng.integers(4)]
        values = rng.normal(size=count).astype(dtype)
        tensors[name] = values.tobytes()
        header[name] = {"dtype": code, "shape": [count], "data_offsets": [0, 0]}
        return kind, f"{name}:{code}[{count}]", rebuilt(header, body, tensors, meta)
    chunk = bytearray(tensors[name])
    for _ in range(rng.integers(1, 9) if chunk else 0):
        chunk[rng.integers(len(chunk))] ^= int(rng.integers(1, 256))
    tensors[name] = bytes(chunk)
    return "weights_flipped", name, rebuilt(header, body, tensors, meta)


# ---------------------------------------------------------------- one case
class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in the loader hides it."""


def _alarm(signum, frame) -> None:
    raise Hang()


def valid_items(model) -> str | None:
    """None when ``model`` generates valid items, else what is wrong."""
    if model.family == "image":
        images = model.sample(4, seed=1)
        shape = model.image_shape_[1:] if model.squeeze_ else model.image_shape_
        if images.shape != (4, *shape):
            return f"images of shape {images.shape}, expected {(4, *shape)}"
        return None if np.isfinite(images.astype(float)).all() else "non-finite pixels"
    if model.family == "sequence":
        rows = model.sample(3, seed=1)
        expected = 3 * model.sequence_length_
        if list(rows.columns) != list(model.columns_) or len(rows) != expected:
            return f"{len(rows)} rows of {list(rows.columns)}, expected {expected} of {model.columns_}"
        return None
    rows = model.sample(64, seed=1)
    declared = [spec.name for spec in model.transformer_.schema]
    if list(rows.columns) != declared or len(rows) != 64:
        return f"{len(rows)} rows of {list(rows.columns)[:5]}..., expected 64 of {declared[:5]}..."
    never_null = [spec.name for spec in model.transformer_.schema if not spec.null_share]
    bad = [name for name in never_null if rows[name].isna().any()]
    return f"NaN in never-null columns {bad}" if bad else None


def run_case(path: Path) -> tuple[str, str]:
    """(outcome, detail): outcome is loaded, refused, invalid, hang or other:<exception type>."""
    from synthgan import Synthesizer
    from synthgan.errors import ModelFileError

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = Synthesizer.load(path)
            problem = valid_items(model)
        return ("invalid", problem) if problem else ("loaded", "")
    except ModelFileError as error:
        return "refused", str(error)[:160]
    except Hang:
        return "hang", f"over {CASE_SECONDS} s"
    except Exception as error:  # what the fuzzer is here to find
        return f"other:{type(error).__name__}", str(error)[:300]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def cases(paths: dict[str, Path], seed: int, start: int, count: int):
    """Cases ``start .. start + count - 1`` of the seeded sequence: (index, model, kind, detail, bytes)."""
    originals = {name: path.read_bytes() for name, path in paths.items()}
    names = sorted(originals)
    for index in range(start, start + count):
        rng = np.random.default_rng([seed, index])
        name = names[rng.integers(len(names))]
        kind, detail, data = mutate(originals[name], rng)
        yield index, name, kind, detail, data


def run_cases(paths: dict[str, Path], seed: int, start: int, count: int, folder: Path, out=None) -> list[dict]:
    results = []
    for index, name, kind, detail, data in cases(paths, seed, start, count):
        target = folder / f"case{index}.synth"
        target.write_bytes(data)
        began = time.perf_counter()
        outcome, why = run_case(target)
        target.unlink()
        result = {"case": index, "model": name, "kind": kind, "detail": detail, "outcome": outcome, "why": why}
        result["seconds"] = round(time.perf_counter() - began, 3)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results.append(result)
        if out is not None:
            print(json.dumps(result), file=out, flush=True)
    return results


# ---------------------------------------------------------------- the run
def summarize(results: list[dict], crashes: list[int], seconds: float) -> dict[str, Any]:
    outcomes = Counter(r["outcome"] for r in results)
    by_kind: dict[str, Counter] = {}
    for r in results:
        by_kind.setdefault(r["kind"], Counter())[r["outcome"]] += 1
    failures = [r for r in results if r["outcome"] not in ("loaded", "refused")]
    return {
        "cases": len(results) + len(crashes),
        "outcomes": dict(outcomes),
        "crashes": len(crashes),
        "failures": len(failures) + len(crashes),
        "by_kind": {kind: dict(counts) for kind, counts in sorted(by_kind.items())},
        "by_model": dict(Counter(r["model"] for r in results)),
        "slowest_case_seconds": max((r["seconds"] for r in results), default=0.0),
        "slowest_cases": sorted(results, key=lambda r: -r["seconds"])[:10],
        "cases_raising_peak_memory": _memory_raisers(results),
        "failure_examples": failures[:20],
        "crashed_cases": crashes[:20],
        "seconds": round(seconds, 1),
        "peak_rss_mb_of_a_worker": None,
    }


def _memory_raisers(results: list[dict]) -> list[dict]:
    """Cases after which their worker's peak memory rose by more than 200 MB."""
    raisers, before = [], None
    for r in sorted(results, key=lambda r: r["case"]):
        if before is not None and r["peak_rss_mb"] - before > 200:
            raisers.append({**r, "rise_mb": round(r["peak_rss_mb"] - before, 1)})
        before = r["peak_rss_mb"]
    return raisers[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-worker", type=int, default=1_000, help="cases per child process")
    parser.add_argument("--output", type=Path, default=RESULTS / "fuzz_model_files.json")
    parser.add_argument("--worker", nargs=3, metavar=("FOLDER", "START", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "synthgan-fuzz"
    paths = build_model_files(work / "models")
    if args.worker:
        folder, start, count = Path(args.worker[0]), int(args.worker[1]), int(args.worker[2])
        run_cases(paths, args.seed, start, count, folder, out=sys.stdout)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"peak_rss_mb": round(rss, 1)}), flush=True)
        return
    began = time.perf_counter()
    results: list[dict] = []
    crashes: list[int] = []
    peak = 0.0
    start = 0
    with tempfile.TemporaryDirectory(dir=work) as folder:
        while start < args.cases:
            count = min(args.per_worker, args.cases - start)
            command = [sys.executable, __file__, "--seed", str(args.seed), "--worker", folder, str(start), str(count)]
            child = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            done = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
            peak = max([peak, *(d["peak_rss_mb"] for d in done if "peak_rss_mb" in d)])
            finished = [d for d in done if "case" in d]
            results += finished
            start += len(finished)
            if child.returncode != 0:  # the case after the last reported one took the process down
                crashes.append(start)
                print(f"case {start} crashed the process (exit {child.returncode})", file=sys.stderr)
                start += 1
            print(f"{start:,} / {args.cases:,} cases", file=sys.stderr, flush=True)
    summary = summarize(results, crashes, time.perf_counter() - began)
    summary["peak_rss_mb_of_a_worker"] = peak
    summary["seed"] = args.seed
    from common import machine

    document = {"summary": summary, "machine": machine()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2))
    tmp.replace(args.output)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
