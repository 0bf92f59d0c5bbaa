"""What ``synthgan fit`` and ``synthgan sample`` do for image models (``dcgan``, ``cdcgan``).

``fit IMAGES [--labels LABELS]``: IMAGES is a ``.npy``/``.npz`` file, an IDX file (MNIST's, gzipped
or not) or a folder of PNG files; LABELS a ``.npy``/``.npz``, IDX or CSV file. ``sample MODEL
--rows N --output DIR`` writes N PNG files, ``grid.png`` (the first 100 in rows of 10) and
``labels.csv`` (``file,label``) into DIR, which must be new or empty; the folder appears complete or
not at all.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click
import numpy as np

from synthgan.data.image import image_grid, read_images, to_uint8, write_png
from synthgan.errors import DataError
from synthgan.files import remove_stale_temporaries, temporary_prefix

GRID_IMAGES, GRID_COLUMNS, GRID_TILE_PIXELS = 100, 10, 28


def fit_images(synthesizer, data: str, labels: str | None, output: str, table_options: dict[str, Any]) -> None:
    """Read images (and labels), fit ``synthesizer`` on them, save the model file, say what was done."""
    given = [f"--{name}" for name, value in table_options.items() if value]
    if given:
        raise click.UsageError(f"{', '.join(given)} applies to tables; image models take --labels instead.")
    images, found = read_images(data, labels)
    synthesizer.fit(images, labels=found)
    synthesizer.save(output)
    history = synthesizer.history
    count, (channels, height, width) = len(images), synthesizer.image_shape_
    classes = f", {len(synthesizer.classes_)} classes" if synthesizer.classes_ is not None else ""
    click.echo(
        f"Fitted {synthesizer.model} on {count:,} images of {width}x{height} ({channels} channel"
        f"{'s' if channels > 1 else ''}{classes}): {int(history['epoch'].max())} epochs in "
        f"{history['seconds'].max():.0f} s ({synthesizer.stop_reason_})."
    )
    click.echo(f"Model written to {output}")


def sample_images(synthesizer, rows: int, conditions: dict[str, str], seed: int | None, output: str) -> None:
    """Generate ``rows`` images into the folder ``output``: PNG files, grid.png and labels.csv."""
    folder = Path(output)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DataError(f"{folder} exists and is not an empty folder: image samples go into a new or empty folder.")
    digits = max(5, len(str(rows - 1)))
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(folder), suffix=".tmp", dir=folder.parent))
    try:
        names, written, shown = [], [], []
        start = 0
        for images, labels in synthesizer.sample_chunks(rows, conditions=conditions, seed=seed):
            size = len(images)
            pixels = to_uint8(images if images.ndim == 4 else images[:, None], synthesizer.pixels_)
            for offset, image in enumerate(pixels):
                name = f"{start + offset:0{digits}d}.png"
                write_png(staging / name, image)
                names.append(name)
            written.extend([""] * size if labels is None else labels.tolist())
            if len(shown) < GRID_IMAGES:
                shown.extend(pixels[: GRID_IMAGES - len(shown)])
            start += size
        zoom = max(1, math.ceil(GRID_TILE_PIXELS / min(synthesizer.image_shape_[1:])))
        write_png(staging / "grid.png", image_grid(np.stack(shown), min(GRID_COLUMNS, len(shown)), scale=zoom))
        with (staging / "labels.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "label"])
            writer.writerows(zip(names, written, strict=True))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes an owner-only folder
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    asked = f" of label {conditions['label']}" if conditions.get("label") is not None else ""
    click.echo(f"Wrote {rows:,} images{asked} to {folder}/ ({rows:,} PNG files, grid.png, labels.csv)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
