"""Schema inference: one kind per column, overrides, and clear errors for unusable tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan.data import ColumnKind, Schema, infer_schema
from synthgan.errors import DataError, SchemaError


def _table(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "income": rng.normal(50_000, 10_000, n).round(2),
            "children": rng.integers(0, 40, n),
            "flag": rng.integers(0, 2, n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n),
            "member": rng.choice([True, False], n),
            "joined": pd.date_range("2020-01-01", periods=n, freq="D"),
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "country": ["NO"] * n,
        }
    )


def test_infers_one_kind_per_column():
    schema = infer_schema(_table())
    kinds = {spec.name: spec.kind for spec in schema}
    assert kinds == {
        "income": ColumnKind.CONTINUOUS,
        "children": ColumnKind.INTEGER,
        "flag": ColumnKind.CATEGORICAL,
        "city": ColumnKind.CATEGORICAL,
        "member": ColumnKind.BOOLEAN,
        "joined": ColumnKind.DATETIME,
        "customer_id": ColumnKind.IDENTIFIER,
        "country": ColumnKind.CONSTANT,
    }
    assert schema["income"].decimals == 2
    assert schema["children"].minimum == 0 and schema["children"].maximum <= 39


def test_dates_written_as_text_are_datetime():
    df = pd.DataFrame({"when": ["2021-03-01", "2021-03-02", "2021-03-05"] * 10, "x": range(30)})
    assert infer_schema(df)["when"].kind is ColumnKind.DATETIME


def test_point_mass_is_recorded_with_a_note():
    values = np.r_[np.zeros(700), np.random.default_rng(1).integers(1, 31, 300)]
    schema = infer_schema(pd.DataFrame({"MentHlth": values}))
    assert schema["MentHlth"].point_masses == [0.0]
    assert any("point mass" in note for note in schema["MentHlth"].notes)


def test_overrides_and_discrete_columns():
    df = _table()
    schema = infer_schema(df, overrides={"children": "categorical"}, discrete_columns=["flag"])
    assert schema["children"].kind is ColumnKind.CATEGORICAL
    assert schema["flag"].kind is ColumnKind.CATEGORICAL
    assert set(schema.discrete_columns) == {
        "flag",
        "children",
        "city",
        "member",
    }


def test_schema_json_round_trip():
    schema = infer_schema(_table())
    again = Schema.from_dict(schema.to_dict())
    assert again == schema


def test_caller_frame_is_not_modified():
    df = _table()
    before = df.copy()
    infer_schema(df, overrides={"children": "categorical"})
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame(), "no columns"),
        (pd.DataFrame({"a": []}), "empty"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "Duplicate column"),
        (pd.DataFrame({"a": [np.nan] * 5, "b": range(5)}), "'a' is empty"),
        (pd.DataFrame({"a": [1.0, np.inf, 2.0], "b": [1, 2, 3]}), "'a' holds infinite"),
        (pd.DataFrame({"a": [1, "x", 2.5], "b": [1, 2, 3]}), "'a' mixes value types"),
        (pd.DataFrame({"a": [[1], [2], [3]], "b": [1, 2, 3]}), "'a' holds unhashable"),
        (pd.DataFrame({"a": ["k"] * 5, "b": ["z"] * 5}), "no column to learn"),
    ],
)
def test_bad_tables_get_clear_errors(frame, message):
    with pytest.raises(DataError, match=message):
        infer_schema(frame)


def test_bad_overrides_get_clear_errors():
    df = _table()
    with pytest.raises(SchemaError, match="not in the table: \\['nope'\\]"):
        infer_schema(df, overrides={"nope": "categorical"})
    with pytest.raises(SchemaError, match="Unknown kind 'fuzzy' for column 'city'"):
        infer_schema(df, overrides={"city": "fuzzy"})


def test_adult_kinds(adult):
    schema = infer_schema(adult)
    assert schema["age"].kind is ColumnKind.INTEGER
    assert schema["workclass"].kind is ColumnKind.CATEGORICAL
    assert 0 < schema["workclass"].null_share < 0.1
    assert schema["capital-gain"].point_masses == [0]
