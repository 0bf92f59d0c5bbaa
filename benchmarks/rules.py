"""Logical dependencies of a real table, and how many synthetic rows keep them.

Found on raw values, independently of synthgan's own rule finder (a judge should not share code
with what it judges):

- ``function``: column B is a function of column A in every real row (A and B with at most
  ``MAX_LEVELS`` distinct values, A's levels holding ``MIN_ROWS_PER_LEVEL`` rows on average);
- ``null_together``: two columns whose missing cells are in exactly the same rows;
- ``level_fixes``: a level of A held by at least ``MIN_SUPPORT`` real rows always comes with one level of B.

A synthetic row keeps a rule when it does not break it: for ``function``, B equals f(A) wherever
A holds a level seen in the real rows. The figure per kind is the share of synthetic rows that keep
every rule of that kind (None when the table has none).

    python benchmarks/rules.py            # the rules found in each shared table, as JSON
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

MAX_LEVELS = 100
MIN_ROWS_PER_LEVEL = 10
MIN_SUPPORT = 30


def find(real: pd.DataFrame) -> dict[str, list[tuple]]:
    """The rules of ``real``: {"function": [(a, b, mapping)], "null_together": [(a, b)], "level_fixes": [...]}."""
    keys = {c: real[c].astype(object).where(real[c].notna(), "<null>").astype(str) for c in real.columns}
    small = [c for c in real.columns if 1 < keys[c].nunique() <= MAX_LEVELS]
    found: dict[str, list[tuple]] = {"function": [], "null_together": [], "level_fixes": []}
    for a in small:
        for b in small:
            if a == b:
                continue
            pairs = pd.DataFrame({"a": keys[a], "b": keys[b]})
            distinct = pairs.groupby("a")["b"].nunique()
            if (distinct == 1).all() and len(real) >= MIN_ROWS_PER_LEVEL * len(distinct):
                found["function"].append((a, b, pairs.groupby("a")["b"].first().to_dict()))
                continue
            support = pairs.groupby("a").size()
            fixed = distinct[(distinct == 1) & (support >= MIN_SUPPORT)].index
            if len(fixed):
                mapping = pairs[pairs["a"].isin(fixed)].groupby("a")["b"].first().to_dict()
                found["level_fixes"].append((a, b, mapping))
    nulls = {c: real[c].isna().to_numpy() for c in real.columns if real[c].isna().any()}
    names = list(nulls)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if np.array_equal(nulls[a], nulls[b]):
                found["null_together"].append((a, b))
    return found


def rule_compliance(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, float | int | None]:
    """Per kind of rule: how many rules ``real`` has, and the share of synthetic rows keeping them all."""
    rules = find(real)
    keys = {c: synthetic[c].astype(object).where(synthetic[c].notna(), "<null>").astype(str) for c in synthetic.columns}
    out: dict[str, float | int | None] = {}
    for kind, items in rules.items():
        keeps = np.ones(len(synthetic), dtype=bool)
        for item in items:
            if kind == "null_together":
                a, b = item
                keeps &= synthetic[a].isna().to_numpy() == synthetic[b].isna().to_numpy()
            else:
                a, b, mapping = item
                expected = keys[a].map(mapping)
                keeps &= (expected.isna() | (expected == keys[b])).to_numpy()
        out[f"rules_{kind}_count"] = len(items)
        out[f"rules_{kind}_kept"] = float(keeps.mean()) if items and len(synthetic) else None
    return out


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from peers import harness

    summary = {}
    for name, spec in harness.DATASETS.items():
        try:
            frame, _, _ = harness.load_dataset(spec, None)
        except Exception as error:  # a table missing without ../shared
            summary[name] = f"unavailable: {error}"
            continue
        found = find(frame)
        summary[name] = {kind: [f"{r[0]} -> {r[1]}" for r in items][:20] for kind, items in found.items()}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
