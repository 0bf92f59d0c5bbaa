"""What each column of a table is: the schema every other part of synthgan reads.

Each column gets exactly one :class:`ColumnKind`. Inference looks at dtype, cardinality and
uniqueness; the user can override any column (``overrides={"Age": "categorical"}``) or name the
discrete columns as CTGAN users do (``discrete_columns=[...]``). The schema also records what the
inverse transform needs to give back a table that looks exactly like the input: the original dtype,
observed range, decimals, categories and null share. It serializes to plain JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synthgan.data.datetimes import parse_datetimes, text_datetime_format
from synthgan.errors import DataError, SchemaError

__all__ = ["ColumnKind", "ColumnSpec", "Schema", "infer_schema"]

# Integral numeric columns with at most this many distinct values are categories (codes, flags).
MAX_CATEGORICAL_CODES = 15
# A value held by at least this share of a numeric column's non-null rows is a point mass.
POINT_MASS_SHARE = 0.10
# Rows needed before "unique in every row" is read as an identifier rather than chance.
MIN_ROWS_FOR_IDENTIFIER = 50
# Text that may hold a date or time: 2021-03-01, 03/01/2021, 01.03.2021, 10:22.
DATE_PATTERN = r"\d{1,4}[-/:]\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}"
# Decimals beyond this are treated as full float precision (no rounding on output).
MAX_DECIMALS = 8


class ColumnKind(StrEnum):
    """The kinds a column can have; the transformer encodes each kind its own way."""

    CONTINUOUS = "continuous"
    INTEGER = "integer"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"

    @property
    def is_learned(self) -> bool:
        """Identifiers and constants are regenerated, not learned by the model."""
        return self not in (ColumnKind.IDENTIFIER, ColumnKind.CONSTANT)

    @property
    def is_discrete(self) -> bool:
        return self in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass
class ColumnSpec:
    """Everything synthgan knows about one column. JSON-serializable via :meth:`to_dict`."""

    name: str
    kind: ColumnKind
    dtype: str
    null_share: float = 0.0
    n_distinct: int = 0
    minimum: Any = None
    maximum: Any = None
    decimals: int | None = None
    categories: list[Any] = field(default_factory=list)
    point_masses: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = self.kind.value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnSpec:
        values = dict(data)
        values["kind"] = ColumnKind(values["kind"])
        return cls(**values)


@dataclass
class Schema:
    """An ordered collection of :class:`ColumnSpec`, one per input column."""

    columns: list[ColumnSpec]

    def __iter__(self) -> Iterator[ColumnSpec]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, name: object) -> bool:
        return any(spec.name == name for spec in self.columns)

    def __getitem__(self, name: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.columns]

    @property
    def discrete_columns(self) -> list[str]:
        """Columns a conditional model can condition on (categorical and boolean)."""
        return [spec.name for spec in self.columns if spec.kind.is_discrete]

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [spec.to_dict() for spec in self.columns]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schema:
        return cls([ColumnSpec.from_dict(item) for item in data["columns"]])

    def to_frame(self) -> pd.DataFrame:
        """One row per column, for display (``synthgan inspect``)."""
        rows = []
        for spec in self.columns:
            rows.append(
                {
                    "column": spec.name,
                    "kind": spec.kind.value,
                    "dtype": spec.dtype,
                    "nulls %": round(100 * spec.null_share, 2),
                    "distinct": spec.n_distinct,
                    "min": spec.minimum,
                    "max": spec.maximum,
                    "notes": "; ".join(spec.notes),
                }
            )
        return pd.DataFrame(rows)


def infer_schema(
    df: pd.DataFrame,
    overrides: Mapping[str, str | ColumnKind] | None = None,
    discrete_columns: Iterable[str] | None = None,
) -> Schema:
    """Infer one :class:`ColumnSpec` per column of ``df``; ``df`` is never modified.

    ``overrides`` maps column names to kinds (strings such as ``"categorical"`` are accepted);
    ``discrete_columns`` marks columns as categorical, as CTGAN's argument of that name does.
    Raises :class:`DataError` for unusable tables and :class:`SchemaError` for bad overrides.
    """
    validate_table(df)
    forced = _merge_overrides(df, overrides, discrete_columns)
    columns = [_infer_column(df[name], forced.get(name)) for name in df.columns]
    if not any(spec.kind.is_learned for spec in columns):
        raise DataError(
            "The table has no column to learn: every column is an identifier or constant "
            f"({', '.join(map(str, df.columns))}). Add columns that vary, or override a kind with schema=."
        )
    return Schema(columns)


def validate_table(df: pd.DataFrame) -> None:
    """Reject inputs no model can learn from, naming the column and what to do."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"Expected a pandas DataFrame, got {type(df).__name__}. Load it with pandas first.")
    if df.shape[1] == 0:
        raise DataError("The table has no columns. Pass a table with at least one column.")
    if len(df) == 0:
        raise DataError("The table is empty (0 rows). Pass a table with at least a few rows.")
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        raise DataError(f"Duplicate column names: {duplicated}. Rename them so every column is unique.")
    for name in df.columns:
        if not isinstance(name, str):
            raise DataError(f"Column name {name!r} is not a string. Rename columns to strings.")


