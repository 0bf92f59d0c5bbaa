"""The ``synthgan`` command line: a thin layer over the Python API.

Each command lives in its own module and attaches itself to :data:`app` on import; this module
imports them explicitly (no plugin discovery) and exposes :func:`main`, the console script.
"""

from __future__ import annotations

import sys

# Each import registers its command on `app`.
from synthgan.cli import (  # noqa: F401
    balance_cmd,
    demo_cmd,
    evaluate_cmd,
    fit_cmd,
    inspect_cmd,
    models_cmd,
    sample_cmd,
    score_cmd,
)
from synthgan.cli.app import app, run

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
