"""One validator for every model's parameters, writing every message the same way."""

from __future__ import annotations

import difflib
from typing import Any

from synthgan.errors import ParameterError
from synthgan.models.base import GANModel


def validate_params(model: type[GANModel], given: dict[str, Any]) -> dict[str, Any]:
    """Merge ``given`` into the model's defaults, checking names, types, bounds and choices."""
    specs = model.param_specs()
    unknown = [name for name in given if name not in specs]
    if unknown:
        name = unknown[0]
        if name.startswith("dp_") and not model.supports_dp:
            raise ParameterError(
                f"Model {model.name!r} cannot train with differential privacy ({name}) yet: {model.privacy}, and "
                "DP-SGD for them is not built. Use Synthesizer('argan', dp_epsilon=...)."
            )
        close = difflib.get_close_matches(name, specs, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParameterError(f"Model {model.name!r} has no parameter {name!r}.{hint}")
    params = {name: spec.default for name, spec in specs.items()}
    for name, value in given.items():
        spec = specs[name]
        if value is None and spec.allow_none:
            params[name] = None
            continue
        if isinstance(value, bool) and bool not in spec.types:
            raise ParameterError(f"Parameter {name!r} of {model.name!r} must be {_names(spec.types)}, got {value!r}.")
        if not isinstance(value, spec.types):
            raise ParameterError(f"Parameter {name!r} of {model.name!r} must be {_names(spec.types)}, got {value!r}.")
        if isinstance(value, tuple | list):
            _check_widths(model, name, value, spec)
            params[name] = tuple(value)
            continue
        if spec.choices is not None and value not in spec.choices:
            raise ParameterError(f"Parameter {name!r} must be one of {list(spec.choices)}, got {value!r}.")
        if spec.low is not None and value < spec.low:
            raise ParameterError(f"Parameter {name!r} must be >= {spec.low}, got {value!r}.")
        if spec.high is not None and value > spec.high:
            raise ParameterError(f"Parameter {name!r} must be <= {spec.high}, got {value!r}.")
        params[name] = tuple(value) if isinstance(value, list) else value
    if "pac" in params and params["batch_size"] % params["pac"]:
        raise ParameterError(
            f"batch_size ({params['batch_size']}) must be a multiple of pac ({params['pac']}). "
            f"Try batch_size={params['pac'] * max(1, params['batch_size'] // params['pac'])}."
        )
    return params


# Layers a list of widths may name.
MAX_LAYERS = 32


def _check_widths(model: type[GANModel], name: str, value: tuple | list, spec: Any) -> None:
    """A list parameter is a list of layer widths: whole numbers within the parameter's bounds."""
    if len(value) > MAX_LAYERS or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ParameterError(
            f"Parameter {name!r} of {model.name!r} must be a list of at most {MAX_LAYERS} whole-number widths, "
            f"got {value!r}."
        )
    outside = [v for v in value if (spec.low is not None and v < spec.low) or (spec.high is not None and v > spec.high)]
    if outside:
        raise ParameterError(f"Parameter {name!r} widths must lie in [{spec.low}, {spec.high}], got {outside[0]!r}.")


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)
