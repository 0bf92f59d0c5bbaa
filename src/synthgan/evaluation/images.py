"""Evaluation of synthetic images: FID-style fidelity, class accuracy of conditional samples, coverage.

``evaluate_images(real, synthetic, real_labels=..., synthetic_labels=...)`` trains a judge (a small
CNN, see ``image_judge.py``) on the real images and answers three questions:

- *Fidelity*: the Fréchet distance between judge features of the real images and of the synthetic
  ones (``fid``), next to the same distance for held-out real images (``fid_floor``: what a perfect
  generator would score with this judge and these sample sizes). Both compare ``m`` images, ``m``
  the smaller of the holdout and the synthetic set, with the judge's training images.
- *Conditional accuracy* (labels on both sides): the share of synthetic images the judge assigns to
  the class they were generated for, overall and per class, next to the judge's own accuracy on
  held-out real images (the ceiling of that figure).
- *Coverage* (real labels): the class histogram of the synthetic images as the judge sees them, the
  classes produced (a class counts when it gets at least a fifth of its real share), and the total
  variation distance between the real and synthetic class frequencies (mode collapse shows here).

Like the tabular evaluation it knows nothing about models or training: any images can be judged.
Without ``holdout``, a seeded fifth of ``real`` is held out for the floor and the judge's accuracy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synthgan.data.image import PixelScale, encode_labels, image_array, image_grid, to_uint8
from synthgan.errors import DataError
from synthgan.evaluation.metrics import HIGHER, INFO, LOWER, Section, Verdict, clean, grade
from synthgan.evaluation.report import _write

if TYPE_CHECKING:
    from synthgan.evaluation.image_judge import ImageJudge

__all__ = ["HOLDOUT_SHARE", "ImageReport", "evaluate_images"]

HOLDOUT_SHARE = 0.2
# A class is "produced" when the synthetic share the judge gives it is at least this part of its real share.
PRODUCED_SHARE = 0.2
# Images per class row (or 8 rows of 8 without labels) in the report's real-vs-synthetic grids.
GRID_COLUMNS = 8
GRID_TILE_PIXELS = 32


def evaluate_images(
    real: Any,
    synthetic: Any,
    *,
    real_labels: Any = None,
    synthetic_labels: Any = None,
    holdout: Any = None,
    holdout_labels: Any = None,
    seed: int = 0,
) -> ImageReport:
    """Judge ``synthetic`` images against ``real`` ones; see the module docstring for the figures.

    Images are arrays ``(N, H, W)`` or ``(N, C, H, W)`` of one size, with the pixel range of
    ``real`` (uint8 0-255, floats 0-1, ...). Labels hold one class per image; synthetic labels are
    the classes the images were generated for and must be classes of ``real_labels``.
    """
    from threadpoolctl import threadpool_limits

    # One thread, as training: BLAS and OpenMP pools on a busy machine cost more than they give here.
    with threadpool_limits(limits=1):
        return _evaluate(real, synthetic, real_labels, synthetic_labels, holdout, holdout_labels, seed)


def _evaluate(real, synthetic, real_labels, synthetic_labels, holdout, holdout_labels, seed: int) -> ImageReport:
    from synthgan.evaluation.image_judge import ImageJudge  # torch, imported only when images are judged

    started = time.perf_counter()
    real_array = image_array(real, "real")
    synthetic_array = image_array(synthetic, "synthetic")
    _same_shape(real_array, synthetic_array, "synthetic")
    scale = PixelScale.infer(real_array)
    classes, real_codes = encode_labels(real_labels, len(real_array)) if real_labels is not None else (None, None)
    random = np.random.default_rng(seed)
    if holdout is None:
        order = random.permutation(len(real_array))
        cut = max(1, round(HOLDOUT_SHARE * len(order)))
        if len(order) - cut < 2:
            raise DataError(f"real has {len(order)} images; evaluation needs at least 3 (or a holdout).")
        held, kept = np.sort(order[:cut]), np.sort(order[cut:])
        holdout_array, holdout_codes = real_array[held], None if real_codes is None else real_codes[held]
        real_array, real_codes = real_array[kept], None if real_codes is None else real_codes[kept]
    else:
        holdout_array = image_array(holdout, "holdout")
        _same_shape(real_array, holdout_array, "holdout")
        holdout_codes = _codes(holdout_labels, classes, len(holdout_array), "holdout_labels")
    synthetic_codes = _codes(synthetic_labels, classes, len(synthetic_array), "synthetic_labels")

    unit_real, unit_holdout, unit_synthetic = (scale.to_unit(a) for a in (real_array, holdout_array, synthetic_array))
    judge = ImageJudge(seed=seed).fit(unit_real, real_codes, None if classes is None else len(classes))
    fit_seconds = time.perf_counter() - started

    sections = {"fidelity": _fidelity(judge, unit_real, unit_holdout, unit_synthetic, random)}
    predicted = judge.predict(unit_synthetic) if classes is not None else None
    if classes is not None:
        holdout_accuracy = None
        if holdout_codes is not None:
            holdout_accuracy = float((judge.predict(unit_holdout) == holdout_codes).mean())
        sections["conditional"] = _conditional(classes, predicted, synthetic_codes, holdout_accuracy)
        sections["coverage"] = _coverage(classes, real_codes, predicted, synthetic_codes)
    else:
        reason = "no real labels: the judge learned a rotation task, so it names no classes"
        sections["conditional"] = Section("conditional", "Conditional accuracy").skip(reason)
        sections["coverage"] = Section("coverage", "Class coverage").skip(reason)
    grids = _grids(scale, real_array, real_codes, synthetic_array, synthetic_codes, predicted, classes)
    inputs = {
        "real_images": len(real_array),
        "holdout_images": len(holdout_array),
        "synthetic_images": len(synthetic_array),
        "image_shape": list(real_array.shape[1:]),
        "pixels": scale.to_state(),
        "classes": classes,
        "judge": "pretext (rotations)" if judge.pretext_ else "classifier on real labels",
        "judge_epochs": judge.epochs_,
        "seed": seed,
    }
    timings = {"judge_fit": fit_seconds, "total": time.perf_counter() - started}
    return ImageReport(sections, inputs, timings, grids)


# ----------------------------------------------------------------------------------------- sections


def _fidelity(judge: ImageJudge, real: np.ndarray, holdout: np.ndarray, synthetic: np.ndarray, random) -> Section:
    from synthgan.evaluation.image_judge import frechet_distance

    section = Section("fidelity", "Fidelity (FID-style, judge features)")
    m = min(len(holdout), len(synthetic))
    reference = judge.features(real)
    held = judge.features(holdout[np.sort(random.permutation(len(holdout))[:m])])
    fake = judge.features(synthetic[np.sort(random.permutation(len(synthetic))[:m])])
    fid = section.add("fid", frechet_distance(reference, fake), LOWER, note=f"synthetic vs real, {m:,} images")
    floor = section.add(
        "fid_floor", frechet_distance(reference, held), LOWER, note=f"held-out real vs real, {m:,} images"
    )
    ratio = section.add("fid_ratio", fid / floor if floor > 0 else float("inf"), LOWER, note="fid / fid_floor")
    section.add("images_compared", m, INFO)
    section.verdict = Verdict(
        grade(ratio, 3.0, 10.0), f"FID {fid:.3g} vs floor {floor:.3g} ({ratio:.1f}x)", "good <= 3x floor, fair <= 10x"
    )
    section.notes.append(
        "FID-style: Fréchet distance in the features of a small CNN trained here on the real images (no "
        "pretrained Inception offline); comparable within this report, not with published FIDs."
    )
    return section


def _conditional(
    classes: list[Any], predicted: np.ndarray, asked: np.ndarray | None, holdout_accuracy: float | None
) -> Section:
    section = Section("conditional", "Conditional accuracy")
    if holdout_accuracy is not None:
        section.add("judge_accuracy", holdout_accuracy, HIGHER, note="the judge on held-out real images (the ceiling)")
    if asked is None:
        section.notes.append("No synthetic labels: the accuracy of conditional samples needs the asked-for classes.")
        section.verdict = Verdict("info", "-", "give synthetic_labels to measure")
        return section
    accuracy = section.add("conditional_accuracy", float((predicted == asked).mean()), HIGHER)
    rows = []
    for index, value in enumerate(classes):
        mask = asked == index
        rows.append(
            {
                "class": value,
                "images": int(mask.sum()),
                "accuracy": float((predicted[mask] == index).mean()) if mask.any() else None,
            }
        )
    section.tables["per_class"] = rows
    scored = [row["accuracy"] for row in rows if row["accuracy"] is not None]
    section.add("worst_class_accuracy", min(scored), HIGHER)
    section.verdict = Verdict(
        grade(accuracy, 0.9, 0.75, higher=True),
        f"{accuracy:.1%} of images show the class asked for",
        "good >= 90%, fair >= 75%",
    )
    return section


def _coverage(classes: list[Any], real: np.ndarray, predicted: np.ndarray, asked: np.ndarray | None) -> Section:
    section = Section("coverage", "Class coverage")
    k = len(classes)
    real_share = np.bincount(real, minlength=k) / len(real)
    synthetic_share = np.bincount(predicted, minlength=k) / max(len(predicted), 1)
    produced = synthetic_share >= PRODUCED_SHARE * real_share
    share = section.add("class_coverage", float(produced.mean()), HIGHER, note="share of classes produced")
    section.add("classes_produced", int(produced.sum()), HIGHER)
    section.add("classes", k, INFO)
    section.add("class_distribution_tv", float(0.5 * np.abs(real_share - synthetic_share).sum()), LOWER)
    asked_share = None if asked is None else np.bincount(asked, minlength=k) / max(len(asked), 1)
    section.tables["classes"] = [
        {
            "class": value,
            "real_share": float(real_share[index]),
            "synthetic_share": float(synthetic_share[index]),
            **({} if asked_share is None else {"asked_share": float(asked_share[index])}),
            "produced": bool(produced[index]),
        }
        for index, value in enumerate(classes)
    ]
    missing = [str(value) for value, made in zip(classes, produced, strict=True) if not made]
    section.verdict = Verdict(
        "good" if produced.all() else "fair" if share >= 0.8 else "poor",
        f"{int(produced.sum())} of {k} classes produced" + (f" (missing: {', '.join(missing)})" if missing else ""),
        "good = every class; a class counts at >= 1/5 of its real share (judge's predictions)",
    )
    return section


def _grids(scale, real, real_codes, synthetic, synthetic_codes, predicted, classes) -> dict[str, np.ndarray]:
    """uint8 grids for the report: one row per class (real by label, synthetic by asked or judged class)."""
    side = min(real.shape[2:])
    zoom = max(1, round(GRID_TILE_PIXELS / side))
    if classes is None:
        pick = slice(0, GRID_COLUMNS * GRID_COLUMNS)
        return {
            "real": image_grid(to_uint8(real[pick], scale), GRID_COLUMNS, scale=zoom),
            "synthetic": image_grid(to_uint8(synthetic[pick], scale), GRID_COLUMNS, scale=zoom),
        }
    synthetic_classes = synthetic_codes if synthetic_codes is not None else predicted

    def by_class(images: np.ndarray, codes: np.ndarray) -> np.ndarray:
        tiles = np.full((len(classes) * GRID_COLUMNS, *images.shape[1:]), 0, dtype=np.uint8)
        for index in range(len(classes)):
            chosen = np.flatnonzero(codes == index)[:GRID_COLUMNS]
            start = index * GRID_COLUMNS
            tiles[start : start + len(chosen)] = to_uint8(images[chosen], scale)
        return image_grid(tiles, GRID_COLUMNS, scale=zoom)

    return {"real": by_class(real, real_codes), "synthetic": by_class(synthetic, synthetic_classes)}


def _codes(labels: Any, classes: list[Any] | None, n: int, name: str) -> np.ndarray | None:
    """Class indices of ``labels`` in the real classes (None when there are no labels to use)."""
    if labels is None or classes is None:
        return None
    values, codes = encode_labels(labels, n)
    lookup = {str(value): index for index, value in enumerate(classes)}
    unknown = [value for value in values if str(value) not in lookup]
    if unknown:
        raise DataError(f"{name} hold {unknown[0]!r}, which is not a class of real_labels ({classes}).")
    return np.array([lookup[str(value)] for value in values])[codes]


def _same_shape(real: np.ndarray, other: np.ndarray, name: str) -> None:
    if real.shape[1:] != other.shape[1:]:
        raise DataError(f"{name} images are {other.shape[1:]} (C, H, W) but real ones are {real.shape[1:]}.")


# ------------------------------------------------------------------------------------------- report


class ImageReport:
    """The figures of :func:`evaluate_images`: ``to_dict()``, ``to_json()`` and a self-contained ``to_html()``.

    Headline keys of ``to_dict()`` (None where the inputs did not allow): ``fid``, ``fid_floor``,
    ``fid_ratio``, ``judge_accuracy``, ``conditional_accuracy``, ``class_coverage``, ``classes_produced``.
    """

    HEADLINE = {
        "fidelity": ("fid", "fid_floor", "fid_ratio"),
        "conditional": ("judge_accuracy", "conditional_accuracy"),
        "coverage": ("class_coverage", "classes_produced"),
    }

    def __init__(
        self, sections: dict[str, Section], inputs: dict[str, Any], timings: dict[str, float], grids: dict
    ) -> None:
        self.sections, self.inputs, self.timings, self.grids = sections, inputs, timings, grids

    def __getitem__(self, name: str) -> Section:
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            key: self.sections[name].value(key) for name, keys in self.HEADLINE.items() for key in keys
        }
        out["verdicts"] = {name: s.verdict.to_dict() if s.verdict else None for name, s in self.sections.items()}
        out["inputs"] = clean(self.inputs)
        out["timings_s"] = {name: round(seconds, 3) for name, seconds in self.timings.items()}
        for name, section in self.sections.items():
            out[name] = section.to_dict()
        return out

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)
        if path is not None:
            _write(path, text + "\n")
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """One offline HTML page: summary, real vs synthetic grids, class histogram, per-class tables."""
        from synthgan.evaluation.image_html import render

        page = render(self)
        if path is not None:
            _write(path, page)
        return page

    def __repr__(self) -> str:
        figures = {k: v for k, v in self.to_dict().items() if k in ("fid", "fid_floor", "conditional_accuracy")}
        shown = ", ".join(f"{k}={v:.3f}" for k, v in figures.items() if isinstance(v, float))
        return f"ImageReport({shown})"
