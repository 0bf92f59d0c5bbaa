"""Writing files so that nothing is ever left half-written: a temporary file, then a rename.

Temporary files sit next to their target as ``.<name>.<pid>.<random>.tmp``. A process killed
outright (SIGKILL, a power cut) cannot remove its own, so every write first removes those of
``<name>`` whose process is gone.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from synthgan.errors import OutputError

__all__ = ["atomic_folder", "atomic_path", "check_writable", "remove_stale_temporaries", "temporary_prefix"]


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
        remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(
            f"Cannot write {path}: {error.strerror or error}. Check that its folder exists and is writable."
        ) from None
    os.close(fd)
    try:
        yield Path(tmp)
        # Owner-only files (mkstemp's, or a writer's own temp file renamed onto ours) get the usual
        # permissions, as open() would have given them.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def atomic_folder(folder: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``folder``; it becomes ``folder`` only if the block succeeds.

    ``folder`` must be new or empty (an OutputError otherwise, before any work).
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder} exists and is not an empty folder: choose a new or empty folder.")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder)
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(folder), suffix=".tmp", dir=folder.parent))
    except OSError as error:
        raise OutputError(
            f"Cannot write {folder}: {error.strerror or error}. Check that its parent is writable."
        ) from None
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes an owner-only folder, mkdir would not
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def temporary_prefix(path: Path) -> str:
    """The name start of this process's temporary files (or folders) for ``path``."""
    return f".{path.name}.{os.getpid()}."


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files and folders of ``path`` left by processes that no longer run."""
    removed = []
    for leftover in glob.glob(f"{glob.escape(str(path.parent / ('.' + path.name)))}.*.*.tmp"):
        pid = leftover[len(str(path.parent / path.name)) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            if os.path.isdir(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                with suppress(FileNotFoundError):
                    os.unlink(leftover)
            removed.append(Path(leftover))
    return removed


def _umask() -> int:
    """This process's umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
