"""``synthgan inspect DATA``: print the inferred schema as a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from synthgan.cli.app import app
from synthgan.cli.options import split_list


@app.command("inspect")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the schema as JSON.")
@click.option("--discrete", default="", help="Comma-separated columns to treat as categorical.")
@click.option("--rules", "show_rules", is_flag=True, help="Also find the exact rules that hold in every row.")
def inspect_command(data: str, as_json: bool, discrete: str, show_rules: bool) -> None:
    """Show the schema synthgan infers for DATA (CSV or Parquet), or for a dataset name like 'adult'.

    --rules lists what holds in every row (a column that is a function of another, a level that
    fixes another column, columns null together): the rules argan keeps in every sampled row.

    DATA may also be a model file: then the model, how its training ended and, for a model fitted
    with differential privacy, its privacy record (spent epsilon, delta, accountant, noise).
    """
    from synthgan.cli.io import TABLE_SUFFIXES

    if Path(data).is_file() and not data.lower().endswith(TABLE_SUFFIXES):
        return _inspect_model(data, as_json)
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from synthgan.data.schema import infer_schema

    df = _load(data)
    schema = infer_schema(df, discrete_columns=split_list(discrete))
    rules = None
    if show_rules:
        from synthgan.families.argan import table_rules

        rules = table_rules(df, discrete_columns=split_list(discrete) or None)
    if as_json:
        extra = {} if rules is None else {"rules": rules}
        click.echo(json.dumps({"rows": len(df), **schema.to_dict(), **extra}, indent=2, default=str))
        return
    # Sized for an 80-column terminal: no outer padding, long names cut with an ellipsis, ranges
    # compact (thousands separators, integers without ".0", dates without a midnight time).
    title = f"{Path(data).name}: {len(df):,} rows x {df.shape[1]} columns"
    table = Table(
        title=escape(title),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column("column", no_wrap=True, overflow="ellipsis", max_width=20)
    table.add_column("kind", no_wrap=True, min_width=11)
    table.add_column("dtype", no_wrap=True, overflow="ellipsis", max_width=14)
    table.add_column("nulls", justify="right", no_wrap=True, min_width=5)
    table.add_column("distinct", justify="right", no_wrap=True, min_width=8)
    table.add_column("range", min_width=12)  # wraps at " - " rather than lose the maximum
    notes = []
    for spec in schema:
        notes += [escape(f"  {spec.name}: {note}") for note in spec.notes if "missing" not in note]
        table.add_row(
            escape(spec.name),
            spec.kind.value,
            escape(spec.dtype),
            f"{100 * spec.null_share:.1f}%" if spec.null_share else "",
            f"{spec.n_distinct:,}",
            _range(spec.minimum, spec.maximum, spec.kind.value == "datetime"),
        )
    console = Console()
    console.print(table)
    if notes:
        console.print("Notes:", *notes, sep="\n", highlight=False)
    if rules is not None:
        found = [escape(f"  {rule}") for rule in rules] or ["  none found"]
        console.print("Rules that hold in every row (argan keeps them):", *found, sep="\n", highlight=False)


def _range(low, high, is_datetime: bool = False) -> str:
    if low is None:
        return ""
    if is_datetime:
        return _date_range(str(low), str(high))
    return f"{_number(low)} - {_number(high)}"


def _date_range(low: str, high: str) -> str:
    """ISO timestamps shown as dates, with hours and minutes only when the span is under 3 days."""
    import pandas as pd

    start, stop = pd.Timestamp(low), pd.Timestamp(high)
    whole_days = start.normalize() == start and stop.normalize() == stop
    pattern = "%Y-%m-%d" if whole_days or (stop - start).days >= 3 else "%Y-%m-%d %H:%M"
    return f"{start.strftime(pattern)} - {stop.strftime(pattern)}"


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if 1_000 <= abs(value) < 1e12 else f"{value:.4g}"
    return str(value)[:19]


def _load(data: str):
    from synthgan import datasets
    from synthgan.cli.io import read_table

    if not Path(data).exists() and data in datasets.available():
        return datasets.load(data)
    return read_table(data)


def _inspect_model(path: str, as_json: bool) -> None:
    """What a model file says about itself: model, training, privacy."""
    from synthgan.io import load_synthesizer

    synthesizer = load_synthesizer(path)
    privacy = getattr(synthesizer, "privacy_", None)
    facts = {
        "model": synthesizer.model,
        "columns": list(synthesizer.schema.names) if synthesizer.family == "table" else None,
        "stop_reason": getattr(synthesizer, "stop_reason_", None),
        "privacy": privacy,
    }
    if as_json:
        click.echo(json.dumps(facts, indent=2, default=str))
        return
    click.echo(f"{Path(path).name}: model {synthesizer.model}")
    if facts["columns"]:
        click.echo(f"  columns: {len(facts['columns'])}")
    if facts["stop_reason"]:
        click.echo(f"  training ended: {facts['stop_reason']}")
    if not privacy:
        click.echo("  differential privacy: none (fit with --dp-epsilon for a guarantee)")
        return
    click.echo(
        f"  differential privacy: ({privacy['spent_epsilon']:.4g}, {privacy['delta']:.1e})-DP, target epsilon "
        f"{privacy['target_epsilon']:g}"
    )
    for key in ("accountant", "noise_multiplier", "max_grad_norm", "sample_rate", "steps", "data_layer_epsilon"):
        value = privacy.get(key)
        click.echo(f"    {key:<20} {value:.4g}" if isinstance(value, float) else f"    {key:<20} {value}")
    declared = privacy.get("declared_columns") or []
    click.echo(f"    {'declared bounds':<20} {', '.join(declared) if declared else 'none'}")
