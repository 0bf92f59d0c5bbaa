"""``synthgan fit DATA --output MODEL``: learn a table and save the model file."""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import model_params, split_list, training_options


@app.command("fit")
@click.argument("data", type=click.Path(dir_okay=False))
@training_options
@click.option("--target", default=None, help="Label column that cgan / cwgangp condition on.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Model file to write.")
def fit_command(data, model, epochs, batch_size, seed, max_minutes, discrete, quiet, target, output) -> None:
    """Fit a GAN on DATA (CSV or Parquet) and write a model file."""
    from synthgan.cli.io import read_table
    from synthgan.synthesizer import Synthesizer

    table = read_table(data)
    synthesizer = Synthesizer(model, **model_params(epochs, batch_size, seed, max_minutes, quiet))
    synthesizer.fit(table, discrete_columns=split_list(discrete) or None, target=target)
    synthesizer.save(output)
    history = synthesizer.history
    fidelity = history["fidelity"].dropna() if "fidelity" in history else []
    best = f", held-out fidelity {fidelity.max():.3f}" if len(fidelity) else ""
    click.echo(
        f"Fitted {model} on {len(table):,} rows x {table.shape[1]} columns: {int(history['epoch'].max())} epochs "
        f"in {history['seconds'].max():.0f} s ({synthesizer.stop_reason_}){best}."
    )
    click.echo(f"Model written to {output}")
