"""The sequence family: models that learn multivariate time series (``timegan``).

``fit(df, time_column=..., entity_column=..., static_columns=...)`` checks the long table and cuts
every series into windows (``synthgan/data/sequence.py``), encodes the temporal features with the
reversible transformer (and the static columns, plus each window's start time, with a second one),
and trains the model's phases in the one training loop. ``sample(n)`` generates ``n`` sequences and
decodes them into a long table shaped like the input: the same columns and dtypes, values in the
real ranges, a sequence id column (the entity column when there is one) and, with a time column,
timestamps that follow the real cadence from a learned start.

Static values (and the start) are learned as features repeated at every step of a window; a
synthetic sequence takes their average over its steps, so each sequence has one value of each.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from synthgan.data.layout import Layout, Span
from synthgan.data.schema import ColumnKind
from synthgan.data.sequence import TimeAxis, Windows, cut_windows, sequence_ids
from synthgan.data.transformer import Transformer
from synthgan.errors import ConditionError, ParameterError
from synthgan.models import get_model
from synthgan.models.timegan import PHASE_SHARES
from synthgan.randomness import local_torch_rng, seed_or_random
from synthgan.synthesizer import Synthesizer
from synthgan.training import train
from synthgan.training.callbacks import DivergenceGuard, History, ProgressBar, TimeBudget
from synthgan.training.runtime import torch_threads
from synthgan.training.timegan import WindowBatches

__all__ = ["SequenceSynthesizer"]

# Sequences generated per forward pass when sampling.
SAMPLE_CHUNK = 4_096
DIVERGENCE_ADVICE = "Lower learning_rate, or check the data for extreme values."


class SequenceSynthesizer(Synthesizer):
    """The sequence family (``timegan``): learns a long table of time series, samples whole sequences.

    ``Synthesizer("timegan", sequence_length=24)`` returns one of these; see
    ``Synthesizer.parameters("timegan")`` for every parameter.
    """

    family = "sequence"

    @property
    def sequence_column(self) -> str:
        """The output column numbering synthetic sequences (the entity column when there is one)."""
        self._check_fitted()
        return self.id_column_

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        data: pd.DataFrame,
        time_column: str | None = None,
        entity_column: str | None = None,
        static_columns: Sequence[str] = (),
        discrete_columns: list[str] | None = None,
        schema: Mapping[str, str] | None = None,
    ) -> SequenceSynthesizer:
        """Learn the time series of ``data``, a long table (one row per step). ``data`` is not modified.

        ``time_column`` orders each series and sets the cadence of synthetic timestamps; without it
        the row order is the time order. ``entity_column`` splits the table into one series per
        entity; ``static_columns`` hold one value per entity. ``discrete_columns`` and ``schema``
        (column -> kind) override the inferred kinds of feature and static columns.
        """
        model = self._begin_fit()
        params, seed = self.params_, self.params_["seed"]
        if schema is not None and not isinstance(schema, Mapping):
            raise ParameterError(f"schema must be a mapping of column -> kind, got {type(schema).__name__}.")

        windows = cut_windows(
            data,
            params["sequence_length"],
            time_column=time_column,
            entity_column=entity_column,
            static_columns=static_columns,
            stride=params["stride"],
            gaps=params["gaps"],
        )
        self._remember(windows)
        self.notes_ = list(windows.notes)
        cpu_random = torch.Generator().manual_seed(seed_or_random(seed))
        batches = self._encode(data, windows, discrete_columns, schema, cpu_random)
        if time_column is None:
            self._suggest_time_column()
        # The paper's noise has one feature per data feature.
        noise_dim = params["noise_dim"] or len(windows.feature_columns) + len(self._learned_statics())
        with local_torch_rng(seed, self.device_), torch_threads(params["threads"]):
            nets = model.build_networks(self._layout(), noise_dim).to(self.device_)
            self._train(nets, model.phases(nets, batches, cpu_random))
        self.windows_ = len(windows)
        return self

    def _encode(self, data, windows: Windows, discrete_columns, schema, random) -> WindowBatches:
        """Fit the transformers (temporal features; learned statics) and batch the encoded windows."""
        temporal = data[windows.feature_columns]
        self.transformer_ = self._transformer(temporal, discrete_columns, schema)
        statics = windows.statics
        # Statics with one value in every window are kept aside, not learned.
        self.constants_ = {
            name: _constant(statics[name]) for name in statics.columns if statics[name].nunique(dropna=False) <= 1
        }
        learned = self._learned_statics(statics.columns)
        self.static_transformer_ = self._transformer(statics[learned], discrete_columns, schema) if learned else None
        static_matrix = (
            self.static_transformer_.transform(statics[learned], dtype=np.float32)
            if self.static_transformer_
            else np.zeros((len(windows), 0), np.float32)
        )
        return WindowBatches(
            torch.from_numpy(self.transformer_.transform(temporal, dtype=np.float32)).to(self.device_),
            torch.from_numpy(windows.rows).to(self.device_),
            torch.from_numpy(static_matrix).to(self.device_),
            self.params_["batch_size"],
            random,
        )

    def _learned_statics(self, columns=None) -> list[str]:
        if columns is None:
            return list(self.static_transformer_.schema.names) if self.static_transformer_ else []
        return [name for name in columns if name not in self.constants_]

    def _train(self, nets, phases) -> None:
        params = self.params_
        history = History()
        budget = TimeBudget(params["max_minutes"], PHASE_SHARES)
        windows_per_epoch = lambda phase: phase.steps_per_epoch * params["batch_size"]  # noqa: E731
        callbacks = [
            DivergenceGuard(DIVERGENCE_ADVICE),
            history,
            budget,
            ProgressBar(params["verbose"], windows_per_epoch, "windows"),
        ]
        nets.train()
        run = train(phases, callbacks)
        nets.eval()
        self.networks_, self.generator_ = nets, nets.generator
        self.history_ = history.records
        self.stop_reason_ = run.stop_reason or "all iterations done"
        if budget.cut and not run.stop:
            self.stop_reason_ = f"time budget cut phases short: {', '.join(budget.cut)}; the last one ran to the end"

    def _transformer(self, table: pd.DataFrame, discrete_columns, schema) -> Transformer:
        own = set(table.columns)
        discrete = [name for name in discrete_columns or [] if name in own] or None
        overrides = {name: kind for name, kind in (schema or {}).items() if name in own} or None
        unknown = [name for name in [*(discrete_columns or []), *(schema or {})] if name not in self.columns_]
        if unknown:
            raise ParameterError(f"Column(s) {unknown} named in discrete_columns / schema are not in the table.")
        transformer = Transformer(seed=self.params_["seed"], continuous=self.params_["continuous"])
        return transformer.fit(table, discrete_columns=discrete, overrides=overrides)

    def _suggest_time_column(self) -> None:
        dates = [spec.name for spec in self.transformer_.schema if spec.kind is ColumnKind.DATETIME]
        if dates:
            self.notes_.append(
                f"Column {dates[0]!r} holds dates and is learned as a feature; pass time_column={dates[0]!r} to "
                "order the series by it and give synthetic sequences timestamps on its cadence."
            )
            warnings.warn(self.notes_[-1], UserWarning, stacklevel=3)

    def _remember(self, windows: Windows) -> None:
        """What sampling needs to know about the input's shape (also what a model file keeps)."""
        self.columns_ = windows.columns
        self.feature_columns_ = windows.feature_columns
        self.static_columns_ = windows.static_columns
        self.time_column_ = windows.time_column
        self.entity_column_ = windows.entity_column
        self.entity_dtype_ = windows.entity_dtype
        self.id_column_ = windows.id_column
        self.axis_: TimeAxis | None = windows.axis
        self.sequence_length_ = windows.sequence_length

    def _layout(self) -> Layout:
        """The temporal layout, then the static one shifted after it: what every step of a window holds."""
        spans = list(self.transformer_.layout)
        if self.static_transformer_ is not None:
            shift = self.transformer_.layout.width
            spans += [
                Span(span.column, span.kind, span.width, span.start + shift, span.role)
                for span in self.static_transformer_.layout
            ]
        return Layout(tuple(spans))

    # ------------------------------------------------------------------ sample
    def sample(
        self, n: int, seed: int | None = None, first_id: int = 0, conditions: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        """Generate ``n`` sequences of ``sequence_length`` steps as one long table (``n * length`` rows).

        Rows are grouped by sequence, in time order. The sequence id column (the entity column, or
        ``sequence_id``) numbers the sequences from ``first_id``, so that tables sampled in several
        calls can be stacked. ``seed`` defaults to the fit seed, so the same call gives the same rows.
        """
        self._check_fitted()
        self._check_count(first_id, "sequences", 0, name="first_id")
        self._check_count(n, self.noun, self._cells_per_item())
        return self._join(list(self._chunks(n, None, conditions, seed, {"first_id": first_id})))

    noun = "sequences"

    @property
    def block_size(self) -> int:  # sequences of about 100,000 rows in all
        return max(1, 100_000 // self.sequence_length_)

    def sample_chunks(self, n, chunk_size=None, conditions=None, seed=None, first_id: int = 0):
        """Yield the sequences of ``sample(n, seed, first_id)`` in chunks of ``chunk_size`` sequences
        (default: one block), as tables of ``chunk_size * sequence_length`` rows."""
        self._check_count(first_id, "sequences", 0, name="first_id")
        return self._chunks(n, chunk_size, conditions, seed, {"first_id": first_id})

    def _check_sample(self, items: pd.DataFrame) -> None:
        if list(items.columns) != list(self.columns_):
            raise ValueError(f"it generates columns {list(items.columns)[:10]} but declares {list(self.columns_)[:10]}")
        if len(items) % self.sequence_length_:
            raise ValueError(f"it generates {len(items)} rows, not whole sequences of {self.sequence_length_} steps")

    def _cells_per_item(self) -> int:
        return self.sequence_length_ * len(self.transformer_.schema)

    def _sample_block(
        self, n: int, conditions: Mapping[str, Any] | None, seed: int, start: int, first_id: int = 0
    ) -> pd.DataFrame:
        if conditions:
            raise ConditionError(f"{self.model!r} samples whole sequences and takes no conditions; drop conditions=.")
        random = torch.Generator().manual_seed(seed)
        numpy_random = np.random.default_rng(seed)
        length, nets = self.sequence_length_, self.networks_
        with torch_threads(self.params_["threads"]):
            chunks = []
            for first in range(0, n, SAMPLE_CHUNK):
                size = min(SAMPLE_CHUNK, n - first)
                noise = torch.rand((size, length, nets.noise_dim), generator=random).to(self.device_)
                chunks.append(nets.generate(noise).cpu().numpy())
        sequences = np.concatenate(chunks) if chunks else np.zeros((0, length, nets.width), np.float32)
        return self._decode(sequences, numpy_random, first_id + start)

    def _cut(self, items: pd.DataFrame, start: int, stop: int) -> pd.DataFrame:
        return items.iloc[start * self.sequence_length_ : stop * self.sequence_length_]

    def _length(self, items: pd.DataFrame) -> int:
        return len(items) // self.sequence_length_

    def _decode(self, sequences: np.ndarray, rng: np.random.Generator, first_id: int) -> pd.DataFrame:
        n, length, _ = sequences.shape
        width = self.transformer_.layout.width
        columns = {}
        temporal = self.transformer_.inverse_transform(sequences[:, :, :width].reshape(n * length, width), rng)
        for name in temporal.columns:
            columns[name] = temporal[name]
        statics = pd.DataFrame(index=range(n))
        if self.static_transformer_ is not None:
            statics = self.static_transformer_.inverse_transform(sequences[:, :, width:].mean(axis=1), rng)
        for name, (value, dtype) in self.constants_.items():
            statics[name] = pd.Series([value] * n, dtype=object).astype(dtype)
        repeat = np.repeat(np.arange(n), length)
        for name in self.static_columns_:
            columns[name] = statics[name].iloc[repeat].reset_index(drop=True)
        columns[self.id_column_] = sequence_ids(first_id, n, self.entity_dtype_).iloc[repeat].reset_index(drop=True)
        if self.axis_ is not None:
            axis = self.axis_
            start = np.clip(
                np.round(statics[Windows.START].to_numpy(dtype=np.float64)), axis.first_step, axis.last_step
            )
            steps = (start[:, None] + np.arange(length)[None, :]).ravel()
            columns[self.time_column_] = axis.times(steps)
        order = [name for name in self.columns_ if name in columns]
        if self.id_column_ not in self.columns_:
            order.insert(0, self.id_column_)
        return pd.DataFrame({name: columns[name] for name in order})

    # ------------------------------------------------------------------ files
    def _file_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        meta_t, arrays_t = self.transformer_.to_state()
        tensors = {f"networks.{name}": value for name, value in self.networks_.state_dict().items()}
        tensors.update({f"transformer.{name}": value for name, value in arrays_t.items()})
        static_meta = None
        if self.static_transformer_ is not None:
            static_meta, arrays_s = self.static_transformer_.to_state()
            tensors.update({f"static_transformer.{name}": value for name, value in arrays_s.items()})
        meta = {
            "sequence": {
                "columns": self.columns_,
                "feature_columns": self.feature_columns_,
                "static_columns": self.static_columns_,
                "time_column": self.time_column_,
                "entity_column": self.entity_column_,
                "entity_dtype": self.entity_dtype_,
                "id_column": self.id_column_,
                "axis": self.axis_.to_state() if self.axis_ else None,
                "sequence_length": self.sequence_length_,
                "constants": {name: list(pair) for name, pair in self.constants_.items()},
                "noise_dim": self.networks_.noise_dim,
                "windows": self.windows_,
                "notes": self.notes_,
            },
            "transformer": meta_t,
            "static_transformer": static_meta,
        }
        return meta, tensors

    def _restore(self, meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        def group(prefix: str) -> dict[str, Any]:
            return {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}

        info = meta["sequence"]
        self.columns_ = list(info["columns"])
        self.feature_columns_ = list(info["feature_columns"])
        self.static_columns_ = list(info["static_columns"])
        self.time_column_, self.entity_column_ = info["time_column"], info["entity_column"]
        self.entity_dtype_, self.id_column_ = info["entity_dtype"], info["id_column"]
        self.axis_ = TimeAxis.from_state(info["axis"]) if info["axis"] else None
        self.sequence_length_ = int(info["sequence_length"])
        if self.sequence_length_ != self.params_["sequence_length"]:
            raise ValueError(
                f"sequence_length {self.sequence_length_} differs from the parameter's "
                f"{self.params_['sequence_length']}"
            )
        self.constants_ = {name: tuple(pair) for name, pair in info["constants"].items()}
        self.windows_, self.notes_ = info["windows"], list(info["notes"])
        arrays = {name: value.numpy() for name, value in group("transformer.").items()}
        self.transformer_ = Transformer.from_state(meta["transformer"], arrays)
        self.static_transformer_ = None
        if meta["static_transformer"] is not None:
            arrays = {name: value.numpy() for name, value in group("static_transformer.").items()}
            self.static_transformer_ = Transformer.from_state(meta["static_transformer"], arrays)
        model = get_model(self.model)(self.params_)
        nets = model.build_networks(self._layout(), int(info["noise_dim"])).to(self.device_)
        nets.load_state_dict({k: v.to(self.device_) for k, v in group("networks.").items()}, strict=True)
        nets.eval()
        self.networks_, self.generator_ = nets, nets.generator


def _constant(series: pd.Series) -> tuple[Any, str]:
    """A column with one value in every window, kept as (value, dtype) instead of being learned."""
    value = series.iloc[0]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = str(value)
    if isinstance(value, float) and np.isnan(value):
        value = None
    return value, str(series.dtype)
