"""Columns that are restored rather than learned: identifiers and constants.

An identifier (unique per row: a patient id, an account number) carries no distribution worth
learning and would leak real ids if it were copied. It is regenerated as unique values of the same
shape:

- integers: a shuffled run of consecutive integers starting at the real minimum;
- text made of a common prefix and a number (``C00017``, ``ACC5``): the same prefix with numbers
  from the real smallest one, zero-padded to the real width when the real ids are padded;
- any other text (UUIDs, hashes, codes such as ``AB-12x``): random characters drawn position by
  position from the character class the real ids use there (digits, hex, lower- or upper-case
  letters) in their most common layout, with the characters every id shares (dashes, fixed letters)
  kept, redrawn until unique; when the ids follow no such layout (or it has too few combinations),
  the common prefix and zero-padded numbers of the real width.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Character classes a template position can use, narrowest first.
_CLASSES = (
    string.digits,
    string.digits + "abcdef",
    string.digits + "ABCDEF",
    string.ascii_lowercase,
    string.ascii_uppercase,
    string.ascii_lowercase + string.digits,
    string.ascii_uppercase + string.digits,
    string.ascii_letters,
    string.ascii_letters + string.digits,
)
_TEMPLATE_SAMPLE = 10_000
_REDRAWS = 20


@dataclass
class IdentifierGenerator:
    """Produces ``n`` unique ids shaped like the real ones."""

    numeric: bool = True
    start: int = 0
    prefix: str = ""
    digits: int = 0
    # For ids that are not prefix + number: per position, the characters it is drawn from.
    template: list[str] = field(default_factory=list)

    @classmethod
    def fit(cls, values: pd.Series) -> IdentifierGenerator:
        non_null = values.dropna()
        if pd.api.types.is_numeric_dtype(values):
            return cls(numeric=True, start=int(non_null.min()))
        text = non_null.astype(str)
        prefix = os.path.commonprefix(text.head(_TEMPLATE_SAMPLE).tolist())
        suffix = text.str.slice(len(prefix))
        if suffix.str.fullmatch(r"\d+").all():
            lengths = suffix.str.len()
            padded = lengths.nunique() == 1 and bool(suffix.str.startswith("0").any())
            return cls(
                numeric=False,
                prefix=prefix,
                start=int(suffix.astype("int64").min()),
                digits=int(lengths.max()) if padded else 0,
            )
        template = _template(text.head(_TEMPLATE_SAMPLE))
        if template is None or _space(template) < 4 * len(text):
            width = int(text.str.len().max()) - len(prefix)
            return cls(numeric=False, prefix=prefix, digits=max(width, 1))
        return cls(numeric=False, template=template)

    def generate(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.numeric:
            return self.start + rng.permutation(n)
        if self.template and _space(self.template) >= 2 * n:
            ids = _from_template(self.template, n, rng)
            if ids is not None:
                return ids
        numbers = (self.start + rng.permutation(n)).astype(str)
        digits = max(self.digits, len(str(self.start + max(n - 1, 0)))) if self.digits else 0
        return np.array([f"{self.prefix}{number.zfill(digits)}" for number in numbers], dtype=object)

    def to_state(self) -> dict[str, Any]:
        return {
            "numeric": self.numeric,
            "start": self.start,
            "prefix": self.prefix,
            "digits": self.digits,
            "template": self.template,
        }

    @classmethod
    def from_state(cls, meta: dict[str, Any]) -> IdentifierGenerator:
        return cls(**{**meta, "template": list(meta.get("template", []))})


def _template(text: pd.Series) -> list[str] | None:
    """Per position of the most common shape: the shared character, or the narrowest class.

    The shape is the id with every letter and digit replaced by one placeholder, so ``A1-23`` and
    ``B7-05`` share a shape and ``A12-3`` does not.
    """
    shapes = text.str.replace(r"[A-Za-z0-9]", "x", regex=True)
    same = text[shapes == shapes.mode().iloc[0]]
    length = len(same.iloc[0])
    if length == 0:
        return None
    chars = np.array([list(value) for value in same.tolist()])
    template = []
    for column in chars.T:
        seen = set(column.tolist())
        if len(seen) == 1:
            template.append(str(column[0]))
            continue
        # The narrowest class holding every character seen, with digits only where digits were seen.
        has_digit = any(c.isdigit() for c in seen)
        fits = [c for c in _CLASSES if seen <= set(c) and any(ch.isdigit() for ch in c) == has_digit]
        alphabet = fits[0] if fits else None
        if alphabet is None:
            return None
        template.append(alphabet)
    return template


def _space(template: list[str]) -> float:
    """How many distinct ids the template can produce (as a float: it can be astronomically large)."""
    return float(np.prod([float(len(alphabet)) for alphabet in template]))


def _from_template(template: list[str], n: int, rng: np.random.Generator) -> np.ndarray | None:
    """``n`` unique ids drawn position by position from ``template`` (None if they stay duplicated)."""
    codes = np.empty((n, len(template)), dtype=np.uint32)

    def draw(rows: np.ndarray) -> None:
        for position, alphabet in enumerate(template):
            table = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)
            codes[rows, position] = table[rng.integers(0, len(table), len(rows))]

    draw(np.arange(n))
    for _ in range(_REDRAWS):
        ids = pd.Series(codes.view(f"<U{len(template)}").ravel(), dtype=object)
        duplicates = np.flatnonzero(ids.duplicated().to_numpy())
        if len(duplicates) == 0:
            return ids.to_numpy()
        draw(duplicates)
    return None
