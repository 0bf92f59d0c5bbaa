"""``synthgan models``: one line per model."""

from __future__ import annotations

import click

from synthgan.cli.app import app


@app.command("models")
@click.option("--params", "show", default=None, metavar="MODEL", help="Show one model's parameters and defaults.")
@click.option("--privacy", is_flag=True, help="Say how each model stands under differential privacy (dp_epsilon).")
def models_command(show: str | None, privacy: bool) -> None:
    """List the available models, or the parameters of one."""
    from synthgan.models import MODELS, get_model

    if show:
        for name, spec in get_model(show).param_specs().items():
            click.echo(f"{name:<16} {spec.default!s:<12} {spec.doc}")
        return
    width = max(map(len, MODELS))
    if privacy:
        click.echo(f"{'model':<{width}}  DP   who sees real rows")
    for name, model in MODELS.items():
        if privacy:
            click.echo(f"{name:<{width}}  {'yes' if model.supports_dp else 'no ':<3}  {model.privacy}")
        else:
            click.echo(f"{name:<{width}}  {model.summary}")
