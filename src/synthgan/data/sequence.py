"""Sequences from a long table: series by entity, ordered by time, cut into windows.

A long table holds one row per time step. Its columns play four roles:

- an optional **time column** (datetimes, dates written as text, or numbers): it orders each series,
  and its regular step (the *cadence*, the most common difference between consecutive rows) is what
  synthetic timestamps follow;
- an optional **entity column** (a patient, a ticker): one series per entity; without it the whole
  table is one series;
- optional **static columns**, constant within an entity (a patient's sex);
- every other column is a **temporal feature**.

Each series is cut into sliding windows of ``sequence_length`` consecutive rows (``stride`` rows
apart), as TimeGAN cuts its one long stock series. Windows never cross from one entity to the next,
nor across a gap in time when ``gaps="split"``. :func:`cut_windows` checks everything a model would
otherwise trip over and raises a :class:`~synthgan.errors.DataError` that names the column, the
entity and the timestamp at fault: timestamps that are missing, repeated or going backwards within an
entity, gaps in the cadence, static columns that vary, and series too short for a single window.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthgan.data.datetimes import parse_datetimes, text_datetime_format
from synthgan.data.schema import validate_table
from synthgan.errors import DataError, ParameterError

__all__ = ["GAP_POLICIES", "SEQUENCE_ID", "TimeAxis", "Windows", "cut_windows", "sequence_ids"]

# What to do where consecutive timestamps of an entity are further (or closer) apart than the cadence.
GAP_POLICIES = ("error", "split", "ignore")
# Name of the sequence id column of synthetic output when the input has no entity column.
SEQUENCE_ID = "sequence_id"
# Relative tolerance when comparing steps of a numeric (float) time column with the cadence.
STEP_TOLERANCE = 1e-9


@dataclass
class TimeAxis:
    """How a time column counts: its origin, its regular step, and how to write timestamps back.

    Datetimes are handled as int64 nanoseconds (UTC for time-zone-aware columns), numbers as
    themselves. ``step(t) = (t - origin) / cadence`` places a timestamp on the axis; synthetic
    timestamps are ``origin + k * cadence`` for whole ``k``.
    """

    kind: str  # "datetime" or "number"
    dtype: str
    origin: float
    cadence: float
    first_step: float = 0.0  # smallest and largest window start seen, in steps
    last_step: float = 0.0
    text_format: str | None = None
    timezone: str | None = None

    @classmethod
    def read(cls, series: pd.Series) -> tuple[TimeAxis, np.ndarray]:
        """A partly filled axis (origin, no cadence yet) and the column as numbers."""
        name = series.name
        if series.isna().any():
            row = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise DataError(f"Time column {name!r} has a missing value (row {row}). Fill or drop such rows first.")
        dtype = str(series.dtype)
        if pd.api.types.is_bool_dtype(series):
            raise DataError(f"Time column {name!r} holds booleans. Pass a column of datetimes or numbers.")
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=np.float64)
            if not np.isfinite(values).all():
                raise DataError(f"Time column {name!r} holds infinite values. Pass finite times.")
            return cls("number", dtype, float(values.min()), 0.0), values
        text_format = text_datetime_format(series)
        stamps = parse_datetimes(series, text_format)
        if stamps.isna().any():
            row = int(np.flatnonzero(stamps.isna().to_numpy())[0])
            raise DataError(
                f"Time column {name!r} holds {series.iloc[row]!r} (row {row}), which is neither a date nor a "
                "number. Pass a column of datetimes, dates written as text, or numbers."
            )
        timezone = None
        if getattr(stamps.dt, "tz", None) is not None:
            timezone = str(stamps.dt.tz)
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        nanos = stamps.astype("datetime64[ns]").astype("int64").to_numpy()
        axis = cls("datetime", dtype, float(nanos.min()), 0.0, text_format=text_format, timezone=timezone)
        return axis, nanos.astype(np.float64)

    def steps(self, values: np.ndarray) -> np.ndarray:
        return (values - self.origin) / self.cadence

    def times(self, steps: np.ndarray) -> pd.Series:
        """Timestamps at whole ``steps`` of the axis, in the time column's own dtype or text format."""
        steps = np.asarray(steps, dtype=np.int64)
        if self.kind == "number":
            values = self.origin + steps * self.cadence
            if np.dtype(self.dtype).kind in "iu":
                return pd.Series(np.round(values).astype(self.dtype))
            return pd.Series(values.astype(self.dtype))
        nanos = np.int64(self.origin) + steps * np.int64(self.cadence)
        stamps = pd.Series(pd.to_datetime(nanos, unit="ns"))
        if self.timezone is not None:
            stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(self.timezone)
        if self.dtype.startswith("datetime64"):
            return stamps.astype(self.dtype)
        if self.text_format is not None:
            return stamps.dt.strftime(self.text_format).astype(self.dtype)
        return stamps.astype(str).astype(self.dtype)

    def describe_cadence(self) -> str:
        if self.kind == "number":
            return f"{self.cadence:g}"
        return str(pd.Timedelta(int(self.cadence), unit="ns"))

    def describe(self, value: float) -> str:
        if self.kind == "number":
            return f"{value:g}"
        return str(pd.Timestamp(int(value), unit="ns"))

    def to_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dtype": self.dtype,
            "origin": self.origin,
            "cadence": self.cadence,
            "first_step": self.first_step,
            "last_step": self.last_step,
            "text_format": self.text_format,
            "timezone": self.timezone,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TimeAxis:
        return cls(**state)


