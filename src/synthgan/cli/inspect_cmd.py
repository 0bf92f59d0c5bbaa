"""``synthgan inspect DATA``: print the inferred schema as a table or as JSON."""

from __future__ import annotations

import json

import click

from synthgan.cli.app import app


@app.command("inspect")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the schema as JSON.")
@click.option("--discrete", default="", help="Comma-separated columns to treat as categorical.")
def inspect_command(data: str, as_json: bool, discrete: str) -> None:
    """Show the schema synthgan infers for DATA (CSV or Parquet), or for a dataset name like 'adult'."""
    from rich.console import Console
    from rich.table import Table

    from synthgan.cli.io import read_table
    from synthgan.data.schema import infer_schema

    df = _load(data, read_table)
    discrete_columns = [c.strip() for c in discrete.split(",") if c.strip()]
    schema = infer_schema(df, discrete_columns=discrete_columns)
    if as_json:
        click.echo(json.dumps({"rows": len(df), **schema.to_dict()}, indent=2, default=str))
        return
    table = Table(title=f"{data}: {len(df):,} rows x {df.shape[1]} columns", title_justify="left")
    frame = schema.to_frame()
    for name in frame.columns:
        table.add_column(name, overflow="fold", justify="right" if name in ("nulls %", "distinct") else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if value is None else str(value) for value in row))
    Console().print(table)


def _load(data: str, read_table):
    from pathlib import Path

    from synthgan import datasets

    if not Path(data).exists() and data in datasets.available():
        return datasets.load(data)
    return read_table(data)
