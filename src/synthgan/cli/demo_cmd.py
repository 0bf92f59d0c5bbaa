"""``synthgan demo``: the whole journey on the embedded Adult table, offline, in a few minutes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from synthgan.cli.app import app
from synthgan.cli.options import SEED

DEMO_TARGET = "income"
DEMO_SENSITIVE = ["sex", "race"]
# The columns of the real-vs-synthetic picture: two numeric, three categorical and the target.
DEMO_PLOT_COLUMNS = ["age", "hours-per-week", "education", "marital-status", "occupation", "income"]


@app.command("demo")
@click.option("--output-dir", default="synthgan-demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--model", default="argan", show_default=True, help="Model to fit (see `synthgan models`).")
@click.option("--minutes", default=2.0, show_default=True, type=click.FloatRange(min=0), help="Training time budget.")
@click.option("--epochs", default=None, type=click.IntRange(min=1), help="Train exactly N epochs, no time budget.")
@click.option("--seed", default=0, show_default=True, type=SEED)
@click.option("--rows", default=None, type=click.IntRange(min=50), help="Use only N rows of Adult (quick runs).")
def demo_command(output_dir: str, model: str, minutes: float, epochs: int | None, seed: int, rows: int | None) -> None:
    """Inspect, fit, sample, evaluate and report on the embedded Adult dataset.

    The time budget makes the demo take the same time on any machine (a busy or slow CPU reaches
    fewer epochs); --epochs makes its output the same on any CPU instead.
    """
    from synthgan import Synthesizer, datasets, evaluate
    from synthgan.cli.io import write_table
    from synthgan.data.schema import infer_schema
    from synthgan.evaluation import compare_columns

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = datasets.load("adult")
    if rows is not None:
        table = table.sample(min(rows, len(table)), random_state=seed).reset_index(drop=True)
    train, holdout = _split(table, seed)

    schema = infer_schema(train)
    kinds = ", ".join(f"{kind}: {count}" for kind, count in _kind_counts(schema).items())
    click.echo(f"1/5 inspect   Adult: {len(table):,} rows x {table.shape[1]} columns ({kinds})")
    click.echo(f"              train {len(train):,} rows, holdout {len(holdout):,} rows (80/20, seed {seed})")
    click.echo("              (`synthgan inspect adult` lists every column)")

    budget = {"epochs": epochs} if epochs else {"max_minutes": minutes}
    click.echo(f"2/5 fit       {model}, " + (f"{epochs} epochs ..." if epochs else f"budget {minutes:g} min ..."))
    synthesizer = Synthesizer(model, seed=seed, **budget)
    synthesizer.fit(train, target=DEMO_TARGET)  # cgan and cwgangp condition on it; ctgan on every category
    model_path = out / "adult.synth"
    synthesizer.save(model_path)
    history = synthesizer.history
    click.echo(f"              {len(history)} epochs in {history['seconds'].max():.0f} s; model saved to {model_path}")
    click.echo(_indented(f"stopped: {synthesizer.stop_reason_}"))

    click.echo(f"3/5 sample    {len(train):,} rows")
    synthetic = synthesizer.sample(len(train))
    csv_path = out / "adult_synthetic.csv"
    write_table(synthetic, csv_path)
    plot_path = out / "real_vs_synthetic.png"
    compare_columns(train, synthetic, DEMO_PLOT_COLUMNS, plot_path, title="Adult: real (filled) vs synthetic")

    click.echo("4/5 evaluate  fidelity, detection, utility, privacy, fairness ...")
    report = evaluate(real=train, synthetic=synthetic, holdout=holdout, target=DEMO_TARGET, sensitive=DEMO_SENSITIVE)
    html_path = out / "report.html"
    json_path = out / "report.json"
    report.to_html(html_path)
    report.to_json(json_path)

    figures = report.to_dict()
    click.echo("5/5 results")
    click.echo(f"              quality score     {figures['score']:.3f}  (1 = identical distributions)")
    if figures.get("detection_auc") is not None:
        click.echo(f"              detection AUC     {figures['detection_auc']:.3f}  (0.5 = indistinguishable)")
    if figures.get("tstr") is not None and figures.get("trtr") is not None:
        click.echo(
            f"              TSTR / TRTR AUC   {_auc(figures['tstr']):.3f} / {_auc(figures['trtr']):.3f}"
            "  (train synthetic / real, test real)"
        )
    if figures.get("dcr_share") is not None:
        click.echo(f"              DCR share         {figures['dcr_share']:.3f}  (0.5 = no closer to train)")
    click.echo(f"              exact copies      {figures.get('exact_copies')}")
    click.echo("")
    click.echo(f"Synthetic data: {csv_path}")
    click.echo(f"Model file:     {model_path}")
    click.echo(f"Picture:        {plot_path}")
    click.echo(f"Report:         {html_path} (and {json_path.name})")


def _indented(text: str) -> str:
    """Text under the step names, wrapped to 80 columns."""
    indent = " " * 14
    return textwrap.fill(text, 80, initial_indent=indent, subsequent_indent=indent)


def _split(table, seed: int):
    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = int(0.8 * len(shuffled))
    return shuffled.iloc[:cut].reset_index(drop=True), shuffled.iloc[cut:].reset_index(drop=True)


def _kind_counts(schema) -> dict[str, int]:
    counts: dict[str, int] = {}
    for spec in schema:
        counts[spec.kind.value] = counts.get(spec.kind.value, 0) + 1
    return counts


def _auc(value) -> float:
    """TSTR/TRTR are reported as a dict of metrics or a bare ROC AUC."""
    return float(value["roc_auc"]) if isinstance(value, dict) else float(value)
