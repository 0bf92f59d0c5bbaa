"""Class rebalancing: plans, real rows kept, exact synthetic class counts, per-class models."""

from __future__ import annotations

import pandas as pd
import pytest

from synthgan.balance import balance, plan_counts
from synthgan.errors import DataError, ParameterError


def test_plans():
    counts = pd.Series({"no": 900, "yes": 100})
    assert plan_counts(counts) == {"yes": 800}
    assert plan_counts(counts, rows_per_class=500) == {"yes": 400}
    assert plan_counts(counts, ratio=0.5) == {"yes": 350}
    assert plan_counts(counts, {"yes": 100_000}) == {"yes": 100_000}
    with pytest.raises(ParameterError, match="not in the target"):
        plan_counts(counts, {"maybe": 5})
    with pytest.raises(ParameterError, match="either rows_per_class or ratio"):
        plan_counts(counts, rows_per_class=5, ratio=0.5)


@pytest.mark.parametrize("per_class", [False, True])
def test_balance_adds_exact_rows_and_keeps_real_ones(adult_small, per_class):
    before = adult_small.copy()
    result = balance(adult_small, "income", model="ctgan", per_class=per_class, epochs=1, verbose=False)
    counts = result.data["income"].value_counts()
    assert counts["<=50K"] == counts[">50K"] == before["income"].value_counts()["<=50K"]
    assert result.data.dtypes.to_dict() == before.dtypes.to_dict()
    merged = result.data.merge(before.drop_duplicates(), how="inner")
    assert len(merged) >= len(before.drop_duplicates())  # every real row is still there
    pd.testing.assert_frame_equal(adult_small, before)


def test_synthetic_only_and_errors(adult_small):
    result = balance(adult_small, "income", strategy={">50K": 300}, synthetic_only=True, epochs=1, verbose=False)
    assert len(result.data) == 300 and (result.data["income"] == ">50K").all()
    with pytest.raises(DataError, match="'nope' is not in the table"):
        balance(adult_small, "nope")
