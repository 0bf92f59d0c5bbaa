"""Real against synthetic, column by column, for people to look at: one figure and one small table.

``compare_columns(real, synthetic, ["BMI", "MentHlth"], path="compare.png")`` draws each column's
real distribution (filled) under one outline per synthetic table, so several generators can be
compared on the same axes (``synthetic={"wgangp": a, "ctgan": b}``). ``describe_columns`` gives the
same comparison as numbers: mean, spread, quantiles and the column-shape score of each table.

The figure is a ``matplotlib.figure.Figure`` on the Agg canvas (no pyplot state, no GUI backend);
notebooks display it, and ``path`` writes it as a PNG.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from synthgan.data.schema import ColumnKind, infer_schema
from synthgan.errors import DataError
from synthgan.evaluation.fidelity import ks_complement
from synthgan.evaluation.plots import HOLDOUT, REAL, SYNTHETIC, _short, _style

__all__ = ["compare_columns", "describe_columns"]

OUTLINES = (SYNTHETIC, HOLDOUT, "#8e6bbf", "#c94f7c", "#6b6b6b")
NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
MAX_LEVELS = 8
PANELS_PER_ROW = 3
BINS = 40


def compare_columns(
    real: pd.DataFrame,
    synthetic: pd.DataFrame | Mapping[str, pd.DataFrame],
    columns: Sequence[str] | None = None,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    dpi: int = 96,
):
    """One panel per column: the real distribution and each synthetic table's, on shared bins.

    Numeric columns get density histograms (whole-number bins for integers, so 0-30 day counts do
    not alias), categorical and boolean columns the share of each level (the 8 most frequent in the
    real table, the rest as "other"). ``columns`` defaults to every learned column, at most 12.
    Returns the figure; with ``path`` it is also written as a PNG.
    """
    tables = _named(synthetic)
    columns = _columns(real, tables, columns)
    schema = infer_schema(real[columns])
    rows = -(-len(columns) // PANELS_PER_ROW)
    width = min(len(columns), PANELS_PER_ROW)
    figure = _figure(3.4 * width, 2.5 * rows + (0.35 if title else 0), dpi)
    axes = np.atleast_1d(figure.subplots(rows, width, squeeze=False).ravel())
    for ax, column in zip(axes, columns, strict=False):
        kind = schema[column].kind
        values = {name: table[column] for name, table in tables.items()}
        if kind in NUMERIC:
            _histograms(ax, real[column], values, kind)
        else:
            _level_bars(ax, real[column], values)
        ax.set_title(_short(column, 30), fontsize=9, loc="left")
        _style(ax)
    for ax in axes[len(columns) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper right", ncols=len(labels), fontsize=8, frameon=False)
    if title:
        figure.suptitle(title, fontsize=10, x=0.01, ha="left")
    if path is not None:
        _save(figure, Path(path), dpi)
    return figure


def describe_columns(
    real: pd.DataFrame,
    synthetic: pd.DataFrame | Mapping[str, pd.DataFrame],
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Numeric columns side by side: one row per (column, table) with mean, std, 5/50/95% and shape score.

    ``shape`` is the KSComplement against the real column (1 = same distribution), as in the
    evaluation report's column shapes.
    """
    tables = _named(synthetic)
    columns = _columns(real, tables, columns)
    schema = infer_schema(real[columns])
    rows = []
    for column in columns:
        if schema[column].kind not in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
            continue
        reference = _floats(real[column])
        for name, series in {"real": real[column], **{n: t[column] for n, t in tables.items()}}.items():
            values = _floats(series)
            low, median, high = np.nanpercentile(values, [5, 50, 95]) if len(values) else (np.nan,) * 3
            rows.append(
                {
                    "column": column,
                    "table": name,
                    "mean": float(np.mean(values)) if len(values) else np.nan,
                    "std": float(np.std(values)) if len(values) else np.nan,
                    "p5": low,
                    "median": median,
                    "p95": high,
                    "shape": 1.0 if name == "real" else ks_complement(reference, values),
                }
            )
    return pd.DataFrame(rows, columns=["column", "table", "mean", "std", "p5", "median", "p95", "shape"])