@dataclass
class Windows:
    """A long table cut into windows: which rows each window takes, and what the sequences share.

    ``rows[i]`` are the positions (into the input table) of window ``i``'s ``sequence_length`` rows,
    in time order; ``statics`` has one row per window: its entity's static columns and, with a time
    column, ``start``, the window's first timestamp in steps of ``axis``.
    """

    rows: np.ndarray  # (windows, sequence_length) int64 row positions
    feature_columns: list[str]
    static_columns: list[str]
    statics: pd.DataFrame  # (windows, static columns [+ START]) ; no columns when there are none
    columns: list[str]  # the input's column order
    axis: TimeAxis | None = None
    time_column: str | None = None
    entity_column: str | None = None
    entity_dtype: str | None = None
    series: int = 0  # series (entities, or gap-free segments) that gave at least one window
    notes: list[str] = field(default_factory=list)

    # The learned column holding each window's first timestamp, in steps of the time axis.
    START = "__window_start__"

    @property
    def sequence_length(self) -> int:
        return self.rows.shape[1]

    @property
    def id_column(self) -> str:
        """The output column that numbers synthetic sequences: the entity column, else ``sequence_id``."""
        if self.entity_column is not None:
            return self.entity_column
        name = SEQUENCE_ID
        while name in self.columns:
            name += "_"
        return name

    def __len__(self) -> int:
        return len(self.rows)


