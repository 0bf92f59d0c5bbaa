"""What a model file must look like before anything is built from it.

Two checks, both before a tensor is allocated or a network built:

* :func:`check_container` reads the safetensors header itself (8 bytes of length, then JSON) and
  refuses a header longer than the file or than :data:`MAX_HEADER_BYTES`, a dtype synthgan never
  writes, a shape whose bytes differ from its offsets, offsets outside the file or overlapping.
  A header that claims a 10^12-element tensor is refused here, not by a failed allocation.
* :func:`check_header` validates synthgan's JSON against :data:`HEADER_SCHEMA` (JSON Schema,
  checked by ``jsonschema``): every key's type, ranges, and bounded sizes of every list and text.

The family's own ``_restore`` then checks what a schema cannot say (tensor shapes against the
networks the parameters build, ``load_state_dict(strict=True)``).
"""

from __future__ import annotations

import itertools
import json
import math
import struct
from pathlib import Path
from typing import Any

from synthgan.errors import ModelFileError

__all__ = ["HEADER_SCHEMA", "MAX_HEADER_BYTES", "check_container", "check_header"]

MAX_HEADER_BYTES = 64 * 2**20
MAX_TENSORS = 100_000
# Bytes per element of each dtype synthgan writes (safetensors' names).
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

# Bounds of what a model file may hold: far above any real model, far below what would exhaust memory.
MAX_ITEMS = 1_000_000  # entries of any list (categories, history epochs, ...)
MAX_TEXT = 100_000  # characters of any string
MAX_COLUMNS = 100_000
MAX_SIZE = 2**31 - 1  # any count or width

COLUMN_KINDS = ["continuous", "integer", "categorical", "boolean", "datetime", "identifier", "constant"]
_SCALAR = {"type": ["string", "number", "integer", "boolean", "null"], "maxLength": MAX_TEXT}
_TEXT = {"type": "string", "maxLength": MAX_TEXT}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_SIZE}


def _list(items: dict[str, Any], most: int = MAX_ITEMS) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": most}


def _nested(depth: int) -> dict[str, Any]:
    """A JSON value of scalars, lists and objects nested at most ``depth`` deep."""
    if depth == 0:
        return _SCALAR
    inner = _nested(depth - 1)
    return {
        "anyOf": [
            _SCALAR,
            _list(inner),
            {"type": "object", "additionalProperties": inner, "maxProperties": MAX_ITEMS},
        ]
    }


_PARAMS = {"type": "object", "additionalProperties": _nested(2), "maxProperties": 1_000}
_TRANSFORMER = {
    "type": "object",
    "required": ["version", "params", "schema", "layout", "encoders"],
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "params": _PARAMS,
        "schema": {
            "type": "object",
            "required": ["columns"],
            "properties": {
                "columns": _list(
                    {
                        "type": "object",
                        "required": ["name", "kind", "dtype"],
                        "properties": {
                            "name": _TEXT,
                            "kind": {"enum": COLUMN_KINDS},
                            "dtype": {"type": "string", "maxLength": 200},
                            "null_share": {"type": "number", "minimum": 0, "maximum": 1},
                            "n_distinct": _COUNT,
                            "decimals": {"type": ["integer", "null"], "minimum": 0, "maximum": 64},
                            "categories": _list(_SCALAR),
                            "point_masses": _list(_SCALAR),
                            "notes": _list(_TEXT, 1_000),
                        },
                        "additionalProperties": _nested(3),
                    },
                    MAX_COLUMNS,
                )
            },
        },
        "layout": {
            "type": "object",
            "required": ["spans"],
            "properties": {
                "spans": _list(
                    {
                        "type": "object",
                        "required": ["column", "kind", "width", "start"],
                        "properties": {"column": _TEXT, "kind": _TEXT, "width": _COUNT, "start": _COUNT},
                        "additionalProperties": _nested(1),
                    }
                )
            },
        },
        "encoders": _list(
            {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"enum": ["numeric", "categorical", "identifier", "constant"]}},
                "additionalProperties": _nested(3),
            },
            MAX_COLUMNS,
        ),
    },
}