# ----------------------------------------------------------------------------------------- helpers


def _named(synthetic) -> dict[str, pd.DataFrame]:
    if isinstance(synthetic, pd.DataFrame):
        return {"synthetic": synthetic}
    if not isinstance(synthetic, Mapping) or not synthetic:
        raise DataError("synthetic must be a DataFrame or a non-empty mapping of name -> DataFrame.")
    if len(synthetic) > len(OUTLINES):
        raise DataError(f"At most {len(OUTLINES)} synthetic tables fit on one figure, got {len(synthetic)}.")
    return {str(name): table for name, table in synthetic.items()}


def _columns(real: pd.DataFrame, tables: dict[str, pd.DataFrame], columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        schema = infer_schema(real)
        columns = [spec.name for spec in schema if spec.kind.is_learned][:12]
    columns = list(columns)
    if not columns:
        raise DataError("No column to compare: pass columns=[...].")
    for name, table in {"real": real, **tables}.items():
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise DataError(f"Column(s) {missing} are not in the {name} table. Its columns are: {list(table.columns)}.")
    return columns


def _figure(width: float, height: float, dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _floats(series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna().astype("int64").to_numpy(dtype=float)
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return values[~np.isnan(values)]


def _bins(values: np.ndarray, kind: ColumnKind) -> np.ndarray:
    """Shared bin edges: one per whole number for integers over a short range, else 40 over the central 99%."""
    if kind is ColumnKind.INTEGER:
        low, high = np.floor(values.min()), np.ceil(values.max())
        if high - low + 1 > BINS:
            low, high = np.floor(np.percentile(values, [0.5, 99.5]))
        step = max(1.0, np.ceil((high - low + 1) / BINS))
        return np.arange(low, high + step + 1, step) - 0.5
    low, high = np.percentile(values, [0.5, 99.5])
    if high <= low:
        low, high = values.min() - 0.5, values.max() + 0.5
    return np.linspace(low, high, BINS + 1)


def _histograms(ax, real: pd.Series, synthetic: dict[str, pd.Series], kind: ColumnKind) -> None:
    reference = _floats(real)
    others = {name: _floats(series) for name, series in synthetic.items()}
    everything = np.concatenate([reference, *others.values()])
    if len(everything) == 0:
        ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        return
    bins = _bins(reference if len(reference) else everything, kind)
    ax.hist(reference, bins=bins, density=True, histtype="stepfilled", color=REAL, alpha=0.35, label="real")
    for color, (name, values) in zip(OUTLINES, others.items(), strict=False):
        ax.hist(values, bins=bins, density=True, histtype="step", color=color, linewidth=1.5, label=name)
    ax.set_yticks([])
    ax.set_ylabel("density", fontsize=8)


def _level_bars(ax, real: pd.Series, synthetic: dict[str, pd.Series]) -> None:
    shares = real.astype("string").fillna("(missing)").value_counts(normalize=True)
    levels = list(shares.index[:MAX_LEVELS])
    tables = {"real": real, **synthetic}
    width = 0.8 / len(tables)
    x = np.arange(len(levels) + (len(shares) > MAX_LEVELS))
    for i, (color, (name, series)) in enumerate(zip((REAL, *OUTLINES), tables.items(), strict=False)):
        counts = series.astype("string").fillna("(missing)").value_counts(normalize=True)
        heights = [counts.get(level, 0.0) for level in levels]
        if len(x) > len(levels):
            heights.append(1.0 - sum(heights))
        ax.bar(x - 0.4 + width * (i + 0.5), heights, width=width, color=color, alpha=0.85, label=name)
    labels = [_short(level) for level in levels] + (["other"] if len(x) > len(levels) else [])
    rotate = len(labels) > 3
    ax.set_xticks(x, labels, rotation=35 if rotate else 0, ha="right" if rotate else "center")
    ax.set_ylabel("share", fontsize=8)


def _save(figure, path: Path, dpi: int) -> None:
    """Write the PNG next to its destination, then move it in place, so no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        figure.savefig(partial, format="png", dpi=dpi, facecolor="white")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
