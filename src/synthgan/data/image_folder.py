"""A folder of sampled images: one PNG per image, ``grid.png`` (the first 100) and ``labels.csv``.

What ``synthgan sample`` writes for an image model, usable from Python too:
``write_image_folder(model.sample_chunks(n), "out/", model.pixels_, model.image_shape_)``. The
folder appears complete or not at all (:func:`synthgan.files.atomic_folder`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from synthgan.data.image import PixelScale, image_grid, to_uint8, write_png
from synthgan.files import atomic_folder

__all__ = ["write_image_folder"]

GRID_IMAGES, GRID_COLUMNS, GRID_TILE_PIXELS = 100, 10, 28
# Digits of the file numbers (00000.png ...), more when there are more images.
MIN_DIGITS = 5


def write_image_folder(
    chunks: Iterable[tuple[np.ndarray, np.ndarray | None]],
    folder: str | Path,
    pixels: PixelScale,
    image_shape: tuple[int, int, int],
    total: int | None = None,
) -> int:
    """Write ``(images, labels)`` chunks into the new or empty ``folder``; return how many images.

    ``total`` (when known) sets how many digits the file numbers get; labels.csv has an empty label
    for images of an unconditional model.
    """
    digits = max(MIN_DIGITS, len(str(max((total or 0) - 1, 0))))
    with atomic_folder(folder) as staging:
        names, written, shown = [], [], []
        for images, labels in chunks:
            tiles = to_uint8(images if images.ndim == 4 else images[:, None], pixels)
            for image in tiles:
                name = f"{len(names):0{digits}d}.png"
                write_png(staging / name, image)
                names.append(name)
            written.extend([""] * len(tiles) if labels is None else labels.tolist())
            shown.extend(tiles[: GRID_IMAGES - len(shown)])
        if shown:
            zoom = max(1, math.ceil(GRID_TILE_PIXELS / min(image_shape[1:])))
            write_png(staging / "grid.png", image_grid(np.stack(shown), min(GRID_COLUMNS, len(shown)), scale=zoom))
        with (staging / "labels.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "label"])
            writer.writerows(zip(names, written, strict=True))
    return len(names)
