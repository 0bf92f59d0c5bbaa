"""Exact rules between columns, found in the real rows before training.

Some combinations never occur in real data because they cannot: "Bachelors" with 9 years of
education, a husband who is female, an income missing where its date is present. A model that only
makes them *unlikely* still writes some into every large sample. This module finds, on token
columns, what holds in every real row, so that a sampler can give invalid combinations probability
zero:

- **functional dependencies**: column B is a function of column A (a code and its label), found when
  A's levels hold on average ``MIN_ROWS_PER_LEVEL`` rows or more (a near-unique column "determines"
  everything by chance);
- **level rules**: one level of A, seen in at least ``MIN_SUPPORT`` rows, always comes with the same
  level of B (``relationship = Husband`` fixes ``sex = Male``; a null in one column fixes a null in
  another, so columns null together stay null together).

Each related pair keeps one boolean matrix ``allowed[a, b]``: whether token ``a`` of A may appear
with token ``b`` of B. A sampler that has drawn A narrows B to ``allowed[a, :]``, and one that has
drawn B narrows A to ``allowed[:, b]``, so the rule holds whichever column is drawn first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Rule", "find_rules"]

MIN_SUPPORT = 30
MIN_ROWS_PER_LEVEL = 10


@dataclass(frozen=True)
class Rule:
    """Which token pairs of columns ``first`` and ``second`` (indices into the token columns) may co-occur."""

    first: int
    second: int
    allowed: np.ndarray  # bool, (vocabulary of first, vocabulary of second)
    kind: str  # "function" (second is a function of first) or "levels" (some levels of first fix second)
    premises: int  # how many levels of first fix second

    def describe(self, names: list[str], labels: list[list[str]]) -> str:
        a, b = names[self.first], names[self.second]
        if self.kind == "function":
            return f"{b} is a function of {a}"
        shown = [labels[self.first][i] for i in np.flatnonzero(self.allowed.sum(axis=1) == 1)[:2]]
        more = f" (+{self.premises - len(shown)} more)" if self.premises > len(shown) else ""
        return f"{a} = {', '.join(shown)}{more} fixes {b}"


def find_rules(tokens: np.ndarray, vocabularies: list[int]) -> list[Rule]:
    """The rules that hold in every row of ``tokens`` (rows x columns of token indices)."""
    n, width = tokens.shape
    rules: list[Rule] = []
    if n == 0:
        return rules
    for i in range(width):
        for j in range(width):
            if i == j or len(np.unique(tokens[:, j])) < 2:
                continue
            rule = _rule(tokens[:, i], tokens[:, j], vocabularies[i], vocabularies[j], i, j, n)
            if rule is not None:
                rules.append(rule)
    return rules


def _rule(a: np.ndarray, b: np.ndarray, va: int, vb: int, i: int, j: int, n: int) -> Rule | None:
    counts = np.bincount(a * vb + b, minlength=va * vb).reshape(va, vb)
    support = counts.sum(axis=1)
    seen = support > 0
    fixes = (counts > 0).sum(axis=1) == 1
    if seen.sum() >= 2 and fixes[seen].all() and n >= MIN_ROWS_PER_LEVEL * seen.sum():
        return Rule(i, j, counts > 0, "function", int(seen.sum()))
    premises = fixes & (support >= MIN_SUPPORT)
    if not premises.any():
        return None
    allowed = np.ones((va, vb), dtype=bool)
    allowed[premises] = counts[premises] > 0
    return Rule(i, j, allowed, "levels", int(premises.sum()))