def _merge_overrides(
    df: pd.DataFrame,
    overrides: Mapping[str, str | ColumnKind] | None,
    discrete_columns: Iterable[str] | None,
) -> dict[str, ColumnKind]:
    forced: dict[str, ColumnKind] = {}
    if isinstance(discrete_columns, str):  # discrete_columns="Outcome": one column, not its letters
        discrete_columns = [discrete_columns]
    for name in discrete_columns or []:
        forced[name] = ColumnKind.CATEGORICAL
    for name, kind in (overrides or {}).items():
        try:
            forced[name] = ColumnKind(kind)
        except ValueError:
            valid = ", ".join(k.value for k in ColumnKind)
            raise SchemaError(f"Unknown kind {kind!r} for column {name!r}. Use one of: {valid}.") from None
    missing = [name for name in forced if name not in df.columns]
    if missing:
        raise SchemaError(f"Schema names column(s) not in the table: {missing}. Columns are: {list(df.columns)}.")
    return forced


def _infer_column(series: pd.Series, forced: ColumnKind | None) -> ColumnSpec:
    name = str(series.name)
    _check_cells(series)
    non_null = series.dropna()
    null_share = float(1 - len(non_null) / len(series))
    if len(non_null) == 0 and forced is not ColumnKind.CONSTANT:
        raise DataError(
            f"Column {name!r} is empty (all values are missing). Drop it, or declare it "
            f"schema={{{name!r}: 'constant'}} to keep it as an all-missing column."
        )
    counts = non_null.value_counts(sort=True)  # one hashing pass feeds every statistic below
    counts = counts[counts > 0]  # a category dtype also lists its unused categories, with count 0
    n_distinct = len(counts)
    kind = forced or _guess_kind(series, non_null, n_distinct)
    spec = ColumnSpec(name=name, kind=kind, dtype=str(series.dtype), null_share=null_share, n_distinct=n_distinct)
    _describe(spec, series, non_null, counts)
    return spec


def _check_cells(series: pd.Series) -> None:
    name = series.name
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(values).any():
            raise DataError(f"Column {name!r} holds infinite values. Replace them with NaN or finite numbers first.")
        return
    if series.dtype != object:
        return
    types = {type(v) for v in series.dropna()}
    unhashable = [t for t in types if t.__hash__ is None]
    if unhashable:
        raise DataError(
            f"Column {name!r} holds unhashable cells ({unhashable[0].__name__}). "
            "Flatten them into scalar columns or convert them to strings first."
        )
    kinds = {_scalar_family(t) for t in types}
    if len(kinds) > 1:
        raise DataError(
            f"Column {name!r} mixes value types ({', '.join(sorted(kinds))}). Convert it to one type, "
            f"e.g. df[{name!r}] = df[{name!r}].astype(str), or fix the bad cells."
        )


def _scalar_family(value_type: type) -> str:
    if issubclass(value_type, bool | np.bool_):
        return "boolean"
    if issubclass(value_type, int | float | np.number):
        return "number"
    if issubclass(value_type, pd.Timestamp | np.datetime64):
        return "datetime"
    return "text"


