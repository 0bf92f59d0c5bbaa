"""``synthgan fit --processes N``: the same command run by N data-parallel processes under torchrun.

torchrun (``torch.distributed.run``) starts the processes on this machine and tells each its rank;
argan then averages gradients across them (``synthgan.training.distributed``) and process 0 alone
writes the model file. Several machines: run ``torchrun`` yourself on each (docs/scale.md).
"""

from __future__ import annotations

import os
import subprocess
import sys

import click

__all__ = ["launch", "lead_process", "processes_note", "under_torchrun"]


def _world() -> int:
    """Processes in the torchrun group this command runs in (1 when run alone)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def under_torchrun() -> bool:
    return _world() > 1


def lead_process() -> bool:
    """Process 0 of a torchrun group, or a command run alone: the one that writes and reports."""
    return int(os.environ.get("RANK", "0")) == 0


def processes_note() -> str:
    """`` on N processes`` under torchrun, else nothing (for the fit summary)."""
    return f" on {_world()} processes" if under_torchrun() else ""


def launch(processes: int, argv: list[str] | None) -> None:
    """Run this command again under torchrun with ``processes`` processes; exit with its exit code."""
    if argv is None:
        raise click.UsageError("--processes needs the synthgan command line (synthgan fit ... --processes N).")
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc-per-node={processes}",
        "-m",
        "synthgan",
        *_without_processes(argv),
    ]
    code = subprocess.run(command, env={**os.environ, "OMP_NUM_THREADS": "1"}).returncode
    if code:
        raise click.ClickException(f"the {processes} training processes failed (exit code {code}); see above.")


def _without_processes(argv: list[str]) -> list[str]:
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--processes":
            skip = True
        elif not arg.startswith("--processes="):
            kept.append(arg)
    return kept
