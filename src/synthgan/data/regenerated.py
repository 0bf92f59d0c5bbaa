"""Columns that are restored rather than learned: identifiers and constants.

An identifier (unique per row: a patient id, an account number) carries no distribution worth
learning and would leak real ids if it were copied. It is regenerated as unique values of the same
shape: integers in the style of the real range, strings with the real prefix and length.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class IdentifierGenerator:
    """Produces ``n`` unique ids shaped like the real ones."""

    numeric: bool = True
    start: int = 0
    prefix: str = ""
    digits: int = 0

    @classmethod
    def fit(cls, values: pd.Series) -> IdentifierGenerator:
        non_null = values.dropna()
        if pd.api.types.is_numeric_dtype(values):
            return cls(numeric=True, start=int(non_null.min()))
        text = non_null.astype(str)
        prefix = os.path.commonprefix(text.head(10_000).tolist())
        width = int(text.str.len().max()) - len(prefix)
        return cls(numeric=False, prefix=prefix, digits=max(width, 1))

    def generate(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.numeric:
            return self.start + rng.permutation(n)
        digits = max(self.digits, len(str(max(n - 1, 0))))
        return np.array([f"{self.prefix}{i:0{digits}d}" for i in rng.permutation(n)], dtype=object)

    def to_state(self) -> dict[str, Any]:
        return {"numeric": self.numeric, "start": self.start, "prefix": self.prefix, "digits": self.digits}

    @classmethod
    def from_state(cls, meta: dict[str, Any]) -> IdentifierGenerator:
        return cls(**meta)
