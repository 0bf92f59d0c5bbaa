"""``synthgan sample MODEL --rows N --output OUT``: generate rows, sequences or images from a model file.

Rows stream to disk in chunks (``Synthesizer.sample_chunks``), the same rows ``Synthesizer.sample``
gives for the same seed. For a sequence model ``--rows`` counts sequences (see
``synthgan/cli/sequence.py``); for an image model OUTPUT is a folder (see ``synthgan/cli/images.py``).
"""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import SEED


@app.command("sample")
@click.argument("model_file", type=click.Path(dir_okay=False))
@click.option("--rows", "-n", required=True, type=click.IntRange(min=1), help="Rows (sequences, images) to make.")
@click.option("--condition", "-c", multiple=True, help="COLUMN=VALUE; repeat for several columns.")
@click.option("--seed", type=SEED, default=None, help="Seed (default: the model's fit seed).")
@click.option("--output", "-o", required=True, type=click.Path(), help=".csv, .csv.gz, .parquet; images: a folder")
@click.option(
    "--dask",
    "scheduler",
    metavar="ADDRESS",
    default=None,
    help="Sample on a Dask cluster (tcp://host:8786, or 'local'); OUTPUT is a folder of Parquet files.",
)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=None,
    help="With --dask: files to write (default: one per block)",
)
def sample_command(model_file, rows, condition, seed, output, scheduler, partitions) -> None:
    """Generate ROWS synthetic rows (or sequences) from MODEL_FILE into OUTPUT (CSV or Parquet).

    For image models OUTPUT is a new folder: ROWS PNG files, grid.png and labels.csv. With --dask,
    OUTPUT is a new folder of Parquet files holding the same rows, made by the cluster's workers
    (every worker must read MODEL_FILE).
    """
    from synthgan.cli.io import TableWriter
    from synthgan.files import check_writable
    from synthgan.synthesizer import Synthesizer

    conditions = _parse_conditions(condition)
    if partitions is not None and scheduler is None:
        raise click.UsageError("--partitions goes with --dask.")
    if scheduler is not None:
        from synthgan.dask import write_parquet

        files = write_parquet(model_file, rows, output, scheduler, partitions, conditions, seed)
        click.echo(f"Wrote {rows:,} rows to {output} ({files} Parquet files)")
        return None
    synthesizer = Synthesizer.load(model_file)
    if synthesizer.family == "image":
        from synthgan.cli.images import sample_images

        return sample_images(synthesizer, rows, conditions, seed, output)
    check_writable(output)
    if synthesizer.family == "sequence":
        from synthgan.cli.sequence import sample_sequences

        if conditions:
            raise click.UsageError(f"--condition is for table models; {synthesizer.model!r} samples whole sequences.")
        return sample_sequences(synthesizer, rows, seed, output)
    with TableWriter(output) as writer:
        for chunk in synthesizer.sample_chunks(rows, conditions=conditions, seed=seed):
            writer.write(chunk)
    click.echo(f"Wrote {rows:,} rows to {output}")


def _parse_conditions(pairs: tuple[str, ...]) -> dict[str, str]:
    conditions = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise click.BadParameter(f"{pair!r} is not COLUMN=VALUE.", param_hint="--condition")
        conditions[column.strip()] = value
    return conditions
