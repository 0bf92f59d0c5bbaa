"""What ``synthgan fit`` and ``synthgan sample`` do for sequence models (``timegan``).

The commands stay one each: they ask the model's family and hand over to the helpers here,
which know the sequence options (time, entity and static columns, sequence length, iterations) and
that ``--rows`` counts sequences when sampling them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import pandas as pd

from synthgan.cli.options import split_list
from synthgan.data.sequence import GAP_POLICIES

__all__ = ["fit_sequences", "reject_sequence_options", "sample_sequences", "sequence_options"]


def sequence_options(command: Callable) -> Callable:
    """Add the options of sequence models to ``synthgan fit``."""
    options = [
        click.option("--time-column", default=None, help="Sequence models: column that orders each series."),
        click.option("--entity-column", default=None, help="Sequence models: one series per value of this column."),
        click.option("--static-columns", default="", help="Sequence models: comma-separated per-entity columns."),
        click.option(
            "--sequence-length", type=click.IntRange(min=2), default=None, help="Sequence models: steps per sequence."
        ),
        click.option(
            "--iterations", type=click.IntRange(min=1), default=None, help="Sequence models: steps of each phase."
        ),
        click.option(
            "--gaps",
            type=click.Choice(GAP_POLICIES),
            default=None,
            help="Sequence models: where timestamps skip a step (default: error).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def reject_sequence_options(model: str, options: dict[str, Any]) -> None:
    """A table model given a sequence option: say so instead of ignoring it."""
    given = [name for name, value in options.items() if value not in (None, "")]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"{flags} only apply to sequence models such as 'timegan', not to {model!r}.")


def fit_sequences(
    table: pd.DataFrame,
    model: str,
    output: str,
    *,
    epochs: int | None,
    batch_size: int | None,
    seed: int,
    max_minutes: float | None,
    quiet: bool,
    discrete: str,
    target: str | None,
    time_column: str | None,
    entity_column: str | None,
    static_columns: str,
    sequence_length: int | None,
    iterations: int | None,
    gaps: str | None,
) -> None:
    from synthgan.synthesizer import Synthesizer

    if epochs is not None:
        raise click.UsageError(f"{model!r} trains for --iterations (steps of each phase), not --epochs.")
    if target is not None:
        raise click.UsageError(f"--target is for conditional table models; {model!r} does not take one.")
    params: dict[str, Any] = {"seed": seed, "verbose": False if quiet else None}
    for name, value in (
        ("batch_size", batch_size),
        ("max_minutes", max_minutes),
        ("sequence_length", sequence_length),
        ("iterations", iterations),
        ("gaps", gaps),
    ):
        if value is not None:
            params[name] = value
    synthesizer = Synthesizer(model, **params)
    synthesizer.fit(
        table,
        time_column=time_column,
        entity_column=entity_column,
        static_columns=split_list(static_columns),
        discrete_columns=split_list(discrete) or None,
    )
    synthesizer.save(output)
    history = synthesizer.history
    length = synthesizer.params_["sequence_length"]
    click.echo(
        f"Fitted {model} on {len(table):,} rows: {synthesizer.windows_:,} windows of {length} steps, "
        f"{len(synthesizer.feature_columns_)} features; {history['phase'].nunique()} phases in "
        f"{history['seconds'].max():.0f} s ({synthesizer.stop_reason_})."
    )
    for note in synthesizer.notes_:
        click.echo(f"Note: {note}")
    click.echo(f"Model written to {output}")


def sample_sequences(synthesizer, count: int, seed: int | None, output: str) -> None:
    """Write ``count`` sequences (the ``--rows`` of ``synthgan sample``) in chunks, numbered 0 .. count - 1."""
    from synthgan.cli.io import TableWriter

    length = synthesizer.sequence_length_
    with TableWriter(output) as writer:
        for chunk in synthesizer.sample_chunks(count, seed=seed):
            writer.write(chunk)
    click.echo(
        f"Wrote {count:,} sequences of {length} steps ({count * length:,} rows, "
        f"column {synthesizer.sequence_column!r} numbers them) to {output}"
    )
