"""A progress bar of rows for a pass over a table on disk (reading it, writing its tokens).

Shown on a terminal, or when asked (``verbose=True``); written to stderr so piped output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["rows_progress"]


@contextmanager
def rows_progress(verbose: bool | None, label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(rows)``, which moves a bar of ``total`` rows (a count alone when unknown)."""
    if not (sys.stderr.isatty() if verbose is None else verbose):
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(f"[bold]{label}"), BarColumn(), TextColumn("{task.completed:,} rows"), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda rows: progress.advance(task, rows)
