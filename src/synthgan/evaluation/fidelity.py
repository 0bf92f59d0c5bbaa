"""Fidelity: do the columns, and the relations between them, look the same in both tables?

The two headline properties follow SDMetrics' single-table ``QualityReport`` (sdmetrics 0.32) exactly:

* **Column shapes**: KSComplement (1 - the two-sample Kolmogorov-Smirnov D statistic, values rounded to
  14 decimals, missing values dropped) for numeric and datetime columns; TVComplement (1 - total
  variation distance of the category frequencies, missing values dropped) for categorical and boolean
  ones. The property is the mean over columns.
* **Column pair trends**: CorrelationSimilarity (1 - |r_real - r_synthetic| / 2, Pearson r on the rows
  where both columns are present) for numeric pairs; ContingencySimilarity (1 - total variation distance
  of the joint frequencies, missing values counted as a category) for every other pair. In a mixed
  pair the numeric column is cut into ``np.histogram_bin_edges``' 10 bins, edges taken from each table
  on its own, and ``np.digitize`` puts the table maximum and the missing values in an extra top bin, as
  SDMetrics does. The property averages only the pairs whose real data show a link (|r| > 0.5, or
  Cramér's V > 0.3), SDMetrics' defaults; ``column_pair_trends_all_pairs`` averages every pair as older
  SDMetrics releases did.
* **Score** = the mean of the two properties (the column-shape score alone when no pair qualifies).

Unlike SDMetrics, which samples 50,000 rows at random (unseeded) for each contingency table of a larger
table, every pair here is counted on all rows: integer codes and ``np.bincount`` make that cheap, and
the result is deterministic.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthgan.data.schema import ColumnKind, Schema
from synthgan.evaluation.encoding import DistanceEncoder
from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import HIGHER, INFO, POOR, Section, Verdict, grade
from synthgan.evaluation.streamed import exact_ks_complement, exact_tv_complement

__all__ = ["PairStats", "fidelity", "ks_complement", "pair_statistics", "sdmetrics_metadata", "tv_complement"]

GOOD_SCORE, FAIR_SCORE = 0.85, 0.70
HIST_BINS = 10  # np.histogram_bin_edges' default, which SDMetrics uses
DENSE_LIMIT = 4_000_000  # joint tables with more cells are counted by sorting instead of bincount
KS_DECIMALS = 14  # SDMetrics rounds to sys.float_info.dig - 1 decimals before the KS test


def sdmetrics_metadata(schema: Schema) -> dict:
    """The SDMetrics single-table metadata equivalent to a synthgan schema (for cross-checks)."""
    sdtypes = {
        ColumnKind.CONTINUOUS: "numerical",
        ColumnKind.INTEGER: "numerical",
        ColumnKind.DATETIME: "datetime",
        ColumnKind.CATEGORICAL: "categorical",
        ColumnKind.BOOLEAN: "boolean",
        ColumnKind.CONSTANT: "categorical",
        ColumnKind.IDENTIFIER: "id",
    }
    return {"columns": {spec.name: {"sdtype": sdtypes[spec.kind]} for spec in schema}}


def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """1 - the Kolmogorov-Smirnov D statistic of two float samples (NaN dropped); NaN if one is empty."""
    a = np.sort(np.round(real[~np.isnan(real)], KS_DECIMALS))
    b = np.sort(np.round(synthetic[~np.isnan(synthetic)], KS_DECIMALS))
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    both = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, both, side="right") / len(a)
    cdf_b = np.searchsorted(b, both, side="right") / len(b)
    return float(1 - np.max(np.abs(cdf_a - cdf_b)))


def tv_complement(real_codes: np.ndarray, synthetic_codes: np.ndarray, n_codes: int, na_code: int = -1) -> float:
    """1 - total variation distance between two code frequency vectors (the missing code dropped)."""
    real = np.bincount(real_codes, minlength=n_codes).astype(float)
    synthetic = np.bincount(synthetic_codes, minlength=n_codes).astype(float)
    if na_code >= 0:
        real[na_code] = synthetic[na_code] = 0
    if real.sum() == 0 or synthetic.sum() == 0:
        return float("nan")
    return float(1 - 0.5 * np.abs(real / real.sum() - synthetic / synthetic.sum()).sum())


@dataclass
class PairStats:
    """Every column pair's trend score, and the association matrices of both tables."""

    rows: list[dict]
    real: pd.DataFrame  # Pearson r for numeric pairs, Cramér's V for the others
    synthetic: pd.DataFrame


