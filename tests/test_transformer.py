"""The reversible transformer: exact round trips, restored dtypes, layout, state and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthgan.data import Transformer
from synthgan.errors import ConditionError, DataError, NotFittedError


def _mixed(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    days = rng.integers(0, 31, n).astype(float)
    days[rng.random(n) < 0.6] = 0.0
    income = rng.lognormal(10, 1, n).round(2)
    income[rng.random(n) < 0.1] = np.nan
    city = pd.Series(rng.choice(["Oslo", "Lima", "Pune"], n, p=[0.5, 0.3, 0.2]), dtype=object)
    city[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "days_poor_health": days,
            "income": income,
            "children": rng.integers(0, 6, n),
            "city": city,
            "member": rng.random(n) < 0.3,
            "joined": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "grade": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "id": np.arange(1000, 1000 + n),
            "source": "web",
        }
    )


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    return _mixed()


@pytest.fixture(scope="module")
def fitted(mixed) -> Transformer:
    return Transformer().fit(mixed)


def test_round_trip_is_exact(mixed, fitted):
    back = fitted.inverse_transform(fitted.transform(mixed))
    assert list(back.columns) == list(mixed.columns)
    assert back.dtypes.to_dict() == mixed.dtypes.to_dict()
    for column in mixed.columns.drop("id"):
        pd.testing.assert_series_equal(back[column], mixed[column], check_exact=False, rtol=1e-6)


def test_identifiers_are_regenerated_unique_and_shaped(mixed, fitted):
    back = fitted.inverse_transform(fitted.transform(mixed))
    assert back["id"].is_unique
    assert back["id"].dtype == mixed["id"].dtype
    assert back["id"].min() >= 1000


def test_layout_matches_matrix(mixed, fitted):
    matrix = fitted.transform(mixed)
    layout = fitted.layout
    assert matrix.shape == (len(mixed), layout.width)
    assert matrix.dtype == np.float32
    assert [span.column for span in layout.discrete_spans] == ["children", "city", "member", "grade"]
    for span in layout:
        block = matrix[:, span.start : span.stop]
        if span.kind == "onehot":
            assert np.all(block.sum(axis=1) == 1.0)
        else:
            assert np.all(np.abs(block) < 1.0)
    assert not layout.spans_of("id") and not layout.spans_of("source")


def test_point_mass_and_nulls_are_components(mixed, fitted):
    spans = fitted.layout.spans_of("days_poor_health")
    assert [s.kind for s in spans] == ["scalar", "onehot"]
    encoder = fitted._encoders["days_poor_health"]
    assert encoder.point_masses == [0.0]
    assert fitted._encoders["income"].has_null


def test_generator_output_is_decoded_within_real_bounds(mixed, fitted):
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 3, (2000, fitted.layout.width))
    out = fitted.inverse_transform(np.tanh(noise))
    assert out["days_poor_health"].between(0, 30).all()
    assert (out["days_poor_health"] == out["days_poor_health"].round()).all()
    assert out["children"].isin(mixed["children"].unique()).all()
    assert set(out["city"].dropna()) <= {"Oslo", "Lima", "Pune"}
    assert out["joined"].between(mixed["joined"].min(), mixed["joined"].max()).all()
    assert (out["source"] == "web").all()
    income = out["income"].dropna()
    assert income.between(mixed["income"].min(), mixed["income"].max()).all()
    assert (income == income.round(2)).all()
    assert 0 < out["income"].isna().mean() < 1


def test_state_round_trip_gives_identical_output(mixed, fitted):
    meta, arrays = fitted.to_state()
    meta = json.loads(json.dumps(meta))  # must be plain JSON
    again = Transformer.from_state(meta, arrays)
    matrix = fitted.transform(mixed)
    assert np.array_equal(again.transform(mixed), matrix)
    noise = np.tanh(np.random.default_rng(1).normal(size=(300, fitted.layout.width)))
    pd.testing.assert_frame_equal(
        again.inverse_transform(noise, rng=np.random.default_rng(5)),
        fitted.inverse_transform(noise, rng=np.random.default_rng(5)),
    )


def test_caller_frame_is_not_modified(mixed):
    before = mixed.copy()
    transformer = Transformer().fit(mixed)
    transformer.inverse_transform(transformer.transform(mixed))
    pd.testing.assert_frame_equal(mixed, before)


def test_rare_levels_share_an_other_slot_and_come_back_real():
    rng = np.random.default_rng(0)
    names = pd.Series([f"name{i}" for i in rng.integers(0, 5000, 20_000)])
    df = pd.DataFrame({"name": names, "x": rng.normal(size=20_000)})
    transformer = Transformer(max_categories=50).fit(df)
    assert transformer.layout.spans_of("name")[0].width == 50
    back = transformer.inverse_transform(transformer.transform(df))
    assert back["name"].isin(set(names)).all()
    assert back["name"].nunique() > 1000


def test_category_index_and_errors(fitted):
    span_index, slot = fitted.category_index("city", "Lima")
    span = fitted.layout.discrete_spans[span_index]
    assert span.column == "city" and 0 <= slot < span.width
    with pytest.raises(ConditionError, match=r"no value 'Paris'.*'Oslo'"):
        fitted.category_index("city", "Paris")
    with pytest.raises(ConditionError, match="not a discrete column"):
        fitted.category_index("income", 3)


def test_errors_for_misuse(mixed, fitted):
    with pytest.raises(NotFittedError):
        Transformer().transform(mixed)
    with pytest.raises(DataError, match="lacks column"):
        fitted.transform(mixed.drop(columns="city"))
    unseen = mixed.copy()
    unseen.loc[0, "city"] = "Paris"
    with pytest.raises(DataError, match="'city' has values not seen during fit: \\['Paris'\\]"):
        fitted.transform(unseen)
    with pytest.raises(DataError, match="shape"):
        fitted.inverse_transform(np.zeros((3, 2)))


def test_fit_time_uses_a_bounded_subsample():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=50_000)})
    transformer = Transformer(fit_sample_size=1_000).fit(df)
    back = transformer.inverse_transform(transformer.transform(df))
    assert np.allclose(back["x"], df["x"], rtol=1e-5, atol=1e-5)


def test_adult_round_trip(adult):
    transformer = Transformer().fit(adult)
    back = transformer.inverse_transform(transformer.transform(adult))
    pd.testing.assert_frame_equal(back, adult)