def cut_windows(
    df: pd.DataFrame,
    sequence_length: int,
    time_column: str | None = None,
    entity_column: str | None = None,
    static_columns: list[str] | tuple[str, ...] = (),
    stride: int = 1,
    gaps: str = "error",
) -> Windows:
    """Check a long table and cut every series into windows of ``sequence_length`` rows.

    Rows of an entity may be interleaved with other entities' rows (a panel sorted by date), but
    each entity's timestamps must increase down the table. ``gaps`` says what to do where two
    consecutive timestamps of an entity are not one cadence apart: ``"error"`` (the default) raises,
    ``"split"`` cuts the series there (windows never span the gap), ``"ignore"`` reads the rows as
    consecutive steps anyway. ``df`` is not modified.
    """
    validate_table(df)
    _check_arguments(df, sequence_length, time_column, entity_column, static_columns, stride, gaps)
    static_columns = list(static_columns)
    roles = {time_column, entity_column, *static_columns} - {None}
    features = [name for name in df.columns if name not in roles]
    if not features:
        raise DataError(
            "The table has no temporal feature column: every column is the time, entity or a static column. "
            "Add at least one column that varies over time."
        )

    groups, entity_dtype = _entity_groups(df, entity_column)
    axis, times = (None, None)
    if time_column is not None:
        axis, times = TimeAxis.read(df[time_column])
        for label, rows in groups:
            _check_order(times[rows], axis, time_column, entity_column, label)
        axis.cadence = _cadence(groups, times, time_column)
    segments = []
    for label, rows in groups:
        if times is None:
            segments.append(rows)
            continue
        breaks = _check_gaps(times[rows], axis, time_column, entity_column, label, gaps)
        segments.extend(np.split(rows, breaks) if len(breaks) else [rows])

    offsets = np.arange(sequence_length)
    windows, used, short = [], 0, 0
    for rows in segments:
        if len(rows) < sequence_length:
            short += 1
            continue
        starts = np.arange(0, len(rows) - sequence_length + 1, stride)
        windows.append(rows[starts[:, None] + offsets[None, :]])
        used += 1
    if not windows:
        longest = max(len(rows) for rows in segments)
        what = "series" if len(segments) == len(groups) else "gap-free stretch"
        raise DataError(
            f"sequence_length={sequence_length} needs at least {sequence_length} consecutive rows, but the longest "
            f"{what} has {longest}. Lower sequence_length, or pass more rows."
        )
    notes = []
    if short:
        kind = "entities" if len(segments) == len(groups) and entity_column else "series or stretches"
        notes.append(f"{short} {kind} shorter than sequence_length={sequence_length} rows were left out.")
        warnings.warn(notes[-1], UserWarning, stacklevel=2)
    rows = np.concatenate(windows).astype(np.int64)

    statics = df.iloc[rows[:, 0]][static_columns].reset_index(drop=True)
    if static_columns:
        _check_static(df, static_columns, entity_column)
    if axis is not None:
        start = axis.steps(times[rows[:, 0]])
        axis.first_step, axis.last_step = float(start.min()), float(start.max())
        statics[Windows.START] = start
    return Windows(
        rows=rows,
        feature_columns=features,
        static_columns=static_columns,
        statics=statics,
        columns=list(df.columns),
        axis=axis,
        time_column=time_column,
        entity_column=entity_column,
        entity_dtype=entity_dtype,
        series=used,
        notes=notes,
    )


def sequence_ids(first: int, n: int, entity_dtype: str | None) -> pd.Series:
    """Ids of ``n`` synthetic sequences from ``first`` on: integers, or ``"synthetic-<i>"`` text when the
    real entity column holds text (synthetic sequences belong to no real entity, so no real id is reused)."""
    numbers = np.arange(first, first + n, dtype=np.int64)
    if entity_dtype is None or np.dtype(entity_dtype if _is_numpy(entity_dtype) else object).kind in "iu":
        return pd.Series(numbers if entity_dtype is None else numbers.astype(entity_dtype))
    return pd.Series([f"synthetic-{i}" for i in numbers], dtype=entity_dtype if entity_dtype != "category" else object)


# ---------------------------------------------------------------------- checks
def _check_arguments(df, sequence_length, time_column, entity_column, static_columns, stride, gaps) -> None:
    for name, value in (("sequence_length", sequence_length), ("stride", stride)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name} must be a positive integer, got {value!r}.")
    if sequence_length < 2:
        raise ParameterError("sequence_length must be at least 2 (a sequence of one step has no dynamics), got 1.")
    if gaps not in GAP_POLICIES:
        raise ParameterError(f"gaps={gaps!r} is not supported. Use one of: {', '.join(GAP_POLICIES)}.")
    if isinstance(static_columns, str):
        raise ParameterError(f"static_columns must be a list of column names, got the string {static_columns!r}.")
    named = {"time_column": time_column, "entity_column": entity_column}
    named.update({f"static column {name!r}": name for name in static_columns})
    for role, name in named.items():
        if name is not None and name not in df.columns:
            raise DataError(f"{role}={name!r} is not a column of the table. Columns: {list(df.columns)}.")
    if time_column is not None and time_column == entity_column:
        raise ParameterError(f"Column {time_column!r} cannot be both the time column and the entity column.")
    for name in static_columns:
        if name in (time_column, entity_column):
            raise ParameterError(f"Column {name!r} is the time or entity column; it cannot also be static.")
    if static_columns and entity_column is None:
        raise ParameterError(
            "static_columns need an entity_column: statics are what each entity's rows share. Without "
            "entities the table is one series, and its columns are temporal features."
        )


