"""``synthgan evaluate REAL SYNTH``: score a synthetic table against the real one, print a summary,
and write the HTML report and the JSON figures."""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import SEED

STYLES = {"good": "bold green", "fair": "bold yellow", "poor": "bold red", "skipped": "dim", "info": "bold blue"}
MAX_WIDTH = 100


def _columns(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@app.command("evaluate")
@click.argument("real", type=click.Path())
@click.argument("synthetic", type=click.Path())
@click.option("--holdout", type=click.Path(), help="Real rows the generator never saw (CSV/Parquet).")
@click.option("--target", help="Column to predict for utility and fairness.")
@click.option("--sensitive", default="", help="Comma-separated columns whose groups are compared.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write the HTML report here.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write every figure as JSON here ('-' prints it instead of the summary).",
)
@click.option("--discrete", default="", help="Comma-separated columns to treat as categorical.")
@click.option("--sections", default="", help="Comma-separated subset of sections to run (default: all).")
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for every subsample and model.")
def evaluate_command(
    real: str,
    synthetic: str,
    holdout: str | None,
    target: str | None,
    sensitive: str,
    report_path: str | None,
    json_path: str | None,
    discrete: str,
    sections: str,
    seed: int,
) -> None:
    """Compare SYNTHETIC with REAL: fidelity, detection, utility, privacy, fairness and a profile.

    Each table is a CSV or Parquet file, or a folder or glob of Parquet files. Parquet, folders,
    globs and files over 1 GB are read once in record batches and sampled (see docs/scale.md).
    """
    from rich.console import Console

    from synthgan.cli.io import atomic_path, read_table, streams_by_default
    from synthgan.evaluation import evaluate

    paths = {"real": real, "synthetic": synthetic, **({"holdout": holdout} if holdout else {})}
    tables = {name: path if streams_by_default(path) else read_table(path) for name, path in paths.items()}
    quiet = json_path == "-"
    status = Console(stderr=True).status("Evaluating ...") if not quiet else None
    if status is not None:
        status.start()
    try:
        report = evaluate(
            tables["real"],
            tables["synthetic"],
            tables.get("holdout"),
            target=target or None,
            sensitive=_columns(sensitive),
            discrete_columns=_columns(discrete),
            sections=_columns(sections) or None,
            seed=seed,
        )
        if report_path:
            with atomic_path(report_path) as tmp:
                report.to_html(tmp)
    finally:
        if status is not None:
            status.stop()
    if json_path == "-":
        click.echo(report.to_json())
        return
    if json_path:
        with atomic_path(json_path) as tmp:
            report.to_json(tmp)
    console = Console()
    console.width = min(console.width, MAX_WIDTH)
    _print_summary(console, report, real, synthetic, holdout)
    for label, path in (("Report", report_path), ("JSON", json_path)):
        if path:
            console.print(f"{label}: {path}", highlight=False)


def _print_summary(console, report, real: str, synthetic: str, holdout: str | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    inputs = report.inputs
    title = f"{real} ({inputs['real_rows']:,} rows) vs {synthetic} ({inputs['synthetic_rows']:,} rows)"
    if holdout:
        title += f", holdout {holdout} ({inputs['holdout_rows']:,} rows)"
    figures = report.to_dict()
    score = figures["score"]
    console.print(title, highlight=False, markup=False)
    sampled = [
        f"{t['sampled_rows']:,} of {name}"
        for name, t in inputs.get("streamed", {}).items()
        if t["sampled_rows"] < t["rows"]
    ]
    if sampled:
        console.print(f"Read in batches; sections on seeded samples ({', '.join(sampled)}), column shapes exact.")
    if score is not None:
        trends = figures["column_pair_trends"]
        console.print(
            f"[bold]Overall quality {score:.3f}[/bold] (column shapes {figures['column_shapes']:.3f}, "
            f"pair trends {'n/a' if trends is None else f'{trends:.3f}'}; 1 = identical)",
            highlight=False,
        )
    table = Table(show_lines=False, pad_edge=False, expand=False)
    table.add_column("Section", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Key figures (rule)", overflow="fold")
    for row in report.summary():
        style = STYLES.get(row["status"], "")
        rule = f"[dim]{escape(row['rule'])}[/dim]"
        detail = rule if row["status"] == "skipped" else f"{escape(row['figure'])}\n{rule}"
        table.add_row(row["title"], f"[{style}]{row['status']}[/{style}]", detail)
    console.print(table)
