"""Profile: the two tables side by side, as an exploratory data analysis would describe them.

Rows, duplicate rows, missing values per column, distinct values, means or most common values, and the
column pairs that are strongly associated (|Pearson r| or Cramér's V at least ``high_correlation``) in
either table. Descriptive only: no verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgan.data.schema import ColumnKind
from synthgan.evaluation.encoding import row_hashes
from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import INFO, NEUTRAL, Section, Verdict
from synthgan.evaluation.pairs import PairStats

__all__ = ["profile"]

TABLES = ("real", "synthetic")


def profile(tables: Tables, pairs: PairStats) -> Section:
    section = Section("profile", "Profile")
    overview = {}
    for table in TABLES:
        n = tables.rows(table)
        duplicates = int(pd.Series(row_hashes(tables, table)).duplicated().sum())
        missing = sum(_missing(tables, table, c).sum() for c in tables.columns)
        overview[table] = {
            "rows": n,
            "columns": len(tables.frames[table].columns),
            "duplicate_rows": duplicates,
            "duplicate_share": duplicates / n,
            "missing_cells_share": missing / (n * max(len(tables.columns), 1)),
        }
    section.tables["overview"] = [
        {"measure": measure, "real": overview["real"][measure], "synthetic": overview["synthetic"][measure]}
        for measure in overview["real"]
    ]
    for measure in ("rows", "duplicate_rows", "duplicate_share", "missing_cells_share"):
        for table in TABLES:
            section.add(f"{measure}_{table}", overview[table][measure], INFO)
    section.tables["columns"] = [_column_row(tables, column) for column in tables.columns]
    strong = _strong_pairs(tables, pairs)
    section.tables["strong_pairs"] = strong
    threshold = tables.settings.high_correlation
    for table in TABLES:
        count = sum(1 for row in strong if row[table] is not None and abs(row[table]) >= threshold)
        section.add(f"strong_pairs_{table}", count, INFO, note=f"pairs with |r| or Cramér's V ≥ {threshold}")
    section.notes.append(
        "Duplicates and missing cells are counted on all rows over the compared columns"
        + (f" (identifiers {', '.join(tables.identifiers)} left out)." if tables.identifiers else ".")
    )
    figure = (
        f"duplicates {overview['real']['duplicate_share']:.1%} / {overview['synthetic']['duplicate_share']:.1%} · "
        f"missing {overview['real']['missing_cells_share']:.1%} / {overview['synthetic']['missing_cells_share']:.1%}"
    )
    section.verdict = Verdict(NEUTRAL, figure, "descriptive (real / synthetic); no verdict")
    return section


def _missing(tables: Tables, table: str, column: str) -> np.ndarray:
    if tables.is_numeric(column):
        return np.isnan(tables.values[table][column])
    return tables.codes[table][column] == tables.na_code[column]


def _column_row(tables: Tables, column: str) -> dict:
    row: dict = {"column": column, "kind": tables.kinds[column].value}
    for table in TABLES:
        row[f"missing_{table}"] = float(_missing(tables, table, column).mean())
    for table in TABLES:
        if tables.is_numeric(column):
            values = tables.values[table][column]
            values = values[~np.isnan(values)]
            row[f"distinct_{table}"] = len(np.unique(values))
            row[f"center_{table}"] = _mean(values, tables.kinds[column])
        else:
            codes = tables.codes[table][column]
            counts = np.bincount(codes, minlength=len(tables.categories[column]))
            if tables.na_code[column] >= 0:
                counts[tables.na_code[column]] = 0
            row[f"distinct_{table}"] = int(np.count_nonzero(counts))
            if counts.sum():
                top = int(np.argmax(counts))
                row[f"center_{table}"] = f"{tables.categories[column][top]} ({counts[top] / counts.sum():.0%})"
            else:
                row[f"center_{table}"] = None
    return row


def _mean(values: np.ndarray, kind: ColumnKind):
    if len(values) == 0:
        return None
    if kind is ColumnKind.DATETIME:
        return pd.Timestamp(int(values.mean())).isoformat()
    return float(values.mean())


def _strong_pairs(tables: Tables, pairs: PairStats) -> list[dict]:
    threshold = tables.settings.high_correlation
    rows = []
    for row in pairs.rows:
        real, synthetic = row["real"], row["synthetic"]
        if any(v is not None and not np.isnan(v) and abs(v) >= threshold for v in (real, synthetic)):
            measure = "Pearson r" if row["metric"] == "CorrelationSimilarity" else "Cramér's V"
            rows.append(
                {
                    "column_1": row["column_1"],
                    "column_2": row["column_2"],
                    "measure": measure,
                    "real": real,
                    "synthetic": synthetic,
                }
            )
    return sorted(
        rows, key=lambda r: -max(abs(v) for v in (r["real"], r["synthetic"]) if v is not None and not np.isnan(v))
    )
