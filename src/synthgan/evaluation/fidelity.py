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

import numpy as np
import pandas as pd

from synthgan.data.schema import ColumnKind, Schema
from synthgan.evaluation.encoding import DistanceEncoder
from synthgan.evaluation.inputs import Tables, numeric_values
from synthgan.evaluation.metrics import HIGHER, INFO, POOR, Section, Verdict, grade
from synthgan.evaluation.pairs import PairStats, pair_statistics
from synthgan.evaluation.streamed import exact_ks_complement, exact_tv_complement

__all__ = ["PairStats", "fidelity", "ks_complement", "pair_statistics", "sdmetrics_metadata", "tv_complement"]

GOOD_SCORE, FAIR_SCORE = 0.85, 0.70
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


def fidelity(tables: Tables) -> Section:
    section = Section("fidelity", "Fidelity")
    settings = tables.settings
    shapes = _column_shapes(tables)
    exact = [row.pop("exact") for row in shapes if "exact" in row]
    streamed = tables.cache.get("streamed", {})
    if streamed:
        sampled = ", ".join(f"{t.sampled_rows:,} of {t.rows:,} {name} rows" for name, t in streamed.items())
        section.notes.append(
            f"Tables on disk were read in record batches: column shapes ({len(exact)} of {len(shapes)} columns "
            f"from exact counts) and column pair trends are over every row; the other sections and the plots "
            f"use seeded samples ({sampled})."
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
    if "real" not in streamed or "synthetic" not in streamed:
        return None
    real, synthetic = streamed["real"].counts[column], streamed["synthetic"].counts[column]
    if tables.is_numeric(column):
        kind = tables.kinds[column]

        def numbers(values: pd.Index) -> np.ndarray:
            return numeric_values(pd.Series(values), kind)

        score, metric = exact_ks_complement(real, synthetic, KS_DECIMALS, numbers), "KSComplement"
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
