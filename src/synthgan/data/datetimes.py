"""Dates written as text: the one format that reads every cell of a column and writes it back.

A column's text form is stored as one *format*: a strftime format of the date and time, then
optionally the seconds' fraction as ``.%<digits>f`` (``.%3f`` for milliseconds) and the zone as
written, ``Z`` or a literal offset such as ``+02:00`` or ``+0530``. Reading such a column gives
naive timestamps in the written zone (the one offset most cells carry, when they differ, as local
times do across daylight-saving changes: other cells are shifted to it), and writing them back
gives text of the same form: ``2013-05-17T18:00:00Z`` stays ``2013-05-17T18:00:00Z``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

__all__ = ["format_datetimes", "parse_datetimes", "text_datetime_format"]

# The tail of a timestamp's text after its seconds (or minutes): a fraction and a zone.
_TAIL = re.compile(r"^(?P<body>.*?:\d{2})(?:[.,](?P<fraction>\d{1,9}))?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_FORMAT_TAIL = re.compile(r"^(?P<base>.*?)(?:\.%(?P<digits>\d)f)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_SAMPLE = 1_000
_GUESSED_VALUES = 10  # distinct values whose guessed formats are tried


def text_datetime_format(series: pd.Series) -> str | None:
    """The format (see the module) that reads every cell and writes the sampled ones back unchanged.

    The date-and-time part is the format pandas guesses from the first value, month first and then
    day first; None when no single format fits (the column is then parsed value by value and written
    back as ISO 8601) or the column is not text.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        return None
    text = series.dropna().astype(str)
    if text.empty:
        return None
    parts = text.str.extract(_TAIL)
    has_tail = parts["body"].notna()
    if has_tail.all():
        body, fraction, zone = parts["body"], parts["fraction"], parts["zone"]
    elif not has_tail.any():
        body, fraction, zone = text, pd.Series(np.nan, index=text.index), pd.Series(np.nan, index=text.index)
    else:
        return None
    digits = _one_width(fraction)
    written_zone = _common_zone(zone)
    if digits is None or written_zone is None:
        return None
    tail = (f".%{digits}f" if digits else "") + written_zone
    head = body.head(_SAMPLE)
    for guessed in _guesses(head):
        try:
            parsed = pd.to_datetime(body, format=guessed)  # raises if a cell does not fit the format
        except (TypeError, ValueError):
            continue
        if parsed.head(_SAMPLE).dt.strftime(guessed).equals(head):
            return guessed + tail
    return None


def _guesses(head: pd.Series) -> list[str]:
    """Formats pandas guesses from the first few distinct values, month first and then day first.

    More than the first value: pandas finds no format for some values of a common form (it
    guesses none for ``2011-03-01 20:11`` but ``%Y-%m-%d %H:%M`` for ``2011-03-01 02:49``).
    """
    guesses: list[str] = []
    for dayfirst in (False, True):
        for value in head.drop_duplicates().head(_GUESSED_VALUES):
            with warnings.catch_warnings():  # pandas warns when the guess contradicts ``dayfirst``
                warnings.simplefilter("ignore", UserWarning)
                guessed = guess_datetime_format(value, dayfirst=dayfirst)
            if guessed is not None and "%z" not in guessed and "%Z" not in guessed and guessed not in guesses:
                guesses.append(guessed)
    return guesses


def parse_datetimes(series: pd.Series, text_format: str | None = None) -> pd.Series:
    """The column as timestamps (NaT where missing or unreadable), naive in the format's zone."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    if text_format is None:
        return pd.to_datetime(series, errors="coerce", format="mixed")
    layout = _FORMAT_TAIL.match(text_format)
    base, digits, zone = layout["base"], layout["digits"], layout["zone"]
    if digits is None and zone is None:
        return pd.to_datetime(series, errors="coerce", format=text_format)
    text = series.astype(object).where(series.notna(), None).astype(str).where(series.notna(), None)
    parts = text.str.extract(_TAIL)
    stamps = pd.to_datetime(parts["body"], errors="coerce", format=base)
    fraction = parts["fraction"].fillna("0").str.ljust(9, "0").astype(np.int64)
    stamps = stamps + pd.to_timedelta(fraction, unit="ns")
    if zone is not None and zone != "Z":
        shift = _offset_minutes(zone) - parts["zone"].map(_offset_minutes, na_action="ignore").fillna(
            _offset_minutes(zone)
        )
        stamps = stamps + pd.to_timedelta(shift, unit="min")
    return stamps


def format_datetimes(stamps: pd.Series, text_format: str) -> pd.Series:
    """Naive timestamps as text in ``text_format`` (None where missing)."""
    layout = _FORMAT_TAIL.match(text_format)
    base, digits, zone = layout["base"], layout["digits"], layout["zone"]
    text = stamps.dt.strftime(base)
    if digits is not None:
        text = text + "." + stamps.dt.strftime("%f").str[: int(digits)]
    if zone is not None:
        text = text + zone
    return text.astype(object).where(stamps.notna(), None)


def _one_width(fraction: pd.Series) -> int | None:
    """Digits of the seconds' fraction: 0 if no cell has one, the width when every cell has one of
    the same width, else None (no one format writes them back)."""
    present = fraction.notna()
    if not present.any():
        return 0
    widths = fraction[present].str.len().unique()
    return int(widths[0]) if present.all() and len(widths) == 1 and widths[0] <= 6 else None


def _common_zone(zone: pd.Series) -> str | None:
    """'' for naive text, 'Z', or the offset most cells carry in their own style; None if mixed."""
    present = zone.notna()
    if not present.any():
        return ""
    if not present.all():
        return None
    if (zone == "Z").all():
        return "Z"
    if (zone == "Z").any() or zone.str.contains(":").nunique() > 1:
        return None
    return str(zone.mode().iloc[0])


def _offset_minutes(zone: str) -> int:
    if zone == "Z":
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))
