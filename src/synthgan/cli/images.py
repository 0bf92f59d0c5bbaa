"""What ``synthgan fit`` and ``synthgan sample`` do for image models (``dcgan``, ``cdcgan``).

``fit IMAGES [--labels LABELS]``: IMAGES is a ``.npy``/``.npz`` file, an IDX file (MNIST's, gzipped
or not) or a folder of PNG files; LABELS a ``.npy``/``.npz``, IDX or CSV file. ``sample MODEL
--rows N --output DIR`` writes N PNG files, ``grid.png`` (the first 100 in rows of 10) and
``labels.csv`` (``file,label``) into DIR, which must be new or empty; the folder appears complete or
not at all.
"""

from __future__ import annotations

from typing import Any

import click

from synthgan.data.image import read_images


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
    from synthgan.data.image_folder import write_image_folder

    chunks = synthesizer.sample_chunks(rows, conditions=conditions, seed=seed)
    write_image_folder(chunks, output, synthesizer.pixels_, synthesizer.image_shape_, total=rows)
    asked = f" of label {conditions['label']}" if conditions.get("label") is not None else ""
    click.echo(f"Wrote {rows:,} images{asked} to {output}/ ({rows:,} PNG files, grid.png, labels.csv)")