def _guess_kind(series: pd.Series, non_null: pd.Series, n_distinct: int) -> ColumnKind:
    if n_distinct == 1:
        # One value and some missing cells is a presence flag worth learning, not a constant.
        return ColumnKind.CONSTANT if len(non_null) == len(series) else ColumnKind.CATEGORICAL
    if pd.api.types.is_bool_dtype(series) or _is_bool_object(non_null):
        return ColumnKind.BOOLEAN
    if pd.api.types.is_datetime64_any_dtype(series):
        return ColumnKind.DATETIME
    if isinstance(series.dtype, pd.CategoricalDtype):
        return ColumnKind.CATEGORICAL
    all_unique = n_distinct == len(series) and len(series) >= MIN_ROWS_FOR_IDENTIFIER
    if pd.api.types.is_numeric_dtype(series):
        values = non_null.to_numpy(dtype="float64")
        integral = pd.api.types.is_integer_dtype(series) or bool(np.array_equal(values, np.floor(values)))
        if integral and all_unique and pd.api.types.is_integer_dtype(series):
            return ColumnKind.IDENTIFIER
        if integral and n_distinct <= MAX_CATEGORICAL_CODES:
            return ColumnKind.CATEGORICAL
        return ColumnKind.INTEGER if integral else ColumnKind.CONTINUOUS
    if _looks_like_datetime(non_null):
        return ColumnKind.DATETIME
    if all_unique:
        return ColumnKind.IDENTIFIER
    return ColumnKind.CATEGORICAL


def _is_bool_object(non_null: pd.Series) -> bool:
    return non_null.dtype == object and all(isinstance(v, bool | np.bool_) for v in non_null.head(1000))


def _looks_like_datetime(non_null: pd.Series) -> bool:
    sample = non_null.head(200).astype(str)
    if not sample.str.contains(DATE_PATTERN, regex=True).all():
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.95)


def _describe(spec: ColumnSpec, series: pd.Series, non_null: pd.Series, counts: pd.Series) -> None:
    """Fill range, decimals, categories, point masses and human notes for one column."""
    kind = spec.kind
    if len(non_null) == 0:
        spec.notes.append("all values missing")
        return
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
        values = _as_float(non_null, spec.name)
        spec.minimum, spec.maximum = native_value(values.min()), native_value(values.max())
        spec.decimals = 0 if kind is ColumnKind.INTEGER else _decimals(values)
        spec.point_masses = point_masses(counts, len(values), spec)
    elif kind is ColumnKind.DATETIME:
        stamps = parse_datetimes(non_null, text_datetime_format(non_null))
        spec.minimum, spec.maximum = stamps.min().isoformat(), stamps.max().isoformat()
    elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT):
        spec.categories = [native_value(v) for v in counts.index]
        if kind is ColumnKind.CATEGORICAL and pd.api.types.is_numeric_dtype(series):
            spec.minimum, spec.maximum = native_value(non_null.min()), native_value(non_null.max())
    elif kind is ColumnKind.IDENTIFIER:
        spec.notes.append("unique per row: regenerated, not learned")
    if kind is ColumnKind.CONSTANT:
        spec.notes.append("constant: restored as is")
    if spec.null_share > 0:
        spec.notes.append(f"{100 * spec.null_share:.1f}% missing: modelled")


def _as_float(non_null: pd.Series, name: str) -> np.ndarray:
    try:
        return non_null.to_numpy(dtype="float64")
    except (TypeError, ValueError):
        raise SchemaError(
            f"Column {name!r} is declared numeric but holds non-numeric values. "
            f"Declare it schema={{{name!r}: 'categorical'}} or clean the values."
        ) from None


def point_masses(counts: pd.Series, total: int, spec: ColumnSpec) -> list[Any]:
    """Values (from the column's value counts, most frequent first) held by enough rows to be point masses."""
    masses = []
    for value, count in counts.items():
        share = count / total
        if share < POINT_MASS_SHARE or len(counts) <= 2:
            break
        value = float(value)
        masses.append(native_value(value))
        shown = int(value) if float(value).is_integer() else value
        spec.notes.append(f"{100 * share:.0f}% at {shown}: point mass")
    return masses


def _decimals(values: np.ndarray) -> int | None:
    """Smallest number of decimals that represents every value exactly (None: full precision)."""
    sample = values[:10_000]
    for decimals in range(MAX_DECIMALS + 1):
        if np.allclose(np.round(sample, decimals), sample, rtol=0, atol=10 ** -(decimals + 6)):
            return decimals
    return None


def native_value(value: Any) -> Any:
    """Convert numpy scalars to plain Python values so the schema is JSON-serializable."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value