def pair_statistics(tables: Tables) -> PairStats:
    """Column pair trends (SDMetrics definitions) and association matrices, counted on all rows."""
    if "pairs" in tables.cache:
        return tables.cache["pairs"]
    settings = tables.settings
    columns = tables.columns
    names = ("real", "synthetic")
    discrete = {name: _discrete_views(tables, name) for name in names}
    constant = {name: {c: _is_constant(tables.values[name][c]) for c in tables.numeric} for name in names}
    matrices = {name: np.eye(len(columns)) for name in names}
    rows = []
    for (i, first), (j, second) in itertools.combinations(enumerate(columns), 2):
        if tables.is_numeric(first) and tables.is_numeric(second):
            row = _correlation_pair(tables, first, second, constant, settings.correlation_threshold)
        else:
            row = _contingency_pair(discrete, first, second, settings.association_threshold)
        rows.append(row)
        for name in names:
            matrices[name][i, j] = matrices[name][j, i] = row[name]
    for i, column in enumerate(columns):  # a constant column is associated with nothing, not even itself
        for name in names:
            if tables.is_numeric(column) and constant[name][column]:
                matrices[name][i, i] = np.nan
    frames = {name: pd.DataFrame(matrices[name], index=columns, columns=columns) for name in names}
    stats = PairStats(rows, frames["real"], frames["synthetic"])
    tables.cache["pairs"] = stats
    return stats


def _correlation_pair(tables: Tables, first: str, second: str, constant: dict, threshold: float) -> dict:
    values = tables.values
    real_r = _pearson(values["real"][first], values["real"][second])
    synthetic_r = _pearson(values["synthetic"][first], values["synthetic"][second])
    if any(constant[name][column] for name in constant for column in (first, second)):
        score, meets = float("nan"), False  # SDMetrics: correlation is undefined for constant data
    else:
        score = 1 - abs(real_r - synthetic_r) / 2
        meets = threshold <= 0 or abs(real_r) > threshold
    return _pair_row(first, second, "CorrelationSimilarity", score, meets, real_r, synthetic_r)


def _contingency_pair(discrete: dict, first: str, second: str, threshold: float) -> dict:
    counts = {}
    for name, views in discrete.items():
        (a, k1), (b, k2) = views[first], views[second]
        counts[name] = None if a is None or b is None else (_joint_counts(a, b, k1, k2), k2)
    if counts["real"] is None or counts["synthetic"] is None:  # a numeric column with no values to bin
        return _pair_row(first, second, "ContingencySimilarity", float("nan"), False, float("nan"), float("nan"))
    real_v = _cramers_v(*counts["real"])
    synthetic_v = _cramers_v(*counts["synthetic"])
    score = _joint_tv_complement(counts["real"][0], counts["synthetic"][0])
    meets = threshold <= 0 or real_v > threshold
    return _pair_row(first, second, "ContingencySimilarity", score, meets, real_v, synthetic_v)


def _pair_row(first, second, metric, score, meets, real, synthetic) -> dict:
    return {
        "column_1": first,
        "column_2": second,
        "metric": metric,
        "score": score,
        "meets_threshold": meets,
        "real": real,
        "synthetic": synthetic,
    }


def _discrete_views(tables: Tables, name: str) -> dict[str, tuple[np.ndarray | None, int]]:
    """Codes per column: discrete codes as they are, numeric columns binned as SDMetrics bins them."""
    views = {}
    for column in tables.columns:
        if tables.is_numeric(column):
            views[column] = (_discretize(tables.values[name][column]), HIST_BINS + 2)
        else:
            views[column] = (tables.codes[name][column], len(tables.categories[column]))
    return views


