"""The result of :func:`synthgan.evaluate`: every figure, as a dict, JSON or a self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthgan.errors import ParameterError
from synthgan.evaluation.metrics import Metric, Section, clean

__all__ = ["FIGURES", "HEADLINE_KEYS", "EvaluationReport"]

# Top-level keys of to_dict() that scripts can rely on; None where the inputs did not allow the figure.
HEADLINE_KEYS = (
    "score",
    "column_shapes",
    "column_pair_trends",
    "detection_auc",
    "tstr",
    "trtr",
    "dcr_share",
    "exact_copies",
)

# The report's figures that save_figure writes on their own (the HTML page embeds them all).
FIGURES = {
    "pca": "real and synthetic rows on the real table's first two principal components",
    "column_shapes": "every column's shape score, worst first",
    "associations": "association matrices of both tables and their difference",
    "dcr": "distances to the closest training and holdout records",
}


class EvaluationReport:
    """Every section's metrics, tables, notes and verdict, plus what was compared.

    ``report.score`` is the overall quality in [0, 1] (SDMetrics QualityReport definition);
    ``report.to_dict()`` holds every figure; ``report.to_html(path)`` writes one offline HTML file.
    """

    def __init__(self, sections: dict[str, Section], inputs: dict[str, Any], timings: dict[str, float]):
        self.sections = sections
        self.inputs = inputs
        self.timings = timings
        self._html: str | None = None

    def __getitem__(self, name: str) -> Section:
        return self.sections[name]

    @property
    def score(self) -> float | None:
        """Overall quality: the mean of column shapes and column pair trends (1 = same distributions)."""
        return self.sections["fidelity"].value("score")

    @property
    def metrics(self) -> list[Metric]:
        return [metric for section in self.sections.values() for metric in section.metrics]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: the headline figures at the top level, then one entry per section.

        ``score``, ``column_shapes``, ``column_pair_trends``, ``detection_auc``, ``tstr``, ``trtr``,
        ``dcr_share`` and ``exact_copies`` are always present (``None`` where the inputs did not allow).
        """
        fidelity, privacy = self.sections["fidelity"], self.sections["privacy"]
        out: dict[str, Any] = {
            "score": fidelity.value("score"),
            "column_shapes": fidelity.value("column_shapes"),
            "column_pair_trends": fidelity.value("column_pair_trends"),
            "detection_auc": self.sections["detection"].value("detection_auc"),
            "tstr": self._model_scores("tstr"),
            "trtr": self._model_scores("trtr"),
            "dcr_share": privacy.value("dcr_share"),
            "exact_copies": privacy.value("exact_copies"),
            "verdicts": {name: s.verdict.to_dict() if s.verdict else None for name, s in self.sections.items()},
            "inputs": clean(self.inputs),
            "timings_s": {name: round(seconds, 3) for name, seconds in self.timings.items()},
        }
        for name, section in self.sections.items():
            out[name] = section.to_dict()
        return out

    def _model_scores(self, prefix: str) -> dict[str, Any] | None:
        section = self.sections["utility"]
        if section.skipped:
            return None
        scores = {m.name[len(prefix) + 1 :]: clean(m.value) for m in section.metrics if m.name.startswith(f"{prefix}_")}
        return scores or None

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        """The :meth:`to_dict` figures as strict JSON (no NaN); also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)
        if path is not None:
            _write(path, text + "\n")
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """One self-contained HTML page (plots embedded as PNG); also written to ``path`` when given."""
        if self._html is None:
            from synthgan.evaluation.html import render

            self._html = render(self)
        if path is not None:
            _write(path, self._html)
        return self._html

    def save_figure(self, name: str, path: str | Path) -> Path:
        """Write one of the report's figures as a PNG: ``"pca"``, ``"column_shapes"``, ``"associations"``
        or ``"dcr"`` (see :data:`FIGURES`). Raises ParameterError for an unknown name or a figure the
        inputs did not allow (``"dcr"`` needs the privacy section, ``"pca"`` two or more columns)."""
        import base64

        from synthgan.evaluation import plots
        from synthgan.evaluation.html import _heatmap_columns

        if name not in FIGURES:
            raise ParameterError(f"Unknown figure {name!r}. Choose from: {', '.join(FIGURES)}.")
        fidelity = self.sections["fidelity"]
        artifact = {
            "pca": fidelity.artifacts.get("pca"),
            "column_shapes": fidelity.tables.get("column_shapes"),
            "associations": fidelity.artifacts.get("pairs"),
            "dcr": self.sections["privacy"].artifacts.get("dcr"),
        }[name]
        if artifact is None or (name == "associations" and len(artifact.real) < 2):
            raise ParameterError(f"This report has no {name!r} figure: its section was skipped or had too little data.")
        if name == "pca":
            png = plots.pca_scatter(artifact)
        elif name == "column_shapes":
            png = plots.column_scores(artifact)
        elif name == "associations":
            columns = _heatmap_columns(artifact, fidelity)
            png = plots.heatmaps(artifact.real, artifact.synthetic, columns)
        else:
            png = plots.dcr_histograms(artifact)
        path = Path(path)
        _write_bytes(path, base64.b64decode(png))
        return path

    def summary(self) -> list[dict[str, str]]:
        """One row per section: name, title, verdict status, headline figure and the rule applied."""
        rows = []
        for name, section in self.sections.items():
            verdict = section.verdict
            rows.append(
                {
                    "section": name,
                    "title": section.title,
                    "status": verdict.status if verdict else "-",
                    "figure": verdict.figure if verdict else "-",
                    "rule": verdict.rule if verdict else "",
                }
            )
        return rows

    def __repr__(self) -> str:
        headline = {
            k: v for k, v in self.to_dict().items() if k in ("score", "detection_auc", "dcr_share", "exact_copies")
        }
        shown = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in headline.items())
        return f"EvaluationReport({shown})"


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write(path: str | Path, text: str) -> None:
    """Write the finished text in one go, creating the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
