"""Check the tables once, align them, and code every column the same way for every section.

Sections never look at raw DataFrames for their arithmetic: each numeric column (continuous, integer,
datetime) becomes one float64 array per table (datetimes as nanoseconds, missing as NaN), and each
discrete column (categorical, boolean, constant) becomes one integer code array per table, with codes
shared by the real, synthetic and holdout tables and ordered by frequency in the real table (code 0 is
the most common real value; missing values get a code of their own). Identifier columns are unique per
row by construction and are not compared.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthgan.data.schema import ColumnKind, Schema, infer_schema
from synthgan.errors import DataError, ParameterError

__all__ = ["SECTIONS", "Settings", "Tables", "prepare"]

SECTIONS = ("fidelity", "detection", "utility", "privacy", "fairness", "profile")

NUMERIC_KINDS = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
DISCRETE_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT)


@dataclass(frozen=True)
class Settings:
    """Row budgets and thresholds. Every subsample is seeded; the report says where one was taken."""

    max_rows: int = 1_000_000  # a table on disk with more rows is sampled to this many (seeded)
    detection_rows: int = 20_000  # per table, for the real-vs-synthetic classifier
    detection_folds: int = 3
    utility_rows: int = 50_000  # training rows per model (TSTR and TRTR get the same number)
    utility_test_rows: int = 50_000  # holdout rows scored
    privacy_rows: int = 10_000  # synthetic records, and reference records per real table, for distances
    plot_rows: int = 20_000  # per table, for the per-column overlays
    pca_rows: int = 3_000  # per table, for the PCA scatter
    max_plotted_columns: int = 24
    max_heatmap_columns: int = 40
    # SDMetrics' QualityReport (0.32) averages column pair trends only over pairs whose real data show
    # a link: |Pearson r| > 0.5 for numeric pairs, Cramér's V > 0.3 for the others. 0 averages all pairs.
    correlation_threshold: float = 0.5
    association_threshold: float = 0.3
    high_correlation: float = 0.7  # profile: pairs at least this associated are listed
    max_groups: int = 10  # fairness: groups shown per sensitive column (the rest pooled as "other")
    min_group_rows: int = 30  # fairness: smaller holdout groups get no per-group utility
    # OpenMP threads for scikit-learn (tree models, nearest neighbours); None = all cores. One thread is
    # the default because on a busy machine OpenMP barriers wait on descheduled threads: on 2 shared
    # cores, 2 threads made the detection section 70x slower than 1.
    threads: int | None = 1


@dataclass
class Tables:
    """The aligned, coded inputs every section reads."""

    schema: Schema
    kinds: dict[str, ColumnKind]
    columns: list[str]  # compared columns, in the real table's order (identifiers left out)
    numeric: list[str]
    discrete: list[str]
    frames: dict[str, pd.DataFrame]  # "real", "synthetic" and, when given, "holdout"
    values: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    codes: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    categories: dict[str, list] = field(default_factory=dict)
    na_code: dict[str, int] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    target: str | None = None
    sensitive: list[str] = field(default_factory=list)
    seed: int = 0
    settings: Settings = field(default_factory=Settings)
    cache: dict = field(default_factory=dict)  # results two sections share (row hashes, encoders)

    def has(self, table: str) -> bool:
        return table in self.frames

    def rows(self, table: str) -> int:
        return len(self.frames[table])

    def rng(self, purpose: str) -> np.random.Generator:
        """A generator of its own per purpose, so one section's draws never shift another's."""
        return np.random.default_rng([self.seed, zlib.crc32(purpose.encode())])

    def sample(self, table: str, n: int, purpose: str) -> np.ndarray:
        """Sorted row positions of a seeded subsample of at most ``n`` rows (all rows when fewer)."""
        total = self.rows(table)
        if total <= n:
            return np.arange(total)
        return np.sort(self.rng(f"{purpose}:{table}").choice(total, size=n, replace=False))

    def column(self, table: str, name: str) -> np.ndarray:
        """Float values of a numeric column or integer codes of a discrete one."""
        return self.values[table][name] if name in self.values[table] else self.codes[table][name]

    def is_numeric(self, name: str) -> bool:
        return self.kinds[name] in NUMERIC_KINDS


def prepare(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None,
    *,
    target: str | None,
    sensitive: str | Iterable[str] | None,
    schema: Schema | Mapping[str, str] | None,
    discrete_columns: Iterable[str] | None,
    seed: int,
    settings: Settings,
) -> Tables:
    """Validate the inputs, infer the schema from ``real`` and code every column."""
    frames = {"real": real, "synthetic": synthetic}
    if holdout is not None:
        frames["holdout"] = holdout
    for name, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"The {name} table must be a pandas DataFrame, got {type(frame).__name__}.")
        if len(frame) == 0:
            raise DataError(f"The {name} table is empty (0 rows).")
    if isinstance(schema, Schema):
        resolved = schema
    else:
        resolved = infer_schema(real, overrides=schema, discrete_columns=discrete_columns)
    kinds = {spec.name: spec.kind for spec in resolved}
    missing_from_schema = [c for c in real.columns if c not in kinds]
    if missing_from_schema:
        raise DataError(f"The schema has no entry for column(s) {missing_from_schema}.")
    for name in ("synthetic", "holdout"):
        if name in frames:
            frames[name] = _align(real, frames[name], name, kinds)

    sensitive_list = _as_list(sensitive)
    for column in [target, *sensitive_list]:
        if column is not None and column not in real.columns:
            close = difflib.get_close_matches(str(column), [str(c) for c in real.columns], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise DataError(f"Column {column!r} is not in the tables.{hint} Columns are: {list(real.columns)}.")
    if target is not None and target in sensitive_list:
        raise ParameterError(f"Column {target!r} is both the target and a sensitive column; pick one role.")

    identifiers = [c for c in real.columns if kinds[c] is ColumnKind.IDENTIFIER]
    unique_groups = [c for c in sensitive_list if c in identifiers]
    if unique_groups:
        raise ParameterError(
            f"Sensitive column(s) {unique_groups} are unique per row (identifiers), so every group would hold one "
            "row. Pass columns that define groups, or declare them categorical with schema=."
        )
    columns = [c for c in real.columns if c not in identifiers]
    tables = Tables(
        schema=resolved,
        kinds=kinds,
        columns=columns,
        numeric=[c for c in columns if kinds[c] in NUMERIC_KINDS],
        discrete=[c for c in columns if kinds[c] in DISCRETE_KINDS],
        frames=frames,
        identifiers=identifiers,
        target=target,
        sensitive=sensitive_list,
        seed=seed,
        settings=settings,
    )
    _code(tables)
    return tables


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def _align(real: pd.DataFrame, other: pd.DataFrame, name: str, kinds: Mapping[str, ColumnKind]) -> pd.DataFrame:
    """Put ``other``'s columns in ``real``'s order, after checking names and value types agree."""
    missing = [c for c in real.columns if c not in other.columns]
    extra = [c for c in other.columns if c not in real.columns]
    problems = []
    if missing:
        problems.append(f"missing from the {name} table: {missing}")
    if extra:
        problems.append(f"only in the {name} table: {extra}")
    mismatched = []
    for column in real.columns:
        if column in other.columns:
            ours, theirs = _family(real[column]), _family(other[column])
            if not _compatible(ours, theirs, kinds[column]):
                mismatched.append(f"{column!r} real {real[column].dtype} ({ours}) vs {other[column].dtype} ({theirs})")
    if mismatched:
        problems.append(f"different value types: {'; '.join(mismatched)}")
    if problems:
        raise DataError(
            f"The real and {name} tables do not match: {' | '.join(problems)}. "
            f"Give the {name} table the real table's columns and types."
        )
    return other[list(real.columns)]


def _family(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    values = series.dropna()
    if len(values) == 0:
        return "empty"
    types = {type(v) for v in values.iloc[:1000].astype(object)}
    if all(issubclass(t, bool | np.bool_) for t in types):
        return "boolean"
    if all(issubclass(t, int | float | np.number) and not issubclass(t, bool | np.bool_) for t in types):
        return "numeric"
    if all(issubclass(t, dt.date | np.datetime64) for t in types):
        return "datetime"
    return "text"


def _compatible(ours: str, theirs: str, kind: ColumnKind) -> bool:
    if ours == theirs or "empty" in (ours, theirs):
        return True
    # Datetimes read from CSV are text; they are parsed the same way in both tables.
    return kind is ColumnKind.DATETIME and {ours, theirs} == {"datetime", "text"}


def _code(tables: Tables) -> None:
    names = list(tables.frames)
    for name in names:
        tables.values[name] = {}
        tables.codes[name] = {}
    for column in tables.numeric:
        for name in names:
            tables.values[name][column] = numeric_values(tables.frames[name][column], tables.kinds[column])
    for column in tables.discrete:
        parts = [tables.frames[name][column] for name in names]
        codes, labels = pd.factorize(pd.concat(parts, ignore_index=True), use_na_sentinel=False)
        n_real = len(parts[0])
        # Reorder codes by real frequency so that code 0 is the most common real value.
        counts = np.bincount(codes[:n_real], minlength=len(labels))
        order = np.argsort(-counts, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        codes = rank[codes].astype(np.int32)
        labels = [None if _is_na(labels[i]) else labels[i] for i in order]
        tables.categories[column] = labels
        tables.na_code[column] = next((i for i, label in enumerate(labels) if label is None), -1)
        start = 0
        for name, part in zip(names, parts, strict=True):
            tables.codes[name][column] = codes[start : start + len(part)]
            start += len(part)


def numeric_values(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """A numeric or datetime column as float64 (datetimes in nanoseconds), NaN where missing."""
    if kind is ColumnKind.DATETIME:
        stamps = series if pd.api.types.is_datetime64_any_dtype(series) else _parse_dates(series)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        out = stamps.astype("datetime64[ns]").to_numpy().astype("int64").astype("float64")
        out[stamps.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _parse_dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", format="mixed")


def _is_na(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
