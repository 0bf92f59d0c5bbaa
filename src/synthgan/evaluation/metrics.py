"""The records every evaluation section produces.

A :class:`Metric` is one figure: its name, the section it belongs to (``kind``), which way is better
(``direction``) and its value. A :class:`Section` groups the metrics of one part of the evaluation with
its per-column tables, its notes (what was subsampled, what was skipped and why), the verdict shown in
the report's summary and the time it took. Everything here serializes to plain JSON: NaN becomes
``None`` and numpy scalars become Python numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["HIGHER", "INFO", "LOWER", "TARGET", "Metric", "Section", "Verdict", "clean", "grade"]

HIGHER = "higher"  # higher is better
LOWER = "lower"  # lower is better
TARGET = "target"  # closer to `target` is better
INFO = "info"  # descriptive: no value is better than another

GOOD, FAIR, POOR, SKIPPED, NEUTRAL = "good", "fair", "poor", "skipped", "info"


def grade(value: float, good: float, fair: float, *, higher: bool = False) -> str:
    """Traffic light for ``value``: good within ``good``, fair within ``fair``, else poor.

    "Within" means at most the bound, or at least it with ``higher=True`` (higher is better).
    """
    if higher:
        value, good, fair = -value, -good, -fair
    return GOOD if value <= good else FAIR if value <= fair else POOR


@dataclass(frozen=True)
class Metric:
    """One figure of the evaluation."""

    name: str
    kind: str
    direction: str
    value: Any
    target: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "kind": self.kind, "direction": self.direction, "value": clean(self.value)}
        if self.target is not None:
            out["target"] = self.target
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Verdict:
    """A traffic light for the summary: status, the figure it was read from, and the rule used."""

    status: str
    figure: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "figure": self.figure, "rule": self.rule}


@dataclass
class Section:
    """The result of one part of the evaluation (fidelity, detection, utility, ...)."""

    name: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    verdict: Verdict | None = None
    seconds: float = 0.0
    # Arrays the plots draw from; kept in memory, never serialized.
    artifacts: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: Any, direction: str, *, target: float | None = None, note: str = "") -> Any:
        """Record a metric and return its value (so callers can keep using it)."""
        self.metrics.append(Metric(name, self.name, direction, value, target, note))
        return value

    def value(self, name: str, default: Any = None) -> Any:
        for metric in self.metrics:
            if metric.name == name:
                return clean(metric.value)
        return default

    def skip(self, reason: str) -> Section:
        self.skipped = reason
        self.verdict = Verdict(SKIPPED, "-", reason)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "status": "skipped" if self.skipped else "ok",
            "skipped_reason": self.skipped,
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "metrics": [metric.to_dict() for metric in self.metrics],
            "tables": {
                name: [{k: clean(v) for k, v in row.items()} for row in rows] for name, rows in self.tables.items()
            },
        }


def clean(value: Any) -> Any:
    """Turn numpy scalars and containers into JSON-ready Python values; NaN and inf become ``None``."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if value is None or isinstance(value, bool | int | str):
        return value
    try:  # pandas NA / NaT and other missing markers
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
