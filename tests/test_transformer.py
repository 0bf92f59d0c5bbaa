"""The reversible transformer: exact round trips, restored dtypes, layout, state and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthgan.data import Transformer
from synthgan.errors import ConditionError, DataError, NotFittedError, ParameterError, SchemaError


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
    assert matrix.dtype == np.float64  # exact by default; networks ask for float32
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


def _dtype_zoo(n: int = 300) -> pd.DataFrame:
    """One column per dtype the inverse transform must give back."""
    rng = np.random.default_rng(7)
    holes = rng.random(n) < 0.2
    stamps = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s")
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 4000, n), unit="D")
    return pd.DataFrame(
        {
            "Int64": pd.array(np.where(holes, None, rng.integers(0, 1000, n)).tolist(), dtype="Int64"),
            "boolean": pd.array(np.where(holes, None, rng.random(n) < 0.5).tolist(), dtype="boolean"),
            "string": pd.array(np.where(holes, None, rng.choice(list("xyz"), n)).tolist(), dtype="string"),
            "float32": rng.normal(size=n).astype("float32"),
            "int32": rng.integers(-500, 500, n).astype("int32"),
            "uint8": rng.integers(0, 255, n).astype("uint8"),
            "seconds": pd.Series(stamps).astype("datetime64[s]"),
            "zoned": pd.Series(stamps).dt.tz_localize("UTC").dt.tz_convert("Europe/Oslo"),
            "ordered": pd.Categorical(
                rng.choice(["low", "mid", "high"], n), categories=["low", "mid", "high", "unused"], ordered=True
            ),
            "int_category": pd.Categorical(rng.choice([3, 1, 2], n)),
            "object_bool": pd.Series(np.where(holes, None, rng.random(n) < 0.5).tolist(), dtype=object),
            "float_codes": rng.integers(0, 5, n).astype(float),
            "us_dates": days.strftime("%m/%d/%Y"),
            "dotted_dates": days.strftime("%d.%m.%Y"),
            "iso_times": stamps.strftime("%Y-%m-%dT%H:%M:%S"),
            "code": [f"AB-{i:06d}" for i in rng.permutation(n)],
        }
    )


@pytest.mark.parametrize("continuous", ["gmm", "quantile"])
def test_every_dtype_comes_back(continuous):
    df = _dtype_zoo()
    transformer = Transformer(continuous=continuous).fit(df)
    kinds = {spec.name: spec.kind.value for spec in transformer.schema}
    assert kinds["us_dates"] == kinds["dotted_dates"] == kinds["iso_times"] == "datetime"
    assert kinds["code"] == "identifier"
    back = transformer.inverse_transform(transformer.transform(df, dtype=np.float64))
    assert back.dtypes.to_dict() == df.dtypes.to_dict()
    assert back["ordered"].cat.ordered and list(back["ordered"].cat.categories) == ["low", "mid", "high", "unused"]
    assert back["object_bool"][df["object_bool"].isna()].map(lambda v: v is None).all()
    assert back["code"].is_unique and back["code"].str.match(r"^AB-\d{6}$").all()
    pd.testing.assert_frame_equal(back.drop(columns="code"), df.drop(columns="code"), check_exact=False, rtol=1e-6)


def test_quantile_encoding_round_trip_and_state():
    df = _mixed(600)
    transformer = Transformer(continuous="quantile").fit(df)
    spans = transformer.layout.spans_of("income")
    assert [s.kind for s in spans] == ["scalar", "onehot"] and spans[1].width == 2  # value + null
    back = transformer.inverse_transform(transformer.transform(df, dtype=np.float64))
    pd.testing.assert_frame_equal(back.drop(columns="id"), df.drop(columns="id"), check_exact=False, rtol=1e-9)
    meta, arrays = transformer.to_state()
    again = Transformer.from_state(json.loads(json.dumps(meta)), arrays)
    assert again.continuous == "quantile"
    assert np.array_equal(again.transform(df), transformer.transform(df))
    out = transformer.inverse_transform(
        np.tanh(np.random.default_rng(0).normal(0, 3, (2000, transformer.layout.width)))
    )
    assert out["income"].dropna().between(df["income"].min(), df["income"].max()).all()


def test_refit_infers_a_fresh_schema_and_overrides_apply_to_a_given_one(mixed):
    transformer = Transformer().fit(mixed[["income", "city"]])
    transformer.fit(mixed[["children", "member"]])
    assert transformer.schema.names == ["children", "member"]
    given = Transformer().fit(mixed).schema
    again = Transformer(schema=given).fit(
        mixed, overrides={"children": "integer"}, discrete_columns=["days_poor_health"]
    )
    kinds = {spec.name: spec.kind.value for spec in again.schema}
    assert kinds["children"] == "integer" and kinds["days_poor_health"] == "categorical"
    assert kinds["city"] == "categorical" and kinds["id"] == "identifier"


def test_transform_rejects_what_fit_never_saw(mixed, fitted):
    for column, value, message in [
        ("income", np.inf, "'income' holds infinite values"),
        ("children", np.nan, "'children' has values not seen during fit"),
        ("days_poor_health", np.nan, "'days_poor_health' has missing values, but had none"),
    ]:
        bad = mixed.copy()
        bad[column] = bad[column].astype(float)
        bad.loc[5, column] = value
        with pytest.raises(DataError, match=message):
            fitted.transform(bad)
    with pytest.raises(DataError, match="DataFrame"):
        fitted.transform(mixed.to_numpy())


def test_bad_parameters_are_named():
    with pytest.raises(ParameterError, match="continuous='fancy'"):
        Transformer(continuous="fancy")
    with pytest.raises(ParameterError, match="max_categories must be an integer >= 3, got 1"):
        Transformer(max_categories=1)
    with pytest.raises(ParameterError, match="max_modes"):
        Transformer(max_modes=0)
    with pytest.raises(ParameterError, match="schema must be a synthgan Schema"):
        Transformer(schema=["a", "categorical"])
    df = _mixed(100)
    assert Transformer(schema={"children": "integer"}).fit(df).schema["children"].kind.value == "integer"
    with pytest.raises(SchemaError, match="Unknown kind 'fuzzy' for column 'city'"):
        Transformer(schema={"city": "fuzzy"}).fit(df)
    with pytest.raises(SchemaError, match="not in the table: \\['nope'\\]"):
        Transformer(schema=Transformer().fit(df).schema).fit(df, overrides={"nope": "integer"})
    with pytest.raises(DataError, match="lacks column"):
        Transformer(schema=Transformer().fit(df).schema).fit(df.drop(columns="city"))


def test_text_identifiers_keep_their_shape():
    rng = np.random.default_rng(4)
    n = 200
    hexes = "0123456789abcdef"
    df = pd.DataFrame(
        {
            "uuid": ["-".join("".join(rng.choice(list(hexes), k)) for k in (8, 4, 4, 4, 12)) for _ in range(n)],
            "padded": [f"C{i:05d}" for i in rng.permutation(n) + 17],
            "unpadded": [f"ACC{i}" for i in rng.permutation(n)],
            "code": [
                f"{a}{b}-{c}" for a, b, c in zip(rng.choice(list("ABCD"), n), range(n), rng.permutation(n), strict=True)
            ],
            "x": rng.normal(size=n),
        }
    )
    transformer = Transformer().fit(df)
    assert all(transformer.schema[c].kind.value == "identifier" for c in df.columns.drop("x"))
    back = transformer.inverse_transform(transformer.transform(df), rng=np.random.default_rng(1))
    patterns = {
        "uuid": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "padded": r"^C\d{5}$",
        "unpadded": r"^ACC\d{1,3}$",
        "code": r"^[A-Z]\d{1,3}-\d{1,3}$",
    }
    for column, pattern in patterns.items():
        assert back[column].is_unique and back[column].str.match(pattern).all(), column
    assert set(back["padded"]) == set(df["padded"])  # a shuffled run from the real smallest number
    assert not set(back["uuid"]) & set(df["uuid"])  # never the real ids
    meta, arrays = transformer.to_state()
    again = Transformer.from_state(json.loads(json.dumps(meta)), arrays)
    pd.testing.assert_frame_equal(
        again.inverse_transform(transformer.transform(df), rng=np.random.default_rng(1)), back
    )
