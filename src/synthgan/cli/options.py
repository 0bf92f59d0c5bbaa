"""Option groups shared by several commands (``fit`` and ``balance`` accept the same training options)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def training_options(command: Callable) -> Callable:
    """Add the model and training options of ``synthgan fit`` to a command."""
    options = [
        click.option("--model", "-m", default="ctgan", show_default=True, help="Model name (see `synthgan models`)."),
        click.option("--epochs", type=click.IntRange(min=1), default=None, help="Training epochs (model default)."),
        click.option("--batch-size", type=click.IntRange(min=2), default=None, help="Rows per step."),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random draw."),
        click.option("--max-minutes", type=click.FloatRange(min=0), default=None, help="Training time budget."),
        click.option("--discrete", default="", help="Comma-separated columns to treat as categorical."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def model_params(epochs, batch_size, seed, max_minutes, quiet) -> dict[str, Any]:
    """Synthesizer parameters from the training options that were given."""
    params: dict[str, Any] = {"seed": seed}
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
