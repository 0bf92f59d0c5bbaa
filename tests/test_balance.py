"""Class rebalancing: plans, real rows kept, exact synthetic class counts, per-class models."""

from __future__ import annotations

import pandas as pd
import pytest

from synthgan.balancing import balance, plan_counts
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
    # Synthetic-only output: real rows do not count towards the goal.
    assert plan_counts(counts, keep_real=False) == {"no": 900, "yes": 900}
    assert plan_counts(counts, rows_per_class=500, keep_real=False) == {"no": 500, "yes": 500}


def test_public_name_is_the_function():
    import synthgan

    assert callable(synthgan.balance) and callable(synthgan.balance)  # a submodule of that name shadowed it
    from synthgan import balance as imported

    assert imported is balance


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


def test_synthetic_only_per_class_gives_every_class_its_goal(adult_small):
    options = {"rows_per_class": 250, "per_class": True, "synthetic_only": True, "epochs": 1, "verbose": False}
    result = balance(adult_small, "income", "wgangp", **options)
    assert result.data["income"].value_counts().to_dict() == {"<=50K": 250, ">50K": 250}
    assert set(result.synthesizers) == {"<=50K", ">50K"}
    assert all(s.model == "wgangp" for s in result.synthesizers.values())
    merged = result.data.merge(adult_small.drop_duplicates(), how="inner")
    assert len(merged) < 50  # generated rows, not the real ones passed through