def _discretize(values: np.ndarray) -> np.ndarray | None:
    finite = values[~np.isnan(values)]
    if len(finite) == 0:
        return None
    edges = np.histogram_bin_edges(finite, bins=HIST_BINS)
    return np.digitize(values, bins=edges).astype(np.int64)


def _is_constant(values: np.ndarray) -> bool:
    finite = values[~np.isnan(values)]
    return len(finite) > 0 and bool(finite.min() == finite.max())


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if len(x) < 2:
        return float("nan")
    x = x - x.mean()
    y = y - y.mean()
    # Plain reductions, not np.dot: BLAS threads cost more than they save on one vector pair.
    denominator = np.sqrt(np.sum(x * x) * np.sum(y * y))
    if denominator == 0:
        return float("nan")
    return float(np.clip(np.sum(x * y) / denominator, -1.0, 1.0))


def _joint_counts(a: np.ndarray, b: np.ndarray, k1: int, k2: int) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty cells of the a-by-b contingency table, as (cell key, count)."""
    keys = a.astype(np.int64) * k2 + b
    if k1 * k2 <= DENSE_LIMIT:
        counts = np.bincount(keys, minlength=k1 * k2)
        cells = np.flatnonzero(counts)
        return cells, counts[cells]
    return np.unique(keys, return_counts=True)


def _joint_tv_complement(real: tuple[np.ndarray, np.ndarray], synthetic: tuple[np.ndarray, np.ndarray]) -> float:
    cells = np.union1d(real[0], synthetic[0])
    p_real = np.zeros(len(cells))
    p_synthetic = np.zeros(len(cells))
    p_real[np.searchsorted(cells, real[0])] = real[1] / real[1].sum()
    p_synthetic[np.searchsorted(cells, synthetic[0])] = synthetic[1] / synthetic[1].sum()
    return float(1 - 0.5 * np.abs(p_real - p_synthetic).sum())


def _cramers_v(joint: tuple[np.ndarray, np.ndarray], k2: int) -> float:
    """Cramér's V of a contingency table given by its non-empty cells (no continuity correction)."""
    cells, counts = joint
    row_values, rows = np.unique(cells // k2, return_inverse=True)
    column_values, cols = np.unique(cells % k2, return_inverse=True)
    if len(row_values) < 2 or len(column_values) < 2:
        return float("nan")
    counts = counts.astype(float)
    row_totals = np.bincount(rows, weights=counts)
    column_totals = np.bincount(cols, weights=counts)
    n = counts.sum()
    # chi2 = sum over all cells of (O - E)^2 / E = n * (sum over non-empty cells of O^2 / (R C) - 1)
    chi2 = n * (np.sum(counts**2 / (row_totals[rows] * column_totals[cols])) - 1)
    return float(np.sqrt(max(chi2, 0.0) / n / (min(len(row_values), len(column_values)) - 1)))


def fidelity(tables: Tables) -> Section:
    section = Section("fidelity", "Fidelity")
    settings = tables.settings
    shapes = _column_shapes(tables)
    exact = [row.pop("exact") for row in shapes if "exact" in row]
    streamed = tables.cache.get("streamed", {})
    if streamed:
        sampled = ", ".join(f"{t.sampled_rows:,} of {t.rows:,} {name} rows" for name, t in streamed.items())
        section.notes.append(
            f"Tables on disk were read once each: column shapes of {len(exact)} of {len(shapes)} columns "
            f"come from exact counts over every row; the rest of the report uses seeded samples ({sampled})."
        )
    pairs = pair_statistics(tables)
    shape_score = _nanmean([row["score"] for row in shapes])
    qualifying = [row["score"] for row in pairs.rows if row["meets_threshold"]]
    trend_score = _nanmean(qualifying)
    trend_all = _nanmean([row["score"] for row in pairs.rows])
    score = _nanmean([shape_score, trend_score])

    section.add("score", score, HIGHER, note="mean of column_shapes and column_pair_trends (SDMetrics QualityReport)")
    section.add("column_shapes", shape_score, HIGHER, note="mean KSComplement / TVComplement over columns")
    section.add(
        "column_pair_trends",
        trend_score,
        HIGHER,
        note=f"mean over pairs with real |r| > {settings.correlation_threshold:g} or Cramér's V > "
        f"{settings.association_threshold:g} (SDMetrics defaults)",
    )
    section.add("column_pair_trends_all_pairs", trend_all, HIGHER, note="mean over every column pair")
    section.add("pairs_counted", int(sum(1 for s in qualifying if not np.isnan(s))), INFO)
    section.add("pairs_total", len(pairs.rows), INFO)
    if np.isnan(trend_score):
        section.notes.append(
            "No column pair shows a link in the real data above the thresholds, so the score is the "
            "column-shape score alone (as in SDMetrics)."
        )
    coverage = _coverage(tables)
    for key, label in (
        ("missing_similarity", "missing_value_similarity"),
        ("range_coverage", "range_coverage"),
        ("boundary_adherence", "boundary_adherence"),
        ("category_coverage", "category_coverage"),
    ):
        section.add(label, _nanmean([row.get(key, np.nan) for row in coverage]), HIGHER)
    section.add(
        "new_category_share",
        _nanmean([row.get("new_category_share", np.nan) for row in coverage]),
        INFO,
        note="share of synthetic values in categories the real table never shows (mean over columns)",
    )

    section.tables["column_shapes"] = shapes
    section.tables["column_pair_trends"] = pairs.rows
    section.tables["coverage"] = coverage
    if tables.identifiers:
        section.notes.append(
            f"Identifier columns are unique per row and not compared: {', '.join(tables.identifiers)}."
        )
    section.verdict = _verdict(score)
    section.artifacts["pairs"] = pairs
    section.artifacts["max_heatmap_columns"] = settings.max_heatmap_columns
    section.artifacts["overlays"] = _overlay_samples(tables, shapes)
    section.artifacts["pca"] = _pca(tables)
    n_pca = min(tables.rows("real"), settings.pca_rows), min(tables.rows("synthetic"), settings.pca_rows)
    section.notes.append(
        f"Column shapes and pair trends use every row. The PCA plot shows a seeded subsample of {n_pca[0]:,} real "
        f"and {n_pca[1]:,} synthetic rows; the per-column plots at most {settings.plot_rows:,} rows per table."
    )
    return section


def _column_shapes(tables: Tables) -> list[dict]:
    """KSComplement / TVComplement per column; from exact counts over every row where the inputs
    were tables on disk whose columns were counted (see evaluation/streamed.py)."""
    rows = []
    streamed = tables.cache.get("streamed", {})
    for column in tables.columns:
        exact = _exact_shape(tables, streamed, column)
        if exact is not None:
            rows.append({"column": column, "kind": tables.kinds[column].value, **exact})
            continue
        if tables.is_numeric(column):
            score = ks_complement(tables.values["real"][column], tables.values["synthetic"][column])
            metric = "KSComplement"
        else:
            score = tv_complement(
                tables.codes["real"][column],
                tables.codes["synthetic"][column],
                len(tables.categories[column]),
                tables.na_code[column],
            )
            metric = "TVComplement"
        rows.append({"column": column, "kind": tables.kinds[column].value, "metric": metric, "score": score})
    return rows


def _exact_shape(tables: Tables, streamed: dict, column: str) -> dict | None:
    if "real" not in streamed or "synthetic" not in streamed or tables.kinds[column] is ColumnKind.DATETIME:
        return None
    real, synthetic = streamed["real"].counts[column], streamed["synthetic"].counts[column]
    if tables.is_numeric(column):
        score, metric = exact_ks_complement(real, synthetic, KS_DECIMALS), "KSComplement"
    else:
        score, metric = exact_tv_complement(real, synthetic), "TVComplement"
    return None if score is None else {"metric": metric, "score": score, "exact": True}


def _coverage(tables: Tables) -> list[dict]:
    rows = []
    for column in tables.columns:
        row: dict = {"column": column, "kind": tables.kinds[column].value}
        if tables.is_numeric(column):
            real, synthetic = tables.values["real"][column], tables.values["synthetic"][column]
            real_missing, synthetic_missing = np.isnan(real).mean(), np.isnan(synthetic).mean()
            real, synthetic = real[~np.isnan(real)], synthetic[~np.isnan(synthetic)]
            if len(real) and len(synthetic):
                low, high = real.min(), real.max()
                if high > low:
                    below = max((synthetic.min() - low) / (high - low), 0)
                    above = max((high - synthetic.max()) / (high - low), 0)
                    row["range_coverage"] = max(1 - (below + above), 0.0)
                row["boundary_adherence"] = float(np.mean((synthetic >= low) & (synthetic <= high)))
        else:
            n_codes, na = len(tables.categories[column]), tables.na_code[column]
            real = np.bincount(tables.codes["real"][column], minlength=n_codes)
            synthetic = np.bincount(tables.codes["synthetic"][column], minlength=n_codes)
            real_missing = real[na] / real.sum() if na >= 0 else 0.0
            synthetic_missing = synthetic[na] / synthetic.sum() if na >= 0 else 0.0
            if na >= 0:
                real[na] = synthetic[na] = 0
            if real.sum():
                row["category_coverage"] = float(np.mean(synthetic[real > 0] > 0))
            if synthetic.sum():
                row["new_category_share"] = float(synthetic[real == 0].sum() / synthetic.sum())
        row["missing_real"] = float(real_missing)
        row["missing_synthetic"] = float(synthetic_missing)
        row["missing_similarity"] = float(1 - abs(real_missing - synthetic_missing))
        rows.append(row)
    return rows


def _overlay_samples(tables: Tables, shapes: list[dict]) -> dict:
    """Values of the worst-matching columns (at most ``max_plotted_columns``) for the overlay plots."""
    settings = tables.settings
    order = sorted(shapes, key=lambda row: (np.isnan(row["score"]), row["score"]))
    chosen = order[: settings.max_plotted_columns]
    real_rows = tables.sample("real", settings.plot_rows, "plots")
    synthetic_rows = tables.sample("synthetic", settings.plot_rows, "plots")
    columns = []
    for row in chosen:
        column = row["column"]
        columns.append(
            {
                "column": column,
                "kind": row["kind"],
                "score": row["score"],
                "metric": row["metric"],
                "real": tables.column("real", column)[real_rows],
                "synthetic": tables.column("synthetic", column)[synthetic_rows],
                "categories": tables.categories.get(column),
            }
        )
    return {"columns": columns, "total": len(shapes)}


def _pca(tables: Tables) -> dict | None:
    encoder = tables.cache.get("distance_encoder") or DistanceEncoder(tables)
    tables.cache["distance_encoder"] = encoder
    n = tables.settings.pca_rows
    real = encoder.transform("real", tables.sample("real", n, "pca")).astype(np.float64)
    synthetic = encoder.transform("synthetic", tables.sample("synthetic", n, "pca")).astype(np.float64)
    if real.shape[1] < 2 or len(real) < 3:
        return None
    center = real.mean(axis=0)
    centered = real - center
    # Eigenvectors of the small (width x width) covariance matrix: the principal axes, cheaply.
    variance, axes = np.linalg.eigh(centered.T @ centered)
    top = np.argsort(variance)[::-1][:2]
    total = variance.clip(min=0).sum()
    explained = variance[top].clip(min=0) / total if total > 0 else np.zeros(2)
    return {"real": centered @ axes[:, top], "synthetic": (synthetic - center) @ axes[:, top], "explained": explained}


def _verdict(score: float) -> Verdict:
    rule = f"good if score ≥ {GOOD_SCORE}, fair if ≥ {FAIR_SCORE}, else poor"
    if np.isnan(score):
        return Verdict(POOR, "score n/a", rule)
    status = grade(score, GOOD_SCORE, FAIR_SCORE, higher=True)
    return Verdict(status, f"score {score:.3f}", rule)


def _nanmean(values) -> float:
    array = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    if len(array) == 0 or np.all(np.isnan(array)):
        return float("nan")
    return float(np.nanmean(array))
