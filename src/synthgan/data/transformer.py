"""The reversible transformer: a table in, a float matrix out, and back to the same table shape.

``Transformer.fit(df)`` infers the schema (unless given one) and fits one encoder per learned column;
``transform`` turns rows into a float32 matrix laid out as :attr:`Transformer.layout` describes;
``inverse_transform`` turns generator output back into a DataFrame with the input's columns, order
and dtypes, values clipped to the observed range, integers rounded, decimals rounded to the
precision seen, categories only from the real set and nulls where the null component is chosen.

Encoding per column kind:

=============  ==========================================================================
continuous     scalar within mode + one-hot over (modes, point masses, null)  (numeric.py)
integer        as continuous, rounded on the way back
datetime       as continuous on numbers in the column's resolution (days, seconds, ...)
categorical    one-hot over levels (+ "other" for rare levels, + null)       (categorical.py)
boolean        one-hot over False/True (+ null)
identifier     not learned: regenerated unique values of the same shape      (regenerated.py)
constant       not learned: restored as is
=============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from synthgan.data.categorical import CategoricalEncoder
from synthgan.data.datetimes import format_datetimes, parse_datetimes, text_datetime_format
from synthgan.data.layout import Layout, Span
from synthgan.data.numeric import MAX_BIN_TOKENS, METHODS, NumericEncoder
from synthgan.data.regenerated import IdentifierGenerator
from synthgan.data.scan import ColumnCounts, Scan, exact_schema, sorted_counts
from synthgan.data.schema import (
    ColumnKind,
    ColumnSpec,
    Schema,
    infer_schema,
    validate_table,
)
from synthgan.errors import ConditionError, DataError, NotFittedError, ParameterError, SchemaError

__all__ = ["Transformer"]

STATE_VERSION = 1
# Datetime resolutions tried from coarsest to finest, in nanoseconds.
# The grains a datetime column can have, coarsest first: values all on the hour stay on the hour.
DATETIME_UNITS = {
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "min": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}


class Transformer:
    """Reversible table <-> matrix encoding with an output :class:`Layout` for generator heads.

    Parameters
    ----------
    schema:
        A :class:`Schema` to use instead of inferring one (``overrides`` / ``discrete_columns``
        passed to :meth:`fit` still change the kinds it names), or a mapping of column -> kind
        (``{"Age": "categorical"}``) that overrides those columns of the inferred schema.
    max_modes:
        Most Gaussian modes per numeric column (CTGAN uses 10).
    fit_sample_size:
        Values per numeric column the mixture is fitted on; bounds fit time on large tables.
    max_categories:
        One-hot slots per categorical column, the null slot included. A column with more distinct
        values keeps its ``max_categories - 1`` most frequent levels (one less if it has missing
        values) and puts all rarer levels in one shared "other" slot; decoding that slot draws one of
        the rare real levels with its real frequency, so no invented level is ever produced.
    seed:
        Seeds the subsampling and mixture fits, so a fit is reproducible.
    continuous:
        ``"gmm"`` (default): mode-specific normalization with a variational Gaussian mixture, as in
        CTGAN. ``"quantile"``: one piecewise-linear map through the column's quantiles (faster to
        fit, no modes). ``"minmax"``: min-max scaling (what TimeGAN trains on). Whichever is used,
        point masses and nulls are components of their own.

    Example
    -------
    >>> t = Transformer().fit(df)                       # doctest: +SKIP
    >>> matrix = t.transform(df)                        # float64, shape (len(df), t.layout.width)
    >>> again = t.inverse_transform(matrix)             # same columns, order and dtypes as df
    """

    def __init__(
        self,
        schema: Schema | Mapping[str, str] | None = None,
        max_modes: int = 10,
        fit_sample_size: int = 20_000,
        max_categories: int = 100,
        seed: int | None = 0,
        continuous: str = "gmm",
    ) -> None:
        for name, value, least in (
            ("max_modes", max_modes, 1),
            ("fit_sample_size", fit_sample_size, 100),
            ("max_categories", max_categories, 3),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ParameterError(f"{name} must be an integer >= {least}, got {value!r}.")
        if continuous not in METHODS:
            raise ParameterError(f"continuous={continuous!r} is not supported. Use one of: {', '.join(METHODS)}.")
        self._schema_overrides: dict[str, str | ColumnKind] = {}
        if isinstance(schema, Mapping):
            self._schema_overrides, schema = dict(schema), None
        elif schema is not None and not isinstance(schema, Schema):
            raise ParameterError(
                f"schema must be a synthgan Schema (from infer_schema) or a mapping of column -> kind, "
                f"got {type(schema).__name__}."
            )
        self.schema = schema
        self._given_schema = schema
        self.continuous = continuous
        self.max_modes = max_modes
        self.fit_sample_size = fit_sample_size
        self.max_categories = max_categories
        self.seed = seed
        self._encoders: dict[str, Any] = {}
        self._layout: Layout | None = None

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        df: pd.DataFrame,
        discrete_columns: Iterable[str] | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> Transformer:
        """Infer the schema (unless one was given) and fit an encoder per column. ``df`` is not modified.

        ``discrete_columns`` (CTGAN's argument) marks columns categorical; ``overrides`` maps column
        names to kinds (``{"Age": "categorical"}``) and wins over both.
        """
        self._fit_schema(df, discrete_columns, overrides)
        return self._fit_encoders(df)

    def fit_scan(
        self,
        scan: Scan,
        discrete_columns: Iterable[str] | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> Transformer:
        """Fit on a streamed table's :class:`~synthgan.data.scan.Scan` (its row sample and exact counts).

        A scan whose sample is the whole table fits exactly as :meth:`fit` on that table. Otherwise
        the schema is inferred on the sample and corrected by the counts; categories, their
        frequencies and null flags come from the counts, numbers are binned on the sample widened
        to the exact range.
        """
        if scan.complete:
            return self.fit(scan.sample, discrete_columns, overrides)
        sample = scan.sample
        self._fit_schema(sample, discrete_columns, overrides)
        forced = set(discrete_columns or []) | set(overrides or {}) | set(self._schema_overrides)
        if self._given_schema is not None:
            forced |= set(self._given_schema.names)
        self.schema = exact_schema(self.schema, scan, forced)
        return self._fit_encoders(sample, scan)

    def _fit_encoders(self, df: pd.DataFrame, scan: Scan | None = None) -> Transformer:
        """One encoder per column of the schema, fitted on ``df`` (with a ``scan``: its sample)."""
        rng = np.random.default_rng(self.seed)
        self._layout = None  # not fitted until every column is
        self._encoders = {}
        for spec in self.schema:
            counted = scan.columns[spec.name] if scan is not None else None
            self._encoders[spec.name] = self._fit_column(spec, df[spec.name], rng, counted)
        self._layout = _layout_for(self.schema, self._encoders)
        return self

    def _fit_schema(
        self, df: pd.DataFrame, discrete_columns: Iterable[str] | None, overrides: Mapping[str, str] | None
    ) -> None:
        validate_table(df)
        if self._schema_overrides:
            overrides = {**self._schema_overrides, **(overrides or {})}
        given = self._given_schema
        if given is None:
            self.schema = infer_schema(df, overrides=overrides, discrete_columns=discrete_columns)
        else:
            missing = [name for name in given.names if name not in df.columns]
            if missing:
                raise DataError(
                    f"The table lacks column(s) {missing} named by the schema. "
                    f"Pass a table with them, or a schema for this table's columns {list(df.columns)}."
                )
            if discrete_columns or overrides:
                kinds: dict[str, str | ColumnKind] = {spec.name: spec.kind for spec in given}
                _check_names(list(discrete_columns or []) + list(overrides or {}), given.names)
                kinds.update({name: ColumnKind.CATEGORICAL for name in discrete_columns or []})
                kinds.update(overrides or {})
                self.schema = infer_schema(df[given.names], overrides=kinds)
            else:
                self.schema = given

    def _fit_column(
        self, spec: ColumnSpec, series: pd.Series, rng: np.random.Generator, counted: ColumnCounts | None = None
    ) -> Any:
        """The fitted encoder of one column. With ``counted`` (``series`` is then a streamed table's
        sample), a number's values also hold the table's exact extremes and the values the sample
        missed, and a category's levels and frequencies are the exact counts."""
        if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME):
            values, unit, text_format = column_numbers(series, spec)
            extra = _streamed_extras(spec, counted) if counted is not None else []
            if extra:
                values = np.concatenate([values, _extra_numbers(extra, unit)])
            masses = [] if unit else spec.point_masses
            encoder = NumericEncoder(
                self.max_modes,
                self.fit_sample_size,
                datetime_unit=unit,
                datetime_format=text_format,
                method=self.continuous,
            )
            return encoder.fit(values, masses, rng)
        if spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            encoder = CategoricalEncoder(self.max_categories).fit(series)
            if counted is not None and counted.values is not None:
                encoder.keep(sorted_counts(counted.values, series), has_null=counted.nulls > 0)
            return encoder
        if spec.kind is ColumnKind.IDENTIFIER:
            return IdentifierGenerator.fit(series)
        return None  # constant: the schema's single category (or all-missing) is all we need

    # ------------------------------------------------------------------ properties
    @property
    def layout(self) -> Layout:
        """The spans of the transformed matrix, in order."""
        self._check_fitted()
        assert self._layout is not None
        return self._layout

    def encoder(self, column: str) -> Any:
        """The fitted encoder of ``column`` (NumericEncoder, CategoricalEncoder, ...; None for constants)."""
        self._check_fitted()
        return self._encoders[column]

    def _check_fitted(self) -> None:
        if self._layout is None or self.schema is None:
            raise NotFittedError("This Transformer is not fitted yet. Call fit(df) first.")

    # ------------------------------------------------------------------ forward
    def transform(self, df: pd.DataFrame, dtype: type = np.float64) -> np.ndarray:
        """Encode ``df`` as a matrix of shape ``(len(df), layout.width)``.

        float64 (the default) round-trips every number a float64 holds exactly, integers up to
        2**53 included; networks train on ``dtype=np.float32``, which keeps about 7 significant
        digits of each offset (an int64 of 8 digits would come back off by one).
        """
        matrix = np.zeros((len(df), self.layout.width), dtype=dtype)
        rows = np.arange(len(df))
        for name, scalar, choice in self._encoded(df, unseen_as_rare=False):
            spans = self.layout.spans_of(name)
            if scalar is not None:
                matrix[:, spans[0].start] = scalar
            matrix[rows, spans[-1].start + choice] = 1.0
        return matrix

    def choices(self, df: pd.DataFrame, unseen_as_rare: bool = False) -> dict[str, np.ndarray]:
        """Each learned column's one-hot slot per row (a number's component, a category's level),
        the slots :meth:`transform` sets, without building the matrix: what argan's tokens are.

        ``unseen_as_rare``: a category level not seen in fit goes to its column's rare slot instead
        of raising (a streamed fit counts at most ``MAX_COUNTED_VALUES`` levels of a column)."""
        return {name: choice for name, _, choice in self._encoded(df, unseen_as_rare)}

    def _encoded(self, df: pd.DataFrame, unseen_as_rare: bool) -> Iterator[tuple[str, np.ndarray | None, np.ndarray]]:
        """``(column, scalar or None, slot)`` of every learned column of ``df``, checked."""
        self._check_fitted()
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"Expected a pandas DataFrame, got {type(df).__name__}.")
        missing = [name for name in self.schema.names if name not in df.columns]
        if missing:
            raise DataError(
                f"The table lacks column(s) {missing} that the transformer was fitted on. "
                "Pass a table with every fitted column (extra columns are ignored)."
            )
        for spec in self.schema:
            if not self.layout.spans_of(spec.name):
                continue
            encoder = self._encoders[spec.name]
            if isinstance(encoder, NumericEncoder):
                values = _numbers(df[spec.name], spec, encoder.datetime_unit, encoder.datetime_format)
                _check_numbers(values, spec.name, allow_null=encoder.has_null)
                scalar, component = encoder.transform(values)
                yield spec.name, scalar, component
            else:
                yield spec.name, None, encoder.transform(df[spec.name], unseen_as_rare)

    # ------------------------------------------------------------------ inverse
    def inverse_transform(self, matrix: np.ndarray, rng: np.random.Generator | None = None) -> pd.DataFrame:
        """Decode generator output into a table shaped like the fitted one.

        One-hot spans may hold probabilities or logits-after-softmax; the largest entry wins.
        ``rng`` drives the few random choices (rare levels, identifier order); default seed 0.
        """
        self._check_fitted()
        matrix = np.asarray(matrix)  # no float64 copy of the whole matrix: only scalar columns are widened
        if matrix.dtype.kind not in "fiub":
            raise DataError(f"Expected a numeric matrix, got dtype {matrix.dtype}.")
        if matrix.ndim != 2 or matrix.shape[1] != self.layout.width:
            raise DataError(f"Expected a matrix of shape (rows, {self.layout.width}), got {matrix.shape}.")
        choices, scalars = {}, {}
        for spec in self.schema:
            spans = self.layout.spans_of(spec.name)
            encoder = self._encoders[spec.name]
            if isinstance(encoder, NumericEncoder):
                choices[spec.name] = matrix[:, spans[1].start : spans[1].stop].argmax(axis=1)
                scalars[spec.name] = matrix[:, spans[0].start]
            elif isinstance(encoder, CategoricalEncoder):
                choices[spec.name] = matrix[:, spans[0].start : spans[0].stop].argmax(axis=1)
        return self.decode(len(matrix), choices, scalars, rng)

    def decode(
        self,
        rows: int,
        choices: Mapping[str, np.ndarray],
        scalars: Mapping[str, np.ndarray],
        rng: np.random.Generator | None = None,
    ) -> pd.DataFrame:
        """The table of ``rows`` rows whose one-hot spans chose ``choices`` (per column, the index
        within its span: a category's slot, a number's component) and whose numbers hold ``scalars``.

        What :meth:`inverse_transform` does after reading the matrix; a model that draws indices
        (argan's tokens) calls it directly instead of building a one-hot matrix to be read back.
        """
        self._check_fitted()
        rng = rng if rng is not None else np.random.default_rng(0)
        columns = {}
        for spec in self.schema:
            encoder = self._encoders[spec.name]
            if isinstance(encoder, NumericEncoder):
                scalar = _widen(np.asarray(scalars[spec.name]), rng)
                values = encoder.inverse(scalar, np.asarray(choices[spec.name]))
                columns[spec.name] = _restore_numeric(values, spec, encoder)
            elif isinstance(encoder, CategoricalEncoder):
                numeric = np.dtype(spec.dtype).kind in "fiu" if _is_numpy_dtype(spec.dtype) else False
                slots = np.asarray(choices[spec.name])
                columns[spec.name] = _restore_discrete(encoder.inverse(slots, rng, numeric), spec, encoder)
            elif isinstance(encoder, IdentifierGenerator):
                columns[spec.name] = _cast(pd.Series(encoder.generate(rows, rng)), spec.dtype)
            else:
                value = spec.categories[0] if spec.categories else None
                columns[spec.name] = _cast(pd.Series([value] * rows, dtype=object), spec.dtype)
        return pd.DataFrame({name: columns[name].reset_index(drop=True) for name in self.schema.names})

    # ------------------------------------------------------------------ conditions
    def category_index(self, column: str, value: Any) -> tuple[int, int]:
        """``(index into layout.discrete_spans, slot within that span)`` for ``column == value``."""
        self._check_fitted()
        discrete = [span.column for span in self.layout.discrete_spans]
        if column not in discrete:
            hint = f" Conditionable columns: {discrete}." if discrete else " The table has no discrete column."
            raise ConditionError(f"Cannot condition on column {column!r}: it is not a discrete column.{hint}")
        encoder: CategoricalEncoder = self._encoders[column]
        slot = encoder.slot_of(value)
        if slot is None:
            known = [*encoder.levels, *(["<missing>"] if encoder.has_null else [])]
            shown = ", ".join(map(repr, known[:20])) + (" ..." if len(known) > 20 else "")
            raise ConditionError(f"Column {column!r} has no value {value!r}. Known values: {shown}.")
        return discrete.index(column), slot

    # ------------------------------------------------------------------ state
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-able metadata plus named arrays; :meth:`from_state` rebuilds an identical transformer."""
        self._check_fitted()
        meta: dict[str, Any] = {
            "version": STATE_VERSION,
            "params": {
                "max_modes": self.max_modes,
                "fit_sample_size": self.fit_sample_size,
                "max_categories": self.max_categories,
                "seed": self.seed,
                "continuous": self.continuous,
            },
            "schema": self.schema.to_dict(),
            "layout": self.layout.to_dict(),
            "encoders": [],
        }
        arrays: dict[str, np.ndarray] = {}
        for index, spec in enumerate(self.schema):
            encoder = self._encoders[spec.name]
            if isinstance(encoder, NumericEncoder | CategoricalEncoder):
                enc_meta, enc_arrays = encoder.to_state()
                kind = "numeric" if isinstance(encoder, NumericEncoder) else "categorical"
                arrays.update({f"col{index}.{key}": value for key, value in enc_arrays.items()})
            elif isinstance(encoder, IdentifierGenerator):
                kind, enc_meta = "identifier", encoder.to_state()
            else:
                kind, enc_meta = "constant", {}
            meta["encoders"].append({"kind": kind, **enc_meta})
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> Transformer:
        if meta.get("version") != STATE_VERSION:
            raise DataError(f"Unsupported transformer state version {meta.get('version')!r}.")
        transformer = cls(schema=Schema.from_dict(meta["schema"]), **meta["params"])
        for index, (spec, enc_meta) in enumerate(zip(transformer.schema, meta["encoders"], strict=True)):
            own = {key.split(".", 1)[1]: value for key, value in arrays.items() if key.startswith(f"col{index}.")}
            kind = enc_meta["kind"]
            fields = {key: value for key, value in enc_meta.items() if key != "kind"}
            if kind == "numeric":
                encoder = NumericEncoder.from_state(fields, own)
            elif kind == "categorical":
                encoder = CategoricalEncoder.from_state(fields, own)
            elif kind == "identifier":
                encoder = IdentifierGenerator.from_state(fields)
            else:
                encoder = None
            transformer._encoders[spec.name] = encoder
        transformer._layout = _layout_for(transformer.schema, transformer._encoders)
        if transformer._layout != Layout.from_dict(meta["layout"]):  # the encoders say what the layout is
            raise DataError("The transformer state's layout does not match its encoders (a damaged model file?).")
        return transformer

    @classmethod
    def from_encoders(cls, schema: Schema, encoders: Mapping[str, Any], continuous: str = "bins") -> Transformer:
        """A fitted transformer from encoders built elsewhere (the private data layer's noisy counts)."""
        transformer = cls(schema=schema, continuous=continuous, seed=None)
        transformer._encoders = {spec.name: encoders.get(spec.name) for spec in schema}
        transformer._layout = _layout_for(schema, transformer._encoders)
        return transformer


# ---------------------------------------------------------------------- helpers
def column_numbers(series: pd.Series, spec: ColumnSpec) -> tuple[np.ndarray, str | None, str | None]:
    """A numeric column as float64 (NaN = missing), with its datetime unit and text format (or None)."""
    unit = text_format = None
    if spec.kind is ColumnKind.DATETIME:
        text_format = text_datetime_format(series)
        unit = _datetime_unit(series, text_format)
    values = _numbers(series, spec, unit, text_format)
    _check_numbers(values, spec.name, allow_null=True)
    return values, unit, text_format


def datetime_number(stamp: pd.Timestamp, unit: str | None) -> float:
    """A timestamp as a count of ``unit`` since 1970 (UTC for timezone-aware ones)."""
    if stamp.tz is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.value / DATETIME_UNITS[unit or "ns"]


def datetime_text(value: float, unit: str | None) -> str:
    """The ISO text of a count of ``unit`` since 1970, as a schema's range holds it."""
    return pd.Timestamp(round(value) * DATETIME_UNITS[unit or "ns"], unit="ns").isoformat()


def _streamed_extras(spec: ColumnSpec, counted: ColumnCounts) -> list[Any]:
    """What a numeric column's sample lacks of the whole table: its exact ends, a null if the table
    has any, and the values of a column with few (counted) values."""
    if spec.kind not in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME):
        return []
    extra: list[Any] = [None] if counted.nulls else []
    ends = [counted.minimum, counted.maximum] if counted.minimum is not None else []
    if spec.kind is ColumnKind.DATETIME:  # text datetimes are not ordered as text: their sample ends stand
        return extra + [end for end in ends if isinstance(end, datetime)]
    extra += ends
    if counted.values is not None and len(counted.values) <= MAX_BIN_TOKENS:
        extra += list(counted.values.index)
    return extra


