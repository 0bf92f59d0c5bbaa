"""``synthgan balance DATA --target COL --output OUT``: add synthetic rows to the rare classes."""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import model_params, split_list, training_options


@app.command("balance")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--target", "-t", required=True, help="Class column to balance.")
@training_options
@click.option("--rows-per-class", type=click.IntRange(min=1), default=None, help="Bring every class to N rows.")
@click.option("--ratio", type=click.FloatRange(min=0, min_open=True), default=None, help="Classes to R x the majority.")
@click.option("--per-class", is_flag=True, help="One model per class (as the seed article) instead of one conditional.")
@click.option("--synthetic-only", is_flag=True, help="Write only the generated rows.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help=".csv, .csv.gz or .parquet")
def balance_command(
    data,
    target,
    model,
    epochs,
    batch_size,
    seed,
    max_minutes,
    discrete,
    quiet,
    rows_per_class,
    ratio,
    per_class,
    synthetic_only,
    output,
) -> None:
    """Rebalance DATA on TARGET with synthetic rows (default: every class up to the majority)."""
    from rich.console import Console
    from rich.table import Table

    from synthgan.balance import balance
    from synthgan.cli.io import read_table, write_table

    if rows_per_class is not None and ratio is not None:
        raise click.UsageError("Give either --rows-per-class or --ratio, not both.")
    table = read_table(data)
    params = model_params(epochs, batch_size, seed, max_minutes, quiet)
    result = balance(
        table,
        target,
        model=model,
        rows_per_class=rows_per_class,
        ratio=ratio,
        per_class=per_class,
        synthetic_only=synthetic_only,
        discrete_columns=split_list(discrete) or None,
        **params,
    )
    write_table(result.data, output)
    counts = Table(title=f"{target}: class counts", title_justify="left")
    for name in ("class", "before", "generated", "after"):
        counts.add_column(name, justify="left" if name == "class" else "right")
    for label in result.counts_after.index.union(result.counts_before.index):
        counts.add_row(
            str(label),
            f"{int(result.counts_before.get(label, 0)):,}",
            f"{result.generated.get(label, 0):,}",
            f"{int(result.counts_after.get(label, 0)):,}",
        )
    Console().print(counts)
    click.echo(f"Wrote {len(result.data):,} rows to {output}")