def _entity_groups(df: pd.DataFrame, entity_column: str | None) -> tuple[list[tuple[Any, np.ndarray]], str | None]:
    """(entity, its row positions in table order) for each entity, in order of first appearance."""
    if entity_column is None:
        return [(None, np.arange(len(df)))], None
    entity = df[entity_column]
    if entity.isna().any():
        row = int(np.flatnonzero(entity.isna().to_numpy())[0])
        raise DataError(f"Entity column {entity_column!r} has a missing value (row {row}). Fill or drop such rows.")
    codes, labels = pd.factorize(entity, sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return list(zip(labels, np.split(order, bounds), strict=True)), str(entity.dtype)


def _cadence(groups, times: np.ndarray, time_column: str) -> float:
    """The most common positive step between consecutive timestamps of the same entity."""
    steps = np.concatenate([np.diff(times[rows]) for _, rows in groups])
    steps = steps[steps > 0]
    if len(steps) == 0:
        raise DataError(
            f"Time column {time_column!r} never advances from one row to the next of an entity, so it has "
            "no cadence. Check the column, or that each entity has more than one row."
        )
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


def _check_order(times, axis: TimeAxis, time_column, entity_column, label) -> None:
    """Timestamps of one series must increase down the table."""
    steps = np.diff(times)
    back = np.flatnonzero(steps <= 0)
    if len(back) == 0:
        return
    where = f" of entity {label!r}" if entity_column is not None else ""
    i = back[0]
    a, b = axis.describe(times[i]), axis.describe(times[i + 1])
    if steps[i] == 0:
        raise DataError(
            f"Time column {time_column!r} repeats {a}{where}: each timestamp may appear once per "
            "series. Drop or aggregate the duplicates first."
        )
    order = f"[{entity_column!r}, {time_column!r}]" if entity_column is not None else f"{time_column!r}"
    raise DataError(
        f"Time column {time_column!r} goes back from {a} to {b}{where}: rows must be in time order. "
        f"Sort the table first, e.g. df.sort_values({order})."
    )


def _check_gaps(times, axis: TimeAxis, time_column, entity_column, label, gaps: str) -> np.ndarray:
    """Positions within the series where a new gap-free stretch starts (empty unless ``gaps="split"``)."""
    steps = np.diff(times)
    off = np.flatnonzero(np.abs(steps - axis.cadence) > STEP_TOLERANCE * axis.cadence)
    if len(off) == 0 or gaps == "ignore":
        return np.zeros(0, dtype=np.int64)
    if gaps == "split":
        return off + 1
    where = f" of entity {label!r}" if entity_column is not None else ""
    i = off[0]
    raise DataError(
        f"Time column {time_column!r} jumps from {axis.describe(times[i])} to {axis.describe(times[i + 1])}{where}, "
        f"while its cadence is {axis.describe_cadence()} ({len(off)} such gap(s)). Fill the missing steps, or pass "
        "gaps='split' (windows do not cross gaps) or gaps='ignore' (rows are read as consecutive steps)."
    )


def _check_static(df: pd.DataFrame, static_columns: list[str], entity_column: str) -> None:
    counts = df.groupby(entity_column, sort=False, dropna=False)[static_columns].nunique(dropna=False)
    for name in static_columns:
        varying = counts.index[counts[name] > 1]
        if len(varying):
            raise DataError(
                f"Static column {name!r} varies within entity {varying[0]!r} (and {len(varying) - 1} other(s)): a "
                "static column must hold one value per entity. Leave it out of static_columns to learn it "
                "as a temporal feature."
            )


def _is_numpy(dtype: str) -> bool:
    try:
        np.dtype(dtype)
    except TypeError:
        return False
    return True
