"""argan beyond the contract every model keeps: exact conditions on any column, imputation, rules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthgan import Synthesizer
from synthgan.data.rules import find_rules
from synthgan.errors import ConditionError, DataError

QUICK = {"epochs": 3, "batch_size": 200, "seed": 1, "verbose": False, "refine_epochs": 1}


@pytest.fixture(scope="module")
def table(adult) -> pd.DataFrame:
    return adult.sample(1_500, random_state=2).reset_index(drop=True)


@pytest.fixture(scope="module")
def fitted(table):
    return Synthesizer("argan", **QUICK).fit(table)


def test_argan_is_the_default_model():
    assert Synthesizer().model == "argan"


def test_condition_on_a_numeric_range_is_exact(fitted):
    rows = fitted.sample(400, conditions={"age": (30, 40)})
    assert len(rows) == 400 and rows["age"].between(30, 40).all()
    # A range that cuts through bins of a continuous-like column: every value inside it.
    fnlwgt = fitted.sample(300, conditions={"fnlwgt": (150_000.5, 160_000)})
    assert fnlwgt["fnlwgt"].between(150_000, 160_000).all()
    assert fnlwgt["fnlwgt"].nunique() > 50  # spread over the range, not piled on an edge


def test_conditions_on_several_columns_and_lists(fitted):
    rows = fitted.sample(300, conditions={"income": ">50K", "age": (50, 60), "race": ["Black", "Asian-Pac-Islander"]})
    assert (rows["income"] == ">50K").all() and rows["age"].between(50, 60).all()
    assert set(rows["race"]) <= {"Black", "Asian-Pac-Islander"}


def test_conditions_follow_the_learned_dependence(table):
    """Rows conditioned on a low education level have fewer years of education than on a high one."""
    synthesizer = Synthesizer("argan", **{**QUICK, "epochs": 10}).fit(table)
    low = synthesizer.sample(300, conditions={"education": "HS-grad"})
    high = synthesizer.sample(300, conditions={"education": "Masters"})
    assert (low["education-num"] == 9).mean() > 0.99 and (high["education-num"] == 14).mean() > 0.99


def test_bad_conditions_say_what_is_wrong(fitted):
    with pytest.raises(ConditionError, match="no value in"):
        fitted.sample(5, conditions={"age": (200, 300)})
    with pytest.raises(ConditionError, match="low 40 above high 30"):
        fitted.sample(5, conditions={"age": (40, 30)})
    with pytest.raises(ConditionError, match="did not learn"):
        fitted.sample(5, conditions={"salary": 3})
    with pytest.raises(ConditionError, match="a number, a \\(low, high\\) range or None"):
        fitted.sample(5, conditions={"age": "old"})


def test_impute_fills_only_missing_cells(fitted, table):
    rows = table.iloc[:200].copy()
    holes = rows.copy()
    rng = np.random.default_rng(0)
    for column in ("age", "workclass", "education", "hours-per-week", "income"):
        holes.loc[rng.random(len(holes)) < 0.3, column] = np.nan
    before = holes.copy()
    filled = fitted.impute(holes)
    pd.testing.assert_frame_equal(holes, before)  # the caller's frame is not modified
    assert filled.notna().all().all()
    assert list(filled.columns) == list(table.columns) and filled.index.equals(holes.index)
    given = holes.notna()
    for column in table.columns:
        assert (filled.loc[given[column], column] == holes.loc[given[column], column]).all(), column
    assert set(filled["workclass"]) <= set(table["workclass"].dropna())
    assert filled["age"].between(table["age"].min(), table["age"].max()).all()
    assert filled["age"].dtype == table["age"].dtype


def test_impute_is_exact_for_a_function_of_a_given_column(fitted, table):
    """education-num is a function of education: imputed from it, it is always the real one."""
    rows = table.iloc[:300].copy()
    rows["education-num"] = np.nan
    filled = fitted.impute(rows)
    pd.testing.assert_series_equal(filled["education-num"], table["education-num"].iloc[:300], check_dtype=False)


def test_impute_rejects_other_tables(fitted):
    with pytest.raises(DataError, match="lacks column"):
        fitted.impute(pd.DataFrame({"age": [30.0, np.nan]}))


def _coded_table(n: int = 900, seed: int = 0) -> tuple[pd.DataFrame, dict[int, str]]:
    rng = np.random.default_rng(seed)
    labels = {1: "red", 2: "green", 3: "blue", 4: "cyan", 5: "magenta", 6: "yellow", 7: "black", 8: "white"}
    code = rng.integers(1, 9, n)
    size = rng.normal(10, 3, n).round(2)
    noted = rng.random(n) < 0.3
    return (
        pd.DataFrame(
            {
                "code": code,
                "label": [labels[c] for c in code],
                "size": size,
                "note": np.where(noted, None, rng.choice(["a", "b"], n)),
                "note_score": np.where(noted, np.nan, rng.normal(0, 1, n).round(3)),
            }
        ),
        labels,
    )


def test_a_learned_one_to_one_dependency_survives_on_a_small_table():
    table, labels = _coded_table()
    synthesizer = Synthesizer("argan", **QUICK).fit(table)
    fake = synthesizer.sample(3_000)
    assert (fake["label"] == fake["code"].map(labels)).all()
    assert (fake["note"].isna() == fake["note_score"].isna()).all()  # null together, as in every real row
    assert 0.2 < fake["note"].isna().mean() < 0.4
    found = " | ".join(synthesizer.rules)
    assert "label is a function of code" in found and "code is a function of label" in found


def test_without_rules_the_dependency_is_only_likely(table):
    real, labels = _coded_table()
    synthesizer = Synthesizer("argan", **{**QUICK, "epochs": 1, "rules": False}).fit(real)
    assert synthesizer.rules == []
    fake = synthesizer.sample(3_000)
    assert (fake["label"] != fake["code"].map(labels)).any()  # what the rules prevent


def test_rule_finder_ignores_near_unique_columns():
    rng = np.random.default_rng(0)
    unique = np.arange(500) % 100  # 100 levels of 5 rows each: "determines" everything by chance
    other = rng.integers(0, 3, 500)
    rules = find_rules(np.stack([unique, other], axis=1), [100, 3])
    assert not [r for r in rules if r.kind == "function" and r.first == 0]


def test_model_file_is_safetensors_and_json_and_keeps_rules(tmp_path):
    table, _labels = _coded_table()
    synthesizer = Synthesizer("argan", **QUICK).fit(table)
    path = tmp_path / "coded.synth"
    synthesizer.save(path)
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")])
    meta = json.loads(header["__metadata__"]["synthgan"])
    assert meta["model"] == "argan" and meta["rules"]
    assert {key.split(".")[0] for key in header if key != "__metadata__"} == {"network", "transformer", "rules"}
    loaded = Synthesizer.load(path)
    assert loaded.rules == synthesizer.rules
    ranged = {"size": (8, 9)}
    pd.testing.assert_frame_equal(loaded.sample(500, conditions=ranged), synthesizer.sample(500, conditions=ranged))
    unlabeled = table.assign(label=None)
    pd.testing.assert_frame_equal(loaded.impute(unlabeled), synthesizer.impute(unlabeled))


def test_bfloat16_sampling_gives_other_rows_of_the_same_kind(fitted, table):
    exact = fitted.sample(4_000, seed=3)
    fitted.params_["sample_precision"] = "bfloat16"
    try:
        fast, again = fitted.sample(4_000, seed=3), fitted.sample(4_000, seed=3)
        rich = fitted.sample(300, conditions={"income": ">50K", "age": (30, 40)}, seed=3)
    finally:
        fitted.params_["sample_precision"] = "float32"
    pd.testing.assert_frame_equal(fast, again)  # reproducible
    assert not fast.equals(exact)  # another arithmetic: other draws
    assert list(fast.dtypes) == list(exact.dtypes)
    assert (rich["income"] == ">50K").all() and rich["age"].between(30, 40).all()
    for column in ("education", "income", "sex"):  # the same distribution, within sampling noise
        shares = [rows[column].value_counts(normalize=True) for rows in (fast, exact)]
        gaps = pd.concat(shares, axis=1).fillna(0).diff(axis=1).iloc[:, 1].abs()
        assert gaps.max() < 0.04, gaps.sort_values().tail(3)
    pd.testing.assert_frame_equal(fitted.sample(4_000, seed=3), exact)  # float32, the default, is unchanged
