"""Option groups shared by several commands (``fit`` and ``balance`` accept the same training options)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

# What --seed accepts everywhere: the seeds numpy and torch take.
SEED = click.IntRange(min=0, max=2**63 - 1)


def training_options(command: Callable) -> Callable:
    """Add the model and training options of ``synthgan fit`` to a command."""
    options = [
        click.option("--model", "-m", default="argan", show_default=True, help="Model name (see `synthgan models`)."),
        click.option("--epochs", type=click.IntRange(min=1), default=None, help="Training epochs (model default)."),
        click.option("--batch-size", type=click.IntRange(min=2), default=None, help="Rows per step."),
        click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every random draw."),
        click.option("--max-minutes", type=click.FloatRange(min=0), default=None, help="Training time budget."),
        click.option("--discrete", default="", help="Comma-separated columns to treat as categorical."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option(
            "--param",
            "-p",
            "params",
            multiple=True,
            metavar="NAME=VALUE",
            help="A model parameter (repeatable), e.g. -p hidden=256; see `synthgan models --params MODEL`.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def model_params(epochs, batch_size, seed, max_minutes, quiet, model: str = "", given=()) -> dict[str, Any]:
    """Synthesizer parameters from the training options that were given (``given``: ``--param`` items)."""
    params: dict[str, Any] = {"seed": seed, **parse_params(model, given)}
    if epochs is not None:
        params["epochs"] = epochs
    if batch_size is not None:
        params["batch_size"] = batch_size
    if max_minutes is not None:
        params["max_minutes"] = max_minutes
    params["verbose"] = False if quiet else None
    return params


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_params(model: str, items: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``["hidden=256", "generator_dims=128,128"]`` -> typed values, by the model's parameter specs.

    The values are checked again, with every other parameter, when the Synthesizer is fitted.
    """
    if not items:
        return {}
    import difflib

    from synthgan.models import get_model

    specs = get_model(model).param_specs()
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE.", param_hint="'--param'")
        if name not in specs:
            close = difflib.get_close_matches(name, specs, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise click.BadParameter(
                f"model {model!r} has no parameter {name!r}.{hint} See `synthgan models --params {model}`.",
                param_hint="'--param'",
            )
        out[name] = _typed(name, text.strip(), specs[name])
    return out


def _typed(name: str, text: str, spec: Any) -> Any:
    """``text`` as the first of the parameter's types that reads it."""
    if text.lower() in ("none", "null") and spec.allow_none:
        return None
    if bool in spec.types:
        if text.lower() in ("true", "yes", "on", "1"):
            return True
        if text.lower() in ("false", "no", "off", "0"):
            return False
    for kind in spec.types:
        try:
            if kind is dict:
                value = json.loads(text)
                if isinstance(value, dict):
                    return value
                continue
            if kind in (tuple, list):
                return tuple(int(part) for part in text.split(",") if part.strip())
            if kind in (int, float):
                return kind(text)
            if kind is str:
                return text
        except ValueError:  # json.JSONDecodeError is one
            continue
    expected = " or ".join("a JSON object" if t is dict else t.__name__ for t in spec.types)
    raise click.BadParameter(f"{name}={text!r}: expected {expected}.", param_hint="'--param'")
