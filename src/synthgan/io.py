"""Model files: one safetensors file; weights as tensors, everything else as JSON in its header.

Opening a model file never executes code from it: safetensors stores raw tensors and a JSON header,
and synthgan reads nothing else (no pickle, no ``torch.load``). Before anything is built, the
container and the header are checked (``model_file_checks``), and a SHA-256 of the tensor bytes in
the header catches corruption the format alone would not notice. A file that loads has generated a
few items already: any failure to build or to generate is a :class:`ModelFileError`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from synthgan.errors import ModelFileError, ParameterError, SynthganError
from synthgan.files import atomic_path
from synthgan.model_file_checks import check_container, check_header

if TYPE_CHECKING:
    from synthgan.synthesizer import Synthesizer

FORMAT_NAME = "synthgan-model"
FORMAT_VERSION = 1
HEADER_KEY = "synthgan"
# Items a model generates while it loads, to prove the file whole (milliseconds).
SMOKE_ITEMS = 2


def save_synthesizer(synthesizer: Synthesizer, path: str | Path) -> None:
    """Write ``synthesizer`` to ``path`` atomically (temp file, then rename).

    The family of the model (tables, sequences, images) supplies its own metadata and tensors
    (``_file_state``); this adds what every model file carries.
    """
    from synthgan import __version__

    family_meta, family_tensors = synthesizer._file_state()
    tensors = {name: _contiguous_cpu(value) for name, value in family_tensors.items()}
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "synthgan_version": __version__,
        "model": synthesizer.model,
        "params": dict(synthesizer.params_),
        "user_params": synthesizer.params,
        **family_meta,
        "history": synthesizer.history_,
        "stop_reason": synthesizer.stop_reason_,
        "tensor_sha256": _digest(tensors),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={HEADER_KEY: json.dumps(meta, default=_json_default)})


def load_synthesizer(path: str | Path) -> Synthesizer:
    """Read a model file; any problem with it raises :class:`ModelFileError`."""
    if not isinstance(path, str | os.PathLike):
        raise ParameterError(f"path must be a file path (a str or pathlib.Path), got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"No model file at {path}. Check the path, or fit and save a model first.")
    meta, tensors = _read(path)
    try:
        synthesizer = _rebuild(meta, tensors)
        synthesizer._check_sample(synthesizer._sample_block(SMOKE_ITEMS, None, 0, 0))  # what a loaded file can do
    except Exception as error:  # the file, not the caller, is at fault: one error type for all of it
        what = str(error)[:300] if isinstance(error, SynthganError) else f"{type(error).__name__}: {str(error)[:300]}"
        raise ModelFileError(f"{path} could not be loaded: {what.rstrip('.')}. The file may be corrupted.") from None
    return synthesizer


def _read(path: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    check_container(path)
    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"{path} is not a readable synthgan model file (truncated or corrupted?): {error}"
        ) from None
    if HEADER_KEY not in header:
        raise ModelFileError(f"{path} is a safetensors file but not a synthgan model (no synthgan header).")
    try:
        meta = json.loads(header[HEADER_KEY])
    except (json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path} has a corrupted synthgan header.") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path} has a corrupted synthgan header (not a JSON object).")
    if meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not a synthgan model file (format {meta.get('format')!r}).")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model-file format {version!r}, newer than this synthgan reads ({FORMAT_VERSION}). "
            "Upgrade synthgan to load it."
        )
    from synthgan.models import MODELS

    if meta.get("model") not in MODELS:
        raise ModelFileError(f"{path} holds model {str(meta.get('model'))[:50]!r}, which this synthgan does not know.")
    check_header(path, meta, getattr(MODELS[meta["model"]], "family", "table"))
    if meta.get("tensor_sha256") != _digest(tensors):
        raise ModelFileError(f"{path} is corrupted: its weights do not match the checksum in its header.")
    broken = next((name for name, t in tensors.items() if t.is_floating_point() and not bool(t.isfinite().all())), None)
    if broken is not None:  # training never saves these; an edited file could
        raise ModelFileError(f"{path} is corrupted: tensor {broken[:80]!r} holds NaN or infinite values.")
    negative = next((name for name, t in tensors.items() if name.endswith("running_var") and bool((t < 0).any())), None)
    if negative is not None:
        raise ModelFileError(f"{path} is corrupted: the variances in {negative[:80]!r} are negative.")
    return meta, tensors


def _rebuild(meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> Synthesizer:
    from synthgan.models import get_model
    from synthgan.models.params import validate_params
    from synthgan.synthesizer import Synthesizer
    from synthgan.training.runtime import resolve_device

    synthesizer = Synthesizer(meta["model"], **meta["user_params"])
    params = dict(meta["params"])
    if params.get("device") == "cuda":  # a model fitted on a GPU still loads on a machine without one
        params["device"] = "auto"
    synthesizer.params_ = validate_params(get_model(meta["model"]), params)
    synthesizer.device_ = resolve_device(synthesizer.params_["device"])
    synthesizer._restore(meta, tensors)
    synthesizer.history_ = meta["history"]
    synthesizer.stop_reason_ = meta["stop_reason"]
    return synthesizer


def _contiguous_cpu(value: torch.Tensor | np.ndarray) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(np.ascontiguousarray(value))
    return value.detach().cpu().contiguous()


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tensors):
        digest.update(name.encode())
        digest.update(
            tensors[name].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if tensors[name].numel() else b""
        )
    return digest.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"Cannot store {type(value).__name__} in a model file header.")
