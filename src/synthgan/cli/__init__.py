"""The ``synthgan`` command line: a thin layer over the Python API.

Each command lives in its own module and attaches itself to :data:`app` on import; this module
imports them explicitly (no plugin discovery) and exposes :func:`main`, the console script.
"""

from __future__ import annotations

import sys

from synthgan.cli import inspect_cmd  # noqa: F401  (registers `synthgan inspect`)
from synthgan.cli.app import app, run

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