HEADER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "format",
        "format_version",
        "synthgan_version",
        "model",
        "params",
        "user_params",
        "history",
        "stop_reason",
        "tensor_sha256",
    ],
    "properties": {
        "format": {"const": "synthgan-model"},
        "format_version": {"type": "integer", "minimum": 1},
        "synthgan_version": {"type": "string", "maxLength": 100},
        "model": {"type": "string", "maxLength": 100},
        "params": _PARAMS,
        "user_params": _PARAMS,
        "history": _list({"type": "object", "additionalProperties": _SCALAR, "maxProperties": 1_000}),
        "stop_reason": {"type": "string", "maxLength": MAX_TEXT},
        "tensor_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        # tables and argan
        "target": {"type": ["string", "null"], "maxLength": MAX_TEXT},
        "condition_columns": _list(_TEXT, MAX_COLUMNS),
        "privacy": {"anyOf": [{"type": "null"}, {"type": "object", "additionalProperties": _nested(3)}]},
        "transformer": _TRANSFORMER,
        "rules": _list(
            {
                "type": "object",
                "required": ["first", "second", "kind"],
                "properties": {"first": _COUNT, "second": _COUNT, "kind": _TEXT, "premises": _nested(2)},
                "additionalProperties": False,
            }
        ),
        # sequences
        "sequence": {
            "type": "object",
            "required": ["sequence_length", "noise_dim", "columns"],
            "properties": {
                "sequence_length": {"type": "integer", "minimum": 2, "maximum": 100_000},
                "noise_dim": {"type": "integer", "minimum": 1, "maximum": 16_384},
                "columns": _list(_TEXT, MAX_COLUMNS),
            },
            "additionalProperties": _nested(4),
            "maxProperties": 1_000,
        },
        "static_transformer": {"anyOf": [{"type": "null"}, _TRANSFORMER]},
        # images
        "image_shape": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 4096}, "maxItems": 3},
        "squeeze": {"type": "boolean"},
        "pixels": {"type": "object", "additionalProperties": _SCALAR, "maxProperties": 100},
        "classes": {"anyOf": [{"type": "null"}, _list(_SCALAR, 100_000)]},
        "class_frequency": {"anyOf": [{"type": "null"}, _list({"type": "number", "minimum": 0}, 100_000)]},
    },
    "additionalProperties": _nested(3),
}

# Keys each family writes; a file of that family lacking one is refused.
FAMILY_KEYS = {
    "table": ("target", "transformer"),
    "sequence": ("sequence", "transformer"),
    "image": ("image_shape", "squeeze", "pixels", "classes", "class_frequency"),
}


def check_container(path: Path) -> None:
    """Refuse a safetensors file whose header lies about its tensors (before reading any of them)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        start = handle.read(8)
        if len(start) < 8:
            raise ModelFileError(f"{path} is not a readable synthgan model file: it is only {size} bytes long.")
        (length,) = struct.unpack("<Q", start)
        if length > min(MAX_HEADER_BYTES, size - 8):
            raise ModelFileError(
                f"{path} is not a readable model file (truncated or corrupted?): its header claims {length:,} "
                f"bytes of a {size:,}-byte file."
            )
        raw = handle.read(length)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path} is not a readable model file (truncated or corrupted?): bad header.") from None
    if not isinstance(header, dict) or len(header) > MAX_TENSORS:
        raise ModelFileError(f"{path} is not a readable model file: its header is not a table of tensors.")
    data_bytes = size - 8 - length
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        spans.append(_tensor_span(path, name, entry, data_bytes))
    spans.sort()
    for (_, end), (begin, _) in itertools.pairwise(spans):
        if begin < end:
            raise ModelFileError(f"{path} is corrupted: two of its tensors overlap.")


def _tensor_span(path: Path, name: str, entry: Any, data_bytes: int) -> tuple[int, int]:
    def refuse(why: str) -> ModelFileError:
        return ModelFileError(f"{path} is truncated or corrupted: tensor {name[:80]!r} {why}.")

    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise refuse("has a malformed entry")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPE_BYTES:
        raise refuse(f"has dtype {str(dtype)[:20]!r}, which synthgan never writes")
    if not isinstance(shape, list) or len(shape) > 8 or not all(_is_count(s) for s in shape):
        raise refuse("has a malformed shape")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_count(o) for o in offsets):
        raise refuse("has malformed offsets")
    begin, end = offsets
    if not begin <= end <= data_bytes:
        raise refuse(f"claims bytes {begin:,}..{end:,} of {data_bytes:,}")
    if math.prod(shape) * DTYPE_BYTES[dtype] != end - begin:
        raise refuse(f"claims shape {shape} in {end - begin:,} bytes")
    return begin, end


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62


def check_header(path: Path, meta: Any, family: str) -> None:
    """Refuse a synthgan header that does not match :data:`HEADER_SCHEMA` or lacks its family's keys."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(HEADER_SCHEMA)
    error = jsonschema.exceptions.best_match(validator.iter_errors(meta))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)[:200] or "the top level"
        raise ModelFileError(
            f"{path} has an invalid model header at {where}: {error.message[:300]}. The file may be corrupted."
        )
    missing = [key for key in FAMILY_KEYS.get(family, ()) if key not in meta]
    if missing:
        raise ModelFileError(f"{path} is a {family} model file without {missing}. The file may be corrupted.")
