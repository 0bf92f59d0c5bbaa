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
@click.option("--synthetic-only", is_flag=True, help="Write only generated rows (goals count synthetic rows only).")
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
    params,
    rows_per_class,
    ratio,
    per_class,
    synthetic_only,
    output,
) -> None:
    """Rebalance DATA on TARGET with synthetic rows (default: every class up to the majority).

    \b
    synthgan balance brfss.csv -t Diabetes_binary -o balanced.csv
    synthgan balance brfss.csv -t Diabetes_binary --model wgangp --per-class \\
        --rows-per-class 100000 --synthetic-only -o synthetic.csv
    """
    from synthgan.balancing import balance, class_counts, plan_counts
    from synthgan.cli.io import read_table, write_table

    if rows_per_class is not None and ratio is not None:
        raise click.UsageError("Give either --rows-per-class or --ratio, not both.")
    table = read_table(data)
    before = class_counts(table, target)
    plan = plan_counts(before, rows_per_class=rows_per_class, ratio=ratio, keep_real=not synthetic_only)
    click.echo(f"{target} before: {_counts(before)}")
    if not plan:
        click.echo("Every class already meets the goal: nothing to generate.")
    else:
        how = "one model per class" if per_class else "one conditional model"
        wanted = ", ".join(f"{rows:,} of {label}" for label, rows in plan.items())
        click.echo(f"Generating {wanted} with {model} ({how}) ...")
    params = model_params(epochs, batch_size, seed, max_minutes, quiet, model, params)
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
    click.echo(_table(target, result))
    kind = "synthetic rows" if synthetic_only else f"rows ({len(table):,} real)"
    click.echo(f"Wrote {len(result.data):,} {kind} to {output}")


def _counts(counts) -> str:
    return ", ".join(f"{label}: {int(count):,}" for label, count in counts.items())


def _table(target: str, result) -> str:
    """Class, rows before, generated, after: plain text that fits 80 columns."""
    labels = list(result.counts_before.index.union(result.counts_after.index, sort=False))
    rows = [
        (
            str(label)[:30],
            f"{int(result.counts_before.get(label, 0)):,}",
            f"{result.generated.get(label, 0):,}",
            f"{int(result.counts_after.get(label, 0)):,}",
        )
        for label in labels
    ]
    header = (target[:30], "before", "generated", "after")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
