"""Writing files so that nothing is ever left half-written: a temporary file, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synthgan.errors import OutputError

__all__ = ["atomic_path", "check_writable"]


def check_writable(path: str | Path) -> None:
    """An :class:`OutputError` now, before long work, if ``path`` could not be written later."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a folder. Give a file name, such as {path / 'out.csv'}.")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"Cannot write {path}: {folder} is a file, not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write {path}: {folder} is not writable. Choose another folder.")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place only if the block succeeds.

    A ``path`` that is a folder, or whose folder cannot be made or written, raises one
    :class:`OutputError` naming ``path`` (never the temporary file's name).
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a folder. Give a file name, such as {path / 'out.csv'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(
            f"Cannot write {path}: {error.strerror or error}. Check that its folder exists and is writable."
        ) from None
    os.close(fd)
    try:
        yield Path(tmp)
        # Owner-only files (mkstemp's, or a writer's own temp file renamed onto ours) get the usual
        # permissions, as open() would have given them.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
