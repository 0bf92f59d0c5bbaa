"""``synthgan fit DATA --output MODEL``: learn a table, its time series or images, and save the model file."""

from __future__ import annotations

import click

from synthgan.cli.app import app
from synthgan.cli.options import model_params, split_list, training_options
from synthgan.cli.processes import launch, lead_process, processes_note, under_torchrun
from synthgan.cli.sequence import fit_sequences, reject_sequence_options, sequence_options


@app.command("fit")
@click.argument("data", type=click.Path())
@training_options
@click.option("--target", default=None, help="Label column that cgan / cwgangp condition on.")
@click.option("--labels", default=None, type=click.Path(), help="Image labels for cdcgan (.npy, .npz, IDX, CSV).")
@sequence_options
@click.option(
    "--dp-epsilon",
    type=click.FloatRange(min=1e-3, max=1e3),
    default=None,
    help="Train with differential privacy, spending at most this epsilon (argan; see docs/privacy.md).",
)
@click.option(
    "--dp-delta",
    type=click.FloatRange(min=1e-12, max=0.1),
    default=None,
    help="The delta of the DP guarantee (default 1 / (10 x rows)).",
)
@click.option(
    "--dp-bounds",
    default=None,
    metavar="JSON",
    help='Public column domains, JSON or a .json file: \'{"age": [17, 90], "sex": ["F", "M"]}\'.',
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Train argan with this many data-parallel processes (torchrun on this machine; see docs/scale.md).",
)
@click.option(
    "--stream/--in-memory",
    default=None,
    help="argan: read DATA in record batches, never whole (default: for Parquet, folders, globs and files "
    "over 1 GB; see docs/scale.md).",
)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Model file to write.")
def fit_command(
    data,
    model,
    epochs,
    batch_size,
    seed,
    max_minutes,
    discrete,
    quiet,
    params,
    target,
    labels,
    dp_epsilon,
    dp_delta,
    dp_bounds,
    processes,
    stream,
    output,
    **sequence,
) -> None:
    """Fit a GAN on DATA and write a model file.

    DATA is a table (CSV or Parquet; for timegan a long table of time series) or, for image models
    (dcgan, cdcgan), images: a .npy/.npz file, an IDX file (gzipped or not) or a folder of PNG files.
    """
    from synthgan.cli.io import read_table, streams_by_default
    from synthgan.files import check_writable
    from synthgan.synthesizer import Synthesizer

    check_writable(output)  # before training, not after
    family = Synthesizer(model).family
    if (processes > 1 or under_torchrun()) and model != "argan":
        raise click.UsageError(f"Training on several processes is for argan; {model!r} trains in one.")
    if processes > 1 and not under_torchrun():
        return launch(processes, (click.get_current_context().find_root().obj or {}).get("argv"))
    if labels is not None and family != "image":
        raise click.UsageError("--labels is for image models (dcgan, cdcgan); tables take --target.")
    if family == "sequence":
        common = {"epochs": epochs, "batch_size": batch_size, "seed": seed, "max_minutes": max_minutes}
        table = read_table(data)
        fit_sequences(table, model, output, **common, quiet=quiet, discrete=discrete, target=target, **sequence)
        return
    if family != "table" and (dp_epsilon, dp_delta, dp_bounds) != (None, None, None):
        raise click.UsageError(f"--dp-epsilon, --dp-delta and --dp-bounds are for table models; {model!r} is not one.")
    reject_sequence_options(model, sequence)
    options = model_params(epochs, batch_size, seed, max_minutes, quiet, model, params)
    options.update(privacy_params(dp_epsilon, dp_delta, dp_bounds))
    synthesizer = Synthesizer(model, **options)
    if synthesizer.family == "image":
        from synthgan.cli.images import fit_images

        return fit_images(synthesizer, data, labels, output, {"target": target, "discrete": discrete})
    if stream and model != "argan":
        raise click.UsageError(f"--stream is for argan; {model!r} trains on a table in memory.")
    streamed = model == "argan" and (stream if stream is not None else streams_by_default(data))
    table = data if streamed else read_table(data)
    synthesizer.fit(table, discrete_columns=split_list(discrete) or None, target=target)
    if not lead_process():  # the others hold the same weights
        return None
    synthesizer.save(output)
    history = synthesizer.history
    fidelity = history["fidelity"].dropna() if "fidelity" in history else []
    best = f", held-out fidelity {fidelity.max():.3f}" if len(fidelity) else ""
    rows = synthesizer.training_rows_ if streamed else len(table)
    how = " (streamed)" if streamed else ""
    click.echo(
        f"Fitted {model} on {rows:,} rows x {len(synthesizer.schema)} columns{how}{processes_note()}: "
        f"{int(history['epoch'].max())} epochs "
        f"in {history['seconds'].max():.0f} s ({synthesizer.stop_reason_}){best}."
    )
    privacy = getattr(synthesizer, "privacy_", None)
    if privacy:
        click.echo(
            f"Differential privacy: epsilon {privacy['spent_epsilon']:.4g} of {privacy['target_epsilon']:g} spent, "
            f"delta {privacy['delta']:.1e} ({privacy['accountant']} accountant; noise multiplier "
            f"{privacy['noise_multiplier']:.3g}, clipping norm {privacy['max_grad_norm']:g}, sampling rate "
            f"{privacy['sample_rate']:.3g}). See synthgan inspect {output}."
        )
    rules = getattr(synthesizer, "rules", None)
    if rules:
        more = f" ({len(rules) - 3} more: synthgan inspect --rules)" if len(rules) > 3 else ""
        click.echo(f"Keeps {len(rules)} exact rule(s) of the real rows{more}:")
        for rule in rules[:3]:
            click.echo(f"  {rule}")
    click.echo(f"Model written to {output}")


def privacy_params(epsilon: float | None, delta: float | None, bounds: str | None) -> dict:
    """The dp_* parameters from the command line; ``bounds`` is JSON text or the path of a JSON file."""
    import json
    from pathlib import Path

    params: dict = {}
    if epsilon is not None:
        params["dp_epsilon"] = epsilon
    if delta is not None:
        params["dp_delta"] = delta
    if bounds is not None:
        text = Path(bounds).read_text() if bounds.endswith(".json") and Path(bounds).is_file() else bounds
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise click.BadParameter(
                f"not JSON ({error.msg} at character {error.pos})", param_hint="'--dp-bounds'"
            ) from None
        if not isinstance(value, dict):
            raise click.BadParameter('give a JSON object, e.g. {"age": [17, 90]}', param_hint="'--dp-bounds'")
        params["dp_bounds"] = value
    if params and "dp_epsilon" not in params:
        raise click.UsageError("--dp-delta and --dp-bounds take effect with --dp-epsilon; give it too.")
    return params
