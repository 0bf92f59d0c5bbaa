"""``synthgan score MODEL DATA --output scores.csv``: anomaly scores of a table's rows under a model."""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import SEED

SCORE_COLUMN = "anomaly_score"


@app.command("score")
@click.argument("model_file", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(), help=".csv, .csv.gz or .parquet")
@click.option("--only-score", is_flag=True, help="Write only an id column and the score, not the input's columns.")
@click.option(
    "--id-column", default=None, help="With --only-score: the input column to keep as id (default: row number)."
)
@click.option("--per-column", is_flag=True, help="Also write each column's share of the score (argan: nats).")
@click.option("--seed", type=SEED, default=None, help="Seed of the scoring draws (default: the model's fit seed).")
def score_command(model_file, data, output, only_score, id_column, per_column, seed) -> None:
    """Score every row of DATA under MODEL_FILE: higher = more anomalous.

    argan scores a row by its negative log-likelihood in nats; the adversarial models by how unreal
    their critic finds it. Values the model never saw (new categories, numbers out of range) add
    to the score instead of failing.
    """
    from synthgan.cli.io import read_table, write_table
    from synthgan.files import check_writable
    from synthgan.synthesizer import Synthesizer

    check_writable(output)
    synthesizer = Synthesizer.load(model_file)
    table = read_table(data)
    if id_column is not None and id_column not in table.columns:
        raise click.BadParameter(f"DATA has no column {id_column!r}.", param_hint="--id-column")
    shares = synthesizer.anomaly_scores(table, per_column=True, seed=seed)  # they sum to the score
    scores = shares.sum(axis=1)
    if only_score:
        out = table[[id_column]].copy() if id_column else table.index.to_frame(index=False, name="row")
    else:
        out = table.copy()
    out[SCORE_COLUMN] = scores.to_numpy()
    if per_column:
        for name in shares.columns:
            out[f"{SCORE_COLUMN}:{name}"] = shares[name].to_numpy()
    write_table(out, output)
    top = scores.to_numpy().argsort()[::-1][:3]
    worst = ", ".join(f"row {i} ({scores.iloc[i]:.1f})" for i in top)
    click.echo(f"Scored {len(table):,} rows into {output}; highest: {worst}")