def _extra_numbers(extra: list[Any], unit: str | None) -> np.ndarray:
    if unit is None:
        return np.array([np.nan if value is None else float(value) for value in extra], dtype=np.float64)
    return np.array(
        [np.nan if value is None else datetime_number(pd.Timestamp(value), unit) for value in extra], dtype=np.float64
    )


def _layout_for(schema: Schema, encoders: dict[str, Any]) -> Layout:
    """The spans the fitted encoders produce, column after column: what networks' heads read."""
    spans: list[Span] = []
    for spec in schema:
        spans.extend(_spans_for(spec, encoders[spec.name], start=spans[-1].stop if spans else 0))
    return Layout(tuple(spans))


def _spans_for(spec: ColumnSpec, encoder: Any, start: int) -> list[Span]:
    if isinstance(encoder, NumericEncoder):
        return [
            Span(spec.name, "scalar", 1, start, "value"),
            Span(spec.name, "onehot", encoder.n_components, start + 1, "component"),
        ]
    if isinstance(encoder, CategoricalEncoder):
        return [Span(spec.name, "onehot", encoder.width, start, "category")]
    return []


def _check_names(names: list[str], known: list[str]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SchemaError(f"Schema names column(s) not in the table: {unknown}. Columns are: {known}.")


def _check_numbers(values: np.ndarray, name: str, allow_null: bool) -> None:
    """Reject infinities, and missing values in a column fitted without any."""
    if np.isinf(values).any():
        raise DataError(f"Column {name!r} holds infinite values. Replace them with NaN or finite numbers first.")
    if not allow_null and np.isnan(values).any():
        raise DataError(
            f"Column {name!r} has missing values, but had none when the transformer was fitted. "
            "Fill them, or fit on data that includes missing values in this column."
        )


def _datetime_unit(series: pd.Series, text_format: str | None = None) -> str:
    """The coarsest unit in which every timestamp of the column is whole."""
    nanos = _to_datetime(series, text_format).dropna().astype("int64").to_numpy()
    for unit, size in DATETIME_UNITS.items():
        if np.all(nanos % size == 0):
            return unit
    return "ns"


def _to_datetime(series: pd.Series, text_format: str | None = None) -> pd.Series:
    stamps = parse_datetimes(series, text_format)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")


def _numbers(
    series: pd.Series, spec: ColumnSpec, datetime_unit: str | None, text_format: str | None = None
) -> np.ndarray:
    """The column as float64 (NaN for missing); datetimes in units of ``datetime_unit`` since 1970."""
    if datetime_unit is not None:
        stamps = _to_datetime(series, text_format)
        nanos = stamps.astype("int64").to_numpy().astype(np.float64)
        nanos[stamps.isna().to_numpy()] = np.nan
        return nanos / DATETIME_UNITS[datetime_unit]
    try:
        return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise DataError(f"Column {spec.name!r} should be numeric ({spec.kind.value}) but holds other values.") from None


def _widen(scalar: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """float64 offsets; a float32 one stands for every value within half a float32 step of it, so
    it is drawn among them (else a column of 8-digit integers decodes onto a grid of steps of ~6)."""
    if scalar.dtype != np.float32:
        return scalar.astype(np.float64)
    step = np.spacing(np.abs(scalar)).astype(np.float64)
    return scalar.astype(np.float64) + (rng.random(len(scalar)) - 0.5) * step


def _restore_numeric(values: np.ndarray, spec: ColumnSpec, encoder: NumericEncoder) -> pd.Series:
    datetime_unit = encoder.datetime_unit
    if datetime_unit is not None:
        low, high = (pd.Timestamp(spec.minimum), pd.Timestamp(spec.maximum))
        size = DATETIME_UNITS[datetime_unit]
        low_n, high_n = low.value / size, high.value / size
        clipped = np.clip(np.round(values), low_n, high_n)
        missing = np.isnan(clipped)
        nanos = np.where(missing, 0, clipped).astype(np.int64) * size  # in int64: float64 ns lose digits
        stamps = pd.Series(pd.to_datetime(nanos, unit="ns")).where(~missing)
        return _cast_datetime(stamps, spec, encoder.datetime_format)
    if spec.minimum is not None:
        values = np.clip(values, spec.minimum, spec.maximum)
    if spec.decimals is not None:
        values = np.round(values, spec.decimals)
    return _cast(pd.Series(values), spec.dtype)


def _is_numpy_dtype(dtype: str) -> bool:
    try:
        np.dtype(dtype)
    except TypeError:
        return False
    return True


def _restore_discrete(values: np.ndarray, spec: ColumnSpec, encoder: CategoricalEncoder) -> pd.Series:
    series = pd.Series(values, dtype=values.dtype)
    if spec.dtype == "category":
        if encoder.dtype_categories is not None:
            dtype = pd.CategoricalDtype(categories=encoder.dtype_categories, ordered=encoder.ordered)
        else:
            dtype = pd.CategoricalDtype(categories=_category_order(spec))
        return series.astype(dtype)
    return _cast(series, spec.dtype)


def _category_order(spec: ColumnSpec) -> list[Any]:
    return sorted(spec.categories, key=str) if spec.categories else []


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    """Cast to the input's dtype; nullable integer and boolean dtypes keep missing values."""
    if dtype == "category":
        return series.astype("category")
    if dtype in ("object", "str", "string"):
        return series.astype(dtype)
    has_null = series.isna().any()
    if dtype.startswith(("int", "uint")) and has_null:
        return series.astype(dtype.replace("int", "Int").replace("uInt", "UInt"))
    if dtype == "bool" and has_null:
        return series.astype("boolean")
    if dtype.startswith(("int", "uint", "Int", "UInt")):
        return pd.to_numeric(series).round().astype(dtype)
    return series.astype(dtype)


def _cast_datetime(stamps: pd.Series, spec: ColumnSpec, text_format: str | None = None) -> pd.Series:
    if spec.dtype.startswith("datetime64"):
        if "," in spec.dtype:  # timezone-aware: values were stored as UTC
            return stamps.dt.tz_localize("UTC").astype(spec.dtype)
        return stamps.astype(spec.dtype)
    if text_format is not None:
        return format_datetimes(stamps, text_format).astype(spec.dtype)
    formatted = stamps.dt.strftime("%Y-%m-%d %H:%M:%S")
    if all(s.endswith(" 00:00:00") for s in formatted.dropna().head(100)):
        formatted = stamps.dt.strftime("%Y-%m-%d")
    return formatted.astype(object).where(stamps.notna(), None)
