"""One-hot encoding of a discrete column (categorical or boolean), with missing values as a level.

High cardinality: the ``max_levels - 1`` most frequent levels keep a one-hot slot each; all rarer
levels share one *other* slot. Decoding the *other* slot draws one of those rare levels with its real
frequency, so every value produced exists in the real data and memory stays bounded however many
distinct values a column has (a free-text column of 50,000 names still costs ``max_levels`` slots).
Levels that never occur (unused categories of a pandas ``category`` dtype) get no slot; the dtype
itself (all its categories, in order, and whether it is ordered) is kept to restore the column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthgan.errors import DataError


@dataclass
class CategoricalEncoder:
    """Encode a column's values as level indices; ``levels`` are the one-hot slots in order."""

    max_levels: int = 100
    levels: list[Any] = field(default_factory=list)
    has_null: bool = False
    rare_levels: list[Any] = field(default_factory=list)
    rare_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # For a pandas ``category`` column: its categories in order and whether they are ordered.
    dtype_categories: list[Any] | None = None
    ordered: bool = False
    # Object columns whose missing cells are None (not NaN) get None back.
    null_is_none: bool = False

    @property
    def width(self) -> int:
        return len(self.levels) + int(bool(self.rare_levels)) + int(self.has_null)

    @property
    def other_slot(self) -> int:
        return len(self.levels) if self.rare_levels else -1

    @property
    def null_slot(self) -> int:
        return self.width - 1 if self.has_null else -1

    def fit(self, values: pd.Series) -> CategoricalEncoder:
        counts = values.value_counts(dropna=True, sort=True)
        counts = counts[counts > 0]  # a category dtype lists its unused categories with count 0
        if isinstance(values.dtype, pd.CategoricalDtype):
            self.dtype_categories = [_native(v) for v in values.dtype.categories]
            self.ordered = bool(values.dtype.ordered)
        missing = values.isna()
        self.null_is_none = bool(missing.any() and values.dtype == object and values[missing].iloc[0] is None)
        return self.keep(counts, has_null=bool(missing.any()))

    def keep(self, counts: pd.Series, has_null: bool) -> CategoricalEncoder:
        """Slots for the levels of ``counts`` (value -> rows, most frequent first); what :meth:`fit`
        does after counting, and what a streamed fit does with counts taken over every row."""
        self.has_null = has_null
        slots = self.max_levels - int(self.has_null)
        if len(counts) > slots:
            kept, rare = counts.iloc[: slots - 1], counts.iloc[slots - 1 :]
            self.rare_levels = [_native(v) for v in rare.index]
            self.rare_weights = (rare.to_numpy(dtype=np.float64) / rare.sum()).astype(np.float64)
        else:
            kept = counts
        self.levels = [_native(v) for v in kept.index]
        return self

    def transform(self, values: pd.Series, unseen_as_rare: bool = False) -> np.ndarray:
        """Slot index of every value; unseen values raise a DataError naming the column, or, with
        ``unseen_as_rare`` and a rare slot, go there (a streamed fit that could not count every level)."""
        known = pd.Index([*self.levels, *self.rare_levels])
        position = known.get_indexer(values)  # one hashing pass; -1 for missing and unseen values
        missing = values.isna().to_numpy()
        unseen = (position < 0) & ~missing
        if unseen_as_rare and self.rare_levels:
            position[unseen], unseen = len(self.levels), np.zeros_like(unseen)
        if unseen.any() or (missing.any() and not self.has_null):
            bad = values[unseen].unique()[:5].tolist() if unseen.any() else ["<missing>"]
            raise DataError(
                f"Column {values.name!r} has values not seen during fit: {bad}. "
                "Fit on data that includes them, or map them to known levels first."
            )
        codes = np.where(position >= len(self.levels), self.other_slot, position)
        if self.has_null:
            codes[missing] = self.null_slot
        return codes.astype(np.int64)

    def inverse(self, slots: np.ndarray, rng: np.random.Generator, numeric: bool = False) -> np.ndarray:
        """Values (NaN for missing) for slot indices: floats if ``numeric``, else Python objects."""
        table = np.empty(self.width, dtype=np.float64 if numeric else object)
        table[: len(self.levels)] = self.levels
        if self.has_null:
            table[self.null_slot] = None if self.null_is_none and not numeric else np.nan
        out = table[slots]
        if self.rare_levels:
            other = slots == self.other_slot
            if other.any():
                rare = np.empty(len(self.rare_levels), dtype=table.dtype)
                rare[:] = self.rare_levels
                out[other] = rare[rng.choice(len(rare), size=int(other.sum()), p=self.rare_weights)]
        return out

    def slot_of(self, value: Any) -> int | None:
        """The slot of ``value`` (tolerating ``"1"`` for ``1`` and similar), or None if unknown."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return self.null_slot if self.has_null else None
        for slot, level in enumerate(self.levels):
            if level == value or str(level) == str(value):
                return slot
        return None

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "max_levels": self.max_levels,
            "levels": self.levels,
            "has_null": self.has_null,
            "rare_levels": self.rare_levels,
            "dtype_categories": self.dtype_categories,
            "ordered": self.ordered,
            "null_is_none": self.null_is_none,
        }
        return meta, {"rare_weights": self.rare_weights}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> CategoricalEncoder:
        """Rebuild a fitted encoder; a ValueError for a state no fit produces (a damaged file)."""
        levels = list(meta["levels"])
        if any(level is None or (isinstance(level, float) and math.isnan(level)) for level in levels):
            raise ValueError("a category level is null (nulls are a flag of their own, never a level)")
        if len({repr(level) for level in levels}) != len(levels):
            raise ValueError("a categorical column lists a level twice")
        return cls(
            max_levels=meta["max_levels"],
            levels=levels,
            has_null=meta["has_null"],
            rare_levels=list(meta["rare_levels"]),
            rare_weights=np.asarray(arrays["rare_weights"], dtype=np.float64),
            dtype_categories=meta.get("dtype_categories"),
            ordered=bool(meta.get("ordered", False)),
            null_is_none=bool(meta.get("null_is_none", False)),
        )


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
