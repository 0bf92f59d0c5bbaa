"""Datetimes keep their text form, zone and grain; large integers round-trip exactly."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthgan import Synthesizer
from synthgan.data.datetimes import parse_datetimes, text_datetime_format
from synthgan.data.transformer import Transformer

GRAINS = {
    "D": pd.Timedelta(days=1),
    "h": pd.Timedelta(hours=1),
    "min": pd.Timedelta(minutes=1),
    "s": pd.Timedelta(seconds=1),
}
BODIES = {"D": ["%Y-%m-%d", "%d/%m/%Y"], "h": ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"], "min": ["%Y-%m-%d %H:%M"]}
BODIES["s"] = ["%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S"]


def as_text(stamps: pd.Series, body: str, digits: int, zone: str) -> pd.Series:
    text = stamps.dt.strftime(body)
    if digits:
        text = text + "." + stamps.dt.strftime("%f").str[:digits]
    return text + zone


@st.composite
def datetime_columns(draw):
    grain = draw(st.sampled_from(list(GRAINS)))
    body = draw(st.sampled_from(BODIES[grain]))
    timed = "%H" in body
    digits = draw(st.sampled_from([0, 3, 6])) if timed and "%S" in body else 0
    zone = draw(st.sampled_from(["", "Z", "+02:00", "-0530"])) if timed else ""
    n = draw(st.integers(30, 120))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    steps = rng.integers(0, 5_000, n)
    stamps = pd.Series(pd.Timestamp("2011-03-01") + steps * GRAINS[grain])
    if digits:
        stamps = stamps + pd.to_timedelta(rng.integers(0, 1000, n) * 10 ** (9 - digits), unit="ns")
    return as_text(stamps, body, digits, zone), grain if not digits else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datetime_columns())
def test_text_datetimes_keep_their_form_and_grain(column_and_grain):
    column, grain = column_and_grain
    table = pd.DataFrame({"when": column, "x": np.arange(len(column), dtype=float)})
    transformer = Transformer(seed=0).fit(table)
    back = transformer.inverse_transform(transformer.transform(table))
    assert back["when"].tolist() == table["when"].tolist()  # exact text, zone and fraction included
    # Synthetic values: decode a shuffled, perturbed matrix; every value in the same form and grain.
    matrix = transformer.transform(table)
    rng = np.random.default_rng(0)
    noisy = matrix[rng.permutation(len(matrix))] + rng.normal(0, 0.2, matrix.shape)
    fake = transformer.inverse_transform(noisy)["when"]
    shape = re.compile(re.sub(r"\d", r"\\d", re.escape(table["when"].iloc[0])))
    assert fake.map(lambda v: bool(shape.fullmatch(v))).all(), (table["when"].iloc[0], fake.iloc[0])
    if grain is not None:
        stamps = parse_datetimes(fake, text_datetime_format(table["when"]))
        assert ((stamps - stamps.dt.floor(GRAINS[grain])) == pd.Timedelta(0)).all()


def test_iso_utc_text_on_the_hour_stays_so():
    stamps = pd.Series(pd.date_range("2013-05-01", periods=400, freq="7h"))
    table = pd.DataFrame({"when": stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "y": np.arange(400) % 7})
    rows = Synthesizer("argan", epochs=2, refine="none", verbose=False).fit(table).sample(300)
    assert rows["when"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z").all()


def test_mixed_offsets_are_written_in_the_most_common_one():
    text = pd.Series(["2020-03-28T10:00:00+01:00"] * 3 + ["2020-03-30T10:00:00+02:00"] * 5)
    fmt = text_datetime_format(text)
    assert fmt == "%Y-%m-%dT%H:%M:%S+02:00"
    stamps = parse_datetimes(text, fmt)
    assert stamps.iloc[0] == pd.Timestamp("2020-03-28T11:00:00")  # 10:00+01:00 is 11:00+02:00


@pytest.mark.parametrize(
    "dtype", ["datetime64[s]", "datetime64[ms]", "datetime64[ns, Europe/Berlin]", "datetime64[us, UTC]"]
)
def test_datetime_dtypes_of_any_unit_and_zone_come_back_as_they_were(dtype):
    stamps = pd.Series(pd.date_range("2021-01-01", periods=200, freq="90min")).astype("datetime64[ns]")
    column = stamps.dt.tz_localize("UTC").astype(dtype) if "," in dtype else stamps.astype(dtype)
    table = pd.DataFrame({"when": column, "x": np.arange(200.0)})
    transformer = Transformer(seed=0).fit(table)
    back = transformer.inverse_transform(transformer.transform(table))
    assert back["when"].dtype == table["when"].dtype
    pd.testing.assert_series_equal(back["when"], table["when"])


def large_integers(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "epoch_seconds": rng.integers(1_300_000_000, 1_700_000_000, n),
            "account": rng.choice(rng.integers(2**40, 2**41, 40), n),  # repeats: an integer, not an id
            "cents": rng.integers(0, 10**11, n),
            "volume": rng.integers(10**6, 82_768_100, n),
        }
    )


INTEGERS = dict.fromkeys(["epoch_seconds", "account", "cents", "volume"], "integer")  # unique, yet not ids


def test_integers_a_float64_holds_round_trip_exactly():
    table = large_integers()
    transformer = Transformer(seed=0).fit(table, overrides=INTEGERS)
    back = transformer.inverse_transform(transformer.transform(table))
    pd.testing.assert_frame_equal(back, table)


def test_float32_offsets_do_not_put_large_integers_on_a_grid():
    """Rows whose float32 offsets are equal stand for a stretch of values, and are spread over it."""
    table = large_integers()
    transformer = Transformer(seed=0).fit(table, overrides=INTEGERS)
    same = np.repeat(transformer.transform(table, dtype=np.float32)[:1], 500, axis=0)
    decoded = transformer.inverse_transform(same)
    assert decoded["cents"].nunique() > 50  # one float32 step of the offset is ~128 cents here


@pytest.mark.parametrize("model", ["argan", "ctgan"])
def test_synthetic_large_integers_are_exact_integers_in_range(model):
    table = large_integers()
    quick = {"epochs": 2, "verbose": False} | ({"refine": "none"} if model == "argan" else {})
    rows = Synthesizer(model, **quick).fit(table, schema=INTEGERS).sample(2_000)
    for name in table.columns:
        values = rows[name]
        assert values.dtype == table[name].dtype, name
        assert values.between(table[name].min(), table[name].max()).all(), name
        assert (values == values.round()).all(), name


def test_a_first_value_pandas_cannot_guess_does_not_lose_the_form():
    # pandas guesses no format for "2011-03-01 20:11" but "%Y-%m-%d %H:%M" for the others: the
    # column must still be written back without seconds (found by the property test above).
    column = pd.Series(["2011-03-01 20:11", "2011-03-01 02:49", "2011-03-02 17:29", "2011-03-03 06:29"] * 10)
    assert text_datetime_format(column) == "%Y-%m-%d %H:%M"
    table = pd.DataFrame({"when": column, "x": np.arange(len(column), dtype=float)})
    transformer = Transformer(seed=0).fit(table)
    assert transformer.inverse_transform(transformer.transform(table))["when"].tolist() == column.tolist()
