"""Fairness: does the synthetic table keep each group's outcome, and is a model trained on it as good
for every group?

For each sensitive column the rows are split into groups (its most common values, the rest pooled as
"other"; numeric columns into real quartiles) and the target's rate (share of the positive class: the
rarer real class) or mean (numeric target, difference in real standard deviations) is compared per
group between the real and the synthetic table. With a holdout, the TSTR and TRTR models of the utility
section are also scored per group.
"""

from __future__ import annotations

import itertools

import numpy as np

from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import INFO, LOWER, POOR, Section, Verdict, grade
from synthgan.evaluation.utility import CLASSIFICATION, MAIN, Predictions, score_predictions, task_of

__all__ = ["fairness"]

GOOD_DIFFERENCE, FAIR_DIFFERENCE = 0.05, 0.10


def fairness(tables: Tables, predictions: Predictions | None) -> Section:
    section = Section("fairness", "Fairness")
    if not tables.sensitive:
        return section.skip("needs sensitive columns (sensitive=[...] / --sensitive a,b)")
    if tables.target is None:
        return section.skip("needs a target column whose rate is compared across groups (target=... / --target)")
    task, reason = task_of(tables)
    if task is None:
        return section.skip(reason)
    outcome, valid, describe = _outcomes(tables, task)
    worst, worst_column, absent = 0.0, None, []
    for column in tables.sensitive:
        groups, names = _groups(tables, column)
        rows = []
        for g, name in enumerate(names):
            row = {"column": column, "group": name}
            for table in ("real", "synthetic"):
                members = valid[table] & (groups[table] == g)
                row[f"{table}_rows"] = int(members.sum())
                row[f"{table}_share"] = members.sum() / max(valid[table].sum(), 1)
                row[f"{table}_rate"] = float(outcome[table][members].mean()) if members.any() else None
            row["difference"] = _difference(row["synthetic_rate"], row["real_rate"], describe["scale"])
            rows.append(row)
        _group_utility(tables, predictions, column, groups, rows)
        counted = [r for r in rows if r["real_rows"] >= tables.settings.min_group_rows]
        differences = [abs(r["difference"]) for r in counted if r["difference"] is not None]
        largest = max(differences, default=float("nan"))
        missing = [r["group"] for r in counted if r["synthetic_rows"] == 0]
        section.add(
            f"max_rate_difference[{column}]",
            largest,
            LOWER,
            note=f"largest |synthetic - real| {describe['rate']} over groups with "
            f"≥ {tables.settings.min_group_rows} real rows",
        )
        for table in ("real", "synthetic"):
            rates = [r[f"{table}_rate"] for r in counted if r[f"{table}_rate"] is not None]
            gap = (max(rates) - min(rates)) / describe["scale"] if len(rates) > 1 else float("nan")
            section.add(f"parity_gap_{table}[{column}]", gap, INFO, note=f"highest - lowest group {describe['rate']}")
        if missing:
            section.add(
                f"groups_missing[{column}]", len(missing), LOWER, note=f"absent from the synthetic table: {missing}"
            )
            section.notes.append(f"{column}: group(s) {missing} never appear in the synthetic table.")
            absent.extend(f"{column}={name}" for name in missing)
        if not np.isnan(largest) and largest >= worst:
            worst, worst_column = largest, column
        section.tables[f"groups[{column}]"] = rows
    section.add("task", task, INFO)
    section.notes.append(describe["note"])
    unit = " SD" if task != CLASSIFICATION else ""
    rule = (
        f"good if every group's |rate difference| ≤ {GOOD_DIFFERENCE}{unit}, fair if ≤ {FAIR_DIFFERENCE}{unit}; "
        "poor above, or if a group is absent from the synthetic table"
    )
    status = grade(worst, GOOD_DIFFERENCE, FAIR_DIFFERENCE)
    figure = f"max gap {worst:.3f}{unit}" + (f" ({worst_column})" if worst_column else "")
    if absent:
        status, figure = POOR, f"{figure}; absent: {', '.join(absent[:3])}"
    section.verdict = Verdict(status, figure, rule)
    return section


def _outcomes(tables: Tables, task: str):
    """Per-table outcome arrays (1/0 for the positive class, or target values) and valid-row masks."""
    target = tables.target
    outcome, valid = {}, {}
    if task == CLASSIFICATION:
        na = tables.na_code[target]
        real = tables.codes["real"][target]
        counts = np.bincount(real[real != na], minlength=len(tables.categories[target]))
        present = np.flatnonzero(counts)
        positive = int(present[np.argmin(counts[present])])
        for table in ("real", "synthetic"):
            codes = tables.codes[table][target]
            valid[table] = codes != na
            outcome[table] = (codes == positive).astype(float)
        label = tables.categories[target][positive]
        rate = f"rate of {target} = {label!r}"
        note = f"Rate = share of rows with {target} = {label!r} (the rarer real class) per group."
        return outcome, valid, {"rate": rate, "scale": 1.0, "note": note}
    for table in ("real", "synthetic"):
        values = tables.values[table][target]
        valid[table] = ~np.isnan(values)
        outcome[table] = np.nan_to_num(values)
    real = tables.values["real"][target]
    scale = float(np.nanstd(real)) or 1.0
    note = f"Rate = mean of {target} per group; differences are in real standard deviations ({scale:.4g})."
    return outcome, valid, {"rate": f"mean {target} (SD units)", "scale": scale, "note": note}


def _groups(tables: Tables, column: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """Group index per row for every table, and the group names."""
    limit = tables.settings.max_groups
    names_of_tables = list(tables.frames)
    if tables.is_numeric(column):
        real = tables.values["real"][column]
        edges = np.unique(np.nanquantile(real, [0.25, 0.5, 0.75])) if (~np.isnan(real)).any() else np.array([])
        names = _interval_names(edges)
        groups = {}
        for table in names_of_tables:
            values = tables.values[table][column]
            index = np.digitize(values, edges, right=True)
            groups[table] = np.where(np.isnan(values), len(names), index)
        if any(np.isnan(tables.values[t][column]).any() for t in names_of_tables):
            names.append("(missing)")
        return groups, names
    labels = tables.categories[column]
    shown = min(limit, len(labels))
    names = ["(missing)" if label is None else str(label) for label in labels[:shown]]
    if len(labels) > shown:
        names.append("other")
    groups = {table: np.minimum(tables.codes[table][column], shown) for table in names_of_tables}
    return groups, names


def _interval_names(edges: np.ndarray) -> list[str]:
    if len(edges) == 0:
        return ["all"]
    names = [f"≤ {edges[0]:.4g}"]
    names += [f"{low:.4g} – {high:.4g}" for low, high in itertools.pairwise(edges)]
    names.append(f"> {edges[-1]:.4g}")
    return names


def _group_utility(tables: Tables, predictions: Predictions | None, column: str, groups, rows: list[dict]) -> None:
    if predictions is None:
        return
    main = MAIN[predictions.task]
    holdout_groups = groups["holdout"][predictions.rows]
    for g, row in enumerate(rows):
        subset = np.flatnonzero(holdout_groups == g)
        row["holdout_rows"] = len(subset)
        row[f"trtr_{main}"] = row[f"tstr_{main}"] = None
        if len(subset) < tables.settings.min_group_rows:
            continue
        row[f"trtr_{main}"] = score_predictions(predictions, "trtr", subset)[main]
        row[f"tstr_{main}"] = score_predictions(predictions, "tstr", subset)[main]


def _difference(synthetic, real, scale):
    if synthetic is None or real is None:
        return None
    return (synthetic - real) / scale
