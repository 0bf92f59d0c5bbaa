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

__all__ = ["Rule", "TokenCounts", "find_rules"]

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


class TokenCounts:
    """Each token column's counts and each pair's contingency table, summed over chunks of rows.

    What the rules and argan's pair refinement read, so a table that never sits in memory whole
    (a memory-mapped token file) is counted chunk by chunk, and an in-memory one in one chunk.
    """

    def __init__(self, vocabularies: list[int]) -> None:
        self.vocabularies = list(vocabularies)
        self.rows = 0
        self.columns = [np.zeros(size, dtype=np.int64) for size in self.vocabularies]
        self._pairs: dict[tuple[int, int], np.ndarray] = {}

    @classmethod
    def of(cls, tokens: np.ndarray, vocabularies: list[int], chunk_rows: int = 1 << 20) -> TokenCounts:
        """The counts of ``tokens`` (rows x columns of token indices), read ``chunk_rows`` rows at a time."""
        counts = cls(vocabularies)
        for start in range(0, len(tokens), chunk_rows):
            counts.add(np.asarray(tokens[start : start + chunk_rows]))
        return counts

    def add(self, tokens: np.ndarray) -> None:
        self.rows += len(tokens)
        sizes = self.vocabularies
        # Each column contiguous and the pair keys computed in place: five times faster than
        # arithmetic on strided columns of the row-major chunk.
        columns = [np.ascontiguousarray(tokens[:, i], dtype=np.intp) for i in range(len(sizes))]
        keys = np.empty(len(tokens), dtype=np.intp)
        for i, size in enumerate(sizes):
            self.columns[i] += np.bincount(columns[i], minlength=size)
            for j in range(i + 1, len(sizes)):
                np.multiply(columns[i], sizes[j], out=keys)
                keys += columns[j]
                table = self._pairs.setdefault((i, j), np.zeros((size, sizes[j]), dtype=np.int64))
                table += np.bincount(keys, minlength=size * sizes[j]).reshape(size, sizes[j])

    def __add__(self, other: TokenCounts) -> TokenCounts:
        total = TokenCounts(self.vocabularies)
        total.rows = self.rows + other.rows
        total.columns = [a + b for a, b in zip(self.columns, other.columns, strict=True)]
        keys = set(self._pairs) | set(other._pairs)
        total._pairs = {key: self.pair(*key) + other.pair(*key) for key in keys}
        return total

    def pair(self, i: int, j: int) -> np.ndarray:
        """Rows with token ``a`` in column ``i`` and ``b`` in column ``j``, as ``table[a, b]``."""
        if i > j:
            return self.pair(j, i).T
        table = self._pairs.get((i, j))
        return table if table is not None else np.zeros((self.vocabularies[i], self.vocabularies[j]), dtype=np.int64)


def find_rules(tokens: np.ndarray | TokenCounts, vocabularies: list[int]) -> list[Rule]:
    """The rules that hold in every row of ``tokens`` (rows x columns of token indices, or their counts)."""
    counts = tokens if isinstance(tokens, TokenCounts) else TokenCounts.of(tokens, vocabularies)
    rules: list[Rule] = []
    if counts.rows == 0:
        return rules
    width = len(vocabularies)
    for i in range(width):
        for j in range(width):
            if i == j or (counts.columns[j] > 0).sum() < 2:
                continue
            rule = _rule(counts.pair(i, j), i, j, counts.rows)
            if rule is not None:
                rules.append(rule)
    return rules


def _rule(counts: np.ndarray, i: int, j: int, n: int) -> Rule | None:
    va, vb = counts.shape
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
