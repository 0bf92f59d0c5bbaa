"""Cutting long tables into windows: series by entity, time order, cadence, statics, and every error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan.data.sequence import TimeAxis, Windows, cut_windows, sequence_ids
from synthgan.errors import DataError, ParameterError


def panel(entities: int = 2, steps: int = 10, start: str = "2024-01-01", freq: str = "D") -> pd.DataFrame:
    """A long table sorted by date then entity (rows of the entities interleaved)."""
    dates = pd.date_range(start, periods=steps, freq=freq)
    rows = [
        {"day": day, "who": f"p{e}", "value": float(10 * e + i), "group": "ab"[e % 2]}
        for i, day in enumerate(dates)
        for e in range(entities)
    ]
    return pd.DataFrame(rows)


def test_single_series_sliding_windows_in_row_order():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10) % 3})
    windows = cut_windows(df, sequence_length=4)
    assert windows.rows.shape == (7, 4)  # every window: n - L + 1
    assert (windows.rows[0] == [0, 1, 2, 3]).all() and (windows.rows[-1] == [6, 7, 8, 9]).all()
    assert windows.feature_columns == ["a", "b"] and windows.axis is None
    assert windows.id_column == "sequence_id" and list(windows.statics.columns) == []
    assert len(cut_windows(df, sequence_length=4, stride=3)) == 3  # starts 0, 3, 6


def test_entities_interleaved_in_table_give_their_own_windows():
    df = panel(entities=2, steps=6)
    windows = cut_windows(df, 3, time_column="day", entity_column="who", static_columns=["group"])
    assert len(windows) == 8 and windows.series == 2
    for rows in windows.rows:
        assert df["who"].iloc[rows].nunique() == 1  # a window never mixes entities
        assert df["day"].iloc[rows].diff().dropna().eq(pd.Timedelta("1D")).all()
    assert windows.feature_columns == ["value"] and windows.static_columns == ["group"]
    assert list(windows.statics.columns) == ["group", Windows.START]
    assert windows.axis.cadence == pd.Timedelta("1D").value
    assert windows.statics[Windows.START].min() == 0 and windows.statics[Windows.START].max() == 3
    assert windows.id_column == "who"


def test_time_axis_round_trips_datetimes_text_dates_and_numbers():
    stamps = pd.Series(pd.date_range("2024-03-01 10:00", periods=5, freq="10min"))
    axis, values = TimeAxis.read(stamps)
    axis.cadence = 600e9
    assert axis.times(np.round(axis.steps(values))).equals(stamps)
    text = stamps.dt.strftime("%d/%m/%Y %H:%M")
    axis, values = TimeAxis.read(text)
    axis.cadence = 600e9
    assert axis.times(np.arange(5)).tolist() == text.tolist()
    aware = stamps.dt.tz_localize("Europe/Paris")
    axis, values = TimeAxis.read(aware)
    axis.cadence = 600e9
    assert axis.times(np.arange(5)).equals(aware)
    numbers = pd.Series([10, 15, 20], dtype="int32")
    axis, values = TimeAxis.read(numbers)
    axis.cadence = 5.0
    assert axis.times(np.arange(3)).equals(numbers)
    restored = TimeAxis.from_state(axis.to_state())
    assert restored == axis


def test_too_few_rows_for_one_window():
    with pytest.raises(
        DataError, match=r"sequence_length=24 needs at least 24 consecutive rows.*longest series has 10"
    ):
        cut_windows(pd.DataFrame({"a": np.arange(10.0)}), 24)


def test_short_entities_are_left_out_with_a_warning():
    df = pd.concat([panel(1, 10), panel(1, 3).assign(who="short")], ignore_index=True)
    with pytest.warns(UserWarning, match="1 entities shorter than sequence_length=5"):
        windows = cut_windows(df, 5, time_column="day", entity_column="who")
    assert len(windows) == 6 and windows.notes


def test_unsorted_and_duplicate_timestamps_are_named():
    df = panel(2, 5)
    unsorted = df.iloc[[0, 1, 4, 5, 2, 3, 6, 7, 8, 9]].reset_index(drop=True)
    with pytest.raises(DataError, match=r"goes back from 2024-01-03.*entity 'p0'.*sort_values\(\['who', 'day'\]\)"):
        cut_windows(unsorted, 2, time_column="day", entity_column="who")
    duplicated = pd.concat([df, df.iloc[[2]]]).sort_values(["who", "day"], kind="stable").reset_index(drop=True)
    with pytest.raises(DataError, match=r"repeats 2024-01-02 00:00:00 of entity 'p0'"):
        cut_windows(duplicated, 2, time_column="day", entity_column="who")
    missing = df.copy()
    missing.loc[3, "day"] = pd.NaT
    with pytest.raises(DataError, match="Time column 'day' has a missing value"):
        cut_windows(missing, 2, time_column="day", entity_column="who")


def test_gaps_error_split_or_ignore():
    df = pd.DataFrame({"t": [0, 1, 2, 3, 10, 11, 12, 13, 14], "x": np.arange(9.0)})
    with pytest.raises(DataError, match=r"jumps from 3 to 10.*cadence is 1.*gaps='split'"):
        cut_windows(df, 3, time_column="t")
    split = cut_windows(df, 3, time_column="t", gaps="split")
    assert len(split) == 2 + 3  # no window spans the gap
    assert all(np.diff(df["t"].to_numpy()[rows]).max() == 1 for rows in split.rows)
    assert len(cut_windows(df, 3, time_column="t", gaps="ignore")) == 7


def test_static_columns_must_be_constant_per_entity():
    df = panel(2, 5)
    df.loc[4, "group"] = "z"
    with pytest.raises(DataError, match=r"Static column 'group' varies within entity 'p0'"):
        cut_windows(df, 2, time_column="day", entity_column="who", static_columns=["group"])
    with pytest.raises(ParameterError, match="static_columns need an entity_column"):
        cut_windows(df, 2, time_column="day", static_columns=["group"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sequence_length": 1}, ParameterError, "at least 2"),
        ({"sequence_length": 3, "stride": 0}, ParameterError, "stride must be a positive integer"),
        ({"sequence_length": 3, "gaps": "skip"}, ParameterError, "gaps='skip' is not supported"),
        ({"sequence_length": 3, "time_column": "when"}, DataError, "time_column='when' is not a column"),
        ({"sequence_length": 3, "entity_column": "who", "time_column": "who"}, ParameterError, "both the time"),
        ({"sequence_length": 3, "entity_column": "who", "static_columns": "value"}, ParameterError, "list of column"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        cut_windows(panel(2, 6), **kwargs)


def test_a_table_of_roles_only_has_no_feature():
    with pytest.raises(DataError, match="no temporal feature column"):
        cut_windows(panel(2, 6)[["day", "who"]], 3, time_column="day", entity_column="who")


def test_sequence_ids_follow_the_entity_dtype():
    assert sequence_ids(5, 3, None).tolist() == [5, 6, 7]
    assert sequence_ids(0, 2, "int32").dtype == "int32"
    assert sequence_ids(0, 2, "object").tolist() == ["synthetic-0", "synthetic-1"]


def test_input_table_is_not_modified():
    df = panel(2, 6)
    before = df.copy()
    cut_windows(df, 3, time_column="day", entity_column="who", static_columns=["group"])
    pd.testing.assert_frame_equal(df, before)
