"""Class rebalancing: generate the rows a rare class lacks ("give me 100,000 more diabetic patients").

One conditional model learns the whole table and generates each class's missing rows with the
class as its condition, which is exact for conditional models. Alternatively, as the seed article
does, one model per class learns only that class's rows (``per_class=True``); this suits models
without conditioning and very different classes, at the cost of one fit per class.

With ``synthetic_only=True`` the output holds no real row, so the goals count synthetic rows only:
``rows_per_class=100_000`` then gives 100,000 synthetic rows of every class (the seed article's
fully synthetic, balanced table), not 100,000 minus the real count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthgan.errors import DataError, ParameterError

if TYPE_CHECKING:
    from synthgan.synthesizer import Synthesizer

__all__ = ["BalanceResult", "balance", "class_counts", "plan_counts"]

Strategy = str | Mapping[Any, int]


@dataclass
class BalanceResult:
    """The rebalanced table and the class counts before and after."""

    data: pd.DataFrame
    counts_before: pd.Series
    counts_after: pd.Series
    generated: dict[Any, int]
    #: The fitted models: one per generated class with ``per_class=True``, else the one conditional
    #: model under the key ``None``. Empty when nothing had to be generated.
    synthesizers: dict[Any, Synthesizer] = field(default_factory=dict)


# A numeric target with more distinct values than this is a measurement, not a class label.
MAX_CLASSES = 50


def class_counts(df: pd.DataFrame, target: str) -> pd.Series:
    """Rows per class of ``df[target]``, most frequent first; a DataError if the column cannot be balanced."""
    if target not in df.columns:
        raise DataError(f"Target column {target!r} is not in the table. Columns are: {list(df.columns)}.")
    if df[target].isna().any():
        raise DataError(f"Target column {target!r} has missing values. Drop or fill those rows first.")
    counts = df[target].value_counts()
    column = df[target]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and (len(counts) > MAX_CLASSES or not np.all(np.mod(column.to_numpy(dtype=float), 1) == 0)):
        raise DataError(
            f"Target column {target!r} looks continuous ({len(counts)} distinct numbers); balance needs a "
            f"discrete target of class labels. Bin it first (for instance pd.cut(df[{target!r}], 4)) or pick "
            "a class column."
        )
    if len(counts) < 2:
        raise DataError(f"Target column {target!r} has a single class; there is nothing to balance.")
    return counts


def plan_counts(
    counts: pd.Series,
    strategy: Strategy = "equalize",
    rows_per_class: int | None = None,
    ratio: float | None = None,
    keep_real: bool = True,
) -> dict[Any, int]:
    """How many synthetic rows each class gets.

    - ``"equalize"``: every class is brought up to the majority class's count.
    - ``rows_per_class=N``: every class is brought up to N rows (classes above N get none).
    - ``ratio=R``: every class is brought up to R times the majority count (0 < R <= 1 typical).
    - a mapping ``{class: rows}``: exactly that many new rows for each named class.

    With ``keep_real=False`` (the output will hold synthetic rows only) the real rows do not count
    towards the goal: every class gets the goal's full number of synthetic rows.
    """
    if isinstance(strategy, Mapping):
        unknown = [label for label in strategy if label not in counts.index]
        if unknown:
            raise ParameterError(
                f"strategy names class(es) {unknown} that are not in the target; classes are {list(counts.index)}."
            )
        bad = {label: rows for label, rows in strategy.items() if int(rows) < 0}
        if bad:
            raise ParameterError(f"strategy asks for a negative number of rows: {bad}.")
        return {label: int(rows) for label, rows in strategy.items() if int(rows) > 0}
    if rows_per_class is not None and ratio is not None:
        raise ParameterError("Give either rows_per_class or ratio, not both.")
    if rows_per_class is not None:
        if rows_per_class <= 0:
            raise ParameterError(f"rows_per_class must be positive, got {rows_per_class}.")
        goal = int(rows_per_class)
    elif ratio is not None:
        if not ratio > 0:
            raise ParameterError(f"ratio must be positive, got {ratio}.")
        goal = round(ratio * counts.max())
    elif strategy == "equalize":
        goal = int(counts.max())
    else:
        raise ParameterError(f"Unknown strategy {strategy!r}. Use 'equalize' or a mapping {{class: rows}}.")
    have = counts if keep_real else pd.Series(0, index=counts.index)
    return {label: goal - int(count) for label, count in have.items() if goal > count}


def balance(
    df: pd.DataFrame,
    target: str,
    model: str = "ctgan",
    strategy: Strategy = "equalize",
    *,
    rows_per_class: int | None = None,
    ratio: float | None = None,
    per_class: bool = False,
    synthetic_only: bool = False,
    seed: int | None = 0,
    discrete_columns: list[str] | None = None,
    **model_params: Any,
) -> BalanceResult:
    """Rebalance ``df`` on its ``target`` column with synthetic rows.

    ``strategy``, ``rows_per_class`` and ``ratio`` set each class's goal (see :func:`plan_counts`).
    Returns the real rows plus the generated ones (or only generated rows with
    ``synthetic_only=True``, where every class gets its whole goal in synthetic rows), shuffled
    with ``seed``. ``per_class=True`` fits one model per generated class on that class's rows
    alone. ``model_params`` go to the model, e.g. ``epochs=100`` or ``max_minutes=5`` (per fit).
    ``df`` is not modified.
    """
    from synthgan.models import get_model
    from synthgan.synthesizer import Synthesizer

    if get_model(model).family != "table":
        raise ParameterError(f"balance adds rows to a table; {model!r} is a model of {get_model(model).family}s.")
    counts_before = class_counts(df, target)
    plan = plan_counts(counts_before, strategy, rows_per_class, ratio, keep_real=not synthetic_only)

    parts = []
    synthesizers: dict[Any, Synthesizer] = {}
    if plan and per_class:
        features = [c for c in discrete_columns or [] if c != target] or None
        for offset, (label, rows) in enumerate(plan.items()):
            subset = df[df[target] == label]
            synth = Synthesizer(model, seed=_offset(seed, offset), **model_params)
            synth.fit(subset.drop(columns=target), discrete_columns=features)
            rows_out = synth.sample(rows)
            rows_out.insert(df.columns.get_loc(target), target, pd.Series([label] * rows, dtype=df[target].dtype))
            parts.append(rows_out)
            synthesizers[label] = synth
    elif plan:
        synth = Synthesizer(model, seed=seed, **model_params)
        synth.fit(df, discrete_columns=_with(discrete_columns, target), target=target)
        for label, rows in plan.items():
            parts.append(synth.sample(rows, conditions={target: label}))
        synthesizers[None] = synth

    generated = pd.concat(parts, ignore_index=True) if parts else df.iloc[:0].copy()
    pieces = [generated] if synthetic_only else [df, generated]
    data = pd.concat(pieces, ignore_index=True)
    data = data.sample(frac=1.0, random_state=np.random.default_rng(seed)).reset_index(drop=True)
    return BalanceResult(
        data=data,
        counts_before=counts_before,
        counts_after=data[target].value_counts(),
        generated=plan,
        synthesizers=synthesizers,
    )


def _with(columns: list[str] | None, target: str) -> list[str]:
    """The discrete columns plus the target: a class column is discrete whatever its dtype."""
    return [*(columns or []), *([] if target in (columns or []) else [target])]


def _offset(seed: int | None, offset: int) -> int | None:
    return None if seed is None else seed + offset
