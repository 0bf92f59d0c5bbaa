"""The tabular family: every model that learns a table, from ``gan`` to ``ctgan``.

``fit(df)`` validates the parameters, fits the reversible transformer, builds the model's networks
from the layout and trains them in the one training loop; ``sample(n, conditions=...)`` generates
rows and decodes them into a table shaped like ``df``. The shared work (validation, transformer,
seeds, conditions, devices) happens here once; models only say which networks, loss and penalties
they use.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import torch

from synthgan.data.layout import Layout
from synthgan.data.sampler import ConditionSampler
from synthgan.data.schema import Schema
from synthgan.data.source import in_memory
from synthgan.data.transformer import Transformer
from synthgan.errors import ConditionError, DataError, ParameterError
from synthgan.families.table_scoring import critic_scores
from synthgan.losses.auxiliary import TargetClassifierLoss
from synthgan.models import GANModel, get_model
from synthgan.nn import LayoutHead
from synthgan.randomness import local_torch_rng, seed_or_random
from synthgan.synthesizer import Synthesizer
from synthgan.training import train
from synthgan.training.adversarial import AdversarialPhase, TabularBatches, WeightAverage
from synthgan.training.callbacks import DivergenceGuard, FidelityCheck, History, ProgressBar, TimeBudget
from synthgan.training.monitoring import column_signals
from synthgan.training.runtime import sample_dtype, torch_threads

__all__ = ["TableSynthesizer"]

# Rows generated per forward pass when sampling.
SAMPLE_CHUNK = 10_000
# Held-out rows for the fidelity check; tables smaller than MIN_ROWS_FOR_HOLDOUT monitor on training rows.
MONITOR_ROWS = 2_000
MIN_ROWS_FOR_HOLDOUT = 2_000
# Rejection sampling gives up after generating max(MAX_REJECTION_FACTOR x n, MIN_REJECTION_ROWS) rows.
MAX_REJECTION_FACTOR = 50
MIN_REJECTION_ROWS = 200_000
# Steered generation meets further conditions by rejection within this many rounds of n rows.
MAX_STEERED_ROUNDS = 10


def check_rows(data: Any) -> None:
    """A table of one row has nothing that varies: say so, rather than "every column is constant"."""
    if isinstance(data, pd.DataFrame) and len(data) == 1:
        raise DataError("The table has 1 row: nothing varies, so there is nothing to learn. Pass at least a few rows.")


class TableSynthesizer(Synthesizer):
    """The tabular family: every model that learns a table (``gan`` ... ``ctgan``).

    ``Synthesizer("ctgan")`` returns one of these; see :class:`synthgan.Synthesizer` for the parameters.
    """

    family = "table"

    @property
    def schema(self) -> Schema:
        self._check_fitted()
        return self.transformer_.schema

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        data: pd.DataFrame,
        discrete_columns: list[str] | None = None,
        schema: Mapping[str, str] | Schema | None = None,
        target: str | None = None,
    ) -> Synthesizer:
        """Learn ``data`` (a DataFrame, or CSV / Parquet data on disk, read whole). ``data`` is not modified.

        ``discrete_columns`` and ``schema`` (a mapping of column -> kind, or a full Schema) override
        the inferred column kinds. ``target`` names the label column that ``cgan`` and ``cwgangp``
        condition on; ``ctgan`` conditions on every discrete column and ignores it.
        """
        model = self._begin_fit()
        data = in_memory(data)
        check_rows(data)
        model_class, params, seed = type(model), self.params_, self.params_["seed"]

        overrides = None if schema is None or isinstance(schema, Schema) else dict(schema)
        transformer = Transformer(schema=schema if isinstance(schema, Schema) else None, seed=seed)
        self.transformer_ = transformer.fit(data, discrete_columns=discrete_columns, overrides=overrides)
        self.target_ = self._check_target(model_class, target)
        matrix = transformer.transform(data, dtype=np.float32)

        cpu_random = torch.Generator().manual_seed(seed_or_random(seed))
        numpy_random = np.random.default_rng(seed_or_random(seed))
        train_rows, monitor_rows = _split_for_monitoring(len(matrix), numpy_random)
        self.condition_spans_ = self._condition_spans(model_class)
        sampler = ConditionSampler(matrix[train_rows], transformer.layout, self.condition_spans_)
        self.sampler_ = sampler
        data_tensor = torch.from_numpy(matrix[train_rows]).to(self.device_)
        batches = TabularBatches(
            data_tensor, params["batch_size"], sampler, model_class.conditioning == "ctgan", cpu_random
        )

        with local_torch_rng(seed, self.device_), torch_threads(params["threads"]):
            self._train(model, params, matrix, train_rows, monitor_rows, batches, cpu_random)
        return self

    def _train(self, model, params, matrix, train_rows, monitor_rows, batches, cpu_random) -> None:
        transformer = self.transformer_
        generator, critic, head = self._build(model, transformer.layout, batches.condition_width)
        average = WeightAverage(generator, params["ema_decay"]) if params["ema_decay"] > 0 else None
        sampling_generator = average.module if average else generator
        phase = AdversarialPhase(
            generator=generator,
            critic=critic,
            head=head,
            loss=model.loss(),
            penalties=model.penalties(),
            optimizers=model.optimizers(generator, critic),
            batches=batches,
            noise_dim=params["noise_dim"],
            n_critic=params["n_critic"],
            epochs=params["epochs"],
            random=cpu_random,
            average=average,
            classifier=self._target_classifier(params, transformer.layout),
        )
        self.generator_, self.head_, self.critic_ = sampling_generator, head, critic
        monitor_real = matrix[monitor_rows]
        monitor_seed = int(torch.randint(2**31 - 1, (1,), generator=cpu_random))

        def measure():
            fake = self._generate_matrix(len(monitor_real), None, torch.Generator().manual_seed(monitor_seed))
            return column_signals(monitor_real, fake, transformer.layout)

        history = History()
        advice = "Try more epochs or a lower learning rate" + (
            "." if model.conditioning == "ctgan" else ", or 'ctgan', which conditions on every discrete column."
        )
        check = FidelityCheck(
            measure, sampling_generator, params["check_every"], params["early_stopping"], params["patience"], advice
        )
        callbacks = [
            DivergenceGuard(),
            check,
            history,
            TimeBudget(params["max_minutes"]),
            ProgressBar(params["verbose"], len(train_rows)),
        ]
        generator.train()
        critic.train()
        run = train([phase], callbacks)
        sampling_generator.eval()
        self.history_ = history.records
        self.stop_reason_ = run.stop_reason or "all epochs done"
        if params["early_stopping"] and check.best_epoch:
            judged_on = "held-out" if len(train_rows) + len(monitor_rows) <= len(matrix) else "training-row"
            self.stop_reason_ += f"; kept the generator of epoch {check.best_epoch} (best {judged_on} fidelity)"

    def _target_classifier(self, params: dict[str, Any], layout: Layout) -> TargetClassifierLoss | None:
        """CTAB-GAN's classifier loss on the target: with target_weight > 0, or None and a discrete target."""
        weight, target = params["target_weight"], self.target_
        discrete = target in self.transformer_.schema.discrete_columns
        if target is None or weight == 0 or (weight is None and not discrete):
            return None
        if not discrete:
            raise ParameterError(
                f"target={target!r} is not a discrete column, so target_weight has nothing to classify. "
                f"Declare it with discrete_columns=[{target!r}], or set target_weight=0."
            )
        return TargetClassifierLoss(layout, target, 1.0 if weight is None else weight).to(self.device_)

    def _check_target(self, model_class: type[GANModel], target: str | None) -> str | None:
        discrete = self.transformer_.schema.discrete_columns
        if model_class.conditioning != "label":
            return target
        if target is None:
            raise ParameterError(
                f"Model {model_class.name!r} conditions on a label column: pass target=<column> "
                f"(one of {discrete}), or use 'ctgan', which conditions on every discrete column."
            )
        if target not in discrete:
            raise ParameterError(
                f"target={target!r} is not a discrete column of the table. Discrete columns: {discrete}. "
                f"Declare it with discrete_columns=[{target!r}] if it holds class codes."
            )
        return target

    def _condition_spans(self, model_class: type[GANModel]):
        layout = self.transformer_.layout
        if model_class.conditioning == "ctgan":
            return layout.discrete_spans
        if model_class.conditioning == "label":
            return tuple(span for span in layout.discrete_spans if span.column == self.target_)
        return ()

    def _build(self, model: GANModel, layout: Layout, condition_width: int):
        noise_dim = self.params_["noise_dim"]
        generator = model.build_generator(noise_dim + condition_width, layout.width).to(self.device_)
        critic = model.build_critic(layout.width + condition_width).to(self.device_)
        head = LayoutHead(layout).to(self.device_)
        return generator, critic, head

    # ------------------------------------------------------------------ sample
    def sample(self, n: int, conditions: Mapping[str, Any] | None = None, seed: int | None = None) -> pd.DataFrame:
        """Generate ``n`` rows shaped like the training table.

        ``conditions`` (``{"income": ">50K"}``) fixes discrete columns: conditional models use the
        learned condition and always return exactly ``n`` matching rows; other models use bounded
        rejection sampling and raise ConditionError if the condition is out of their reach.
        ``argan`` also takes a list of values, a ``(low, high)`` range of a numeric column or None
        (null). ``seed`` defaults to the fit seed, so the same call gives the same rows; the rows
        are those :meth:`sample_chunks` streams, so a file written in chunks holds the same rows.
        """
        return super().sample(n, conditions=conditions, seed=seed)

    def _check_sample(self, items: pd.DataFrame) -> None:
        declared = [spec.name for spec in self.transformer_.schema]
        if list(items.columns) != declared:
            raise ValueError(f"it generates columns {list(items.columns)[:10]} but declares {declared[:10]}")
        null = [spec.name for spec in self.transformer_.schema if not spec.null_share and items[spec.name].isna().any()]
        if null:
            raise ValueError(f"it generates nulls in {null[:5]}, which it declares never null")

    def _cells_per_item(self) -> int:
        return self.transformer_.layout.width + len(self.transformer_.schema)

    def _sample_block(self, n: int, conditions: Mapping[str, Any] | None, seed: int, start: int) -> pd.DataFrame:
        random = torch.Generator().manual_seed(seed)
        numpy_random = np.random.default_rng(seed)
        wanted = self._resolve_conditions(conditions or {})
        with torch_threads(self.params_["sample_threads"]):
            if not wanted:
                matrix = self._generate_matrix(n, None, random)
            else:
                matrix = self._generate_conditioned(n, wanted, random, conditions)
        return self.transformer_.inverse_transform(matrix, rng=numpy_random)

    def _resolve_conditions(self, conditions: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
        """Column -> (index into layout.discrete_spans, level) for each condition."""
        if not isinstance(conditions, Mapping):
            raise ConditionError(f"conditions must be a mapping of column -> value, got {type(conditions).__name__}.")
        return {column: self.transformer_.category_index(column, value) for column, value in conditions.items()}

    def _generate_conditioned(
        self, n: int, wanted: dict[str, tuple[int, int]], random: torch.Generator, requested: Mapping | None = None
    ) -> np.ndarray:
        """``n`` generated rows that match every condition in ``wanted``, or a ConditionError.

        A conditional model steers its generator with one learned condition: of the conditioned
        columns it learned, the one whose requested level is rarest in the training data (where
        rejection would waste the most rows). Further conditions are met by rejection among steered
        rows, within MAX_STEERED_ROUNDS x n rows; rows still missing after that are steered rows
        whose other conditioned columns are set to the requested level, and a warning says how many.
        The steered column itself is exact by construction, so this never fails.

        Unconditional models (or conditions only on columns the model did not learn) use rejection
        sampling with a bounded budget and raise ConditionError when the condition is out of reach.
        """
        layout = self.transformer_.layout
        learned = [span.column for span in self.condition_spans_]
        steerable = [column for column in wanted if column in learned]
        if not steerable:
            return self._reject(n, wanted, random, requested)
        frequency = self.sampler_.frequency
        column = min(steerable, key=lambda c: float(frequency[learned.index(c), wanted[c][1]]))
        steer = (column, wanted[column][1])
        others = {c: target for c, target in wanted.items() if c != column}
        matrix = self._generate_matrix(n, steer, random)
        if others:
            kept = [matrix[_matches(matrix, layout, others)]]
            for _ in range(MAX_STEERED_ROUNDS):
                if sum(len(block) for block in kept) >= n:
                    break
                block = self._generate_matrix(n, steer, random)
                kept.append(block[_matches(block, layout, others)])
            matched = np.concatenate(kept)[:n]
            if len(matched) < n:
                warnings.warn(
                    f"{n - len(matched)} of {n} rows met {sorted(others)} only by setting those columns: the "
                    f"model, steered by {column!r}, rarely generates that combination.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            matrix = np.concatenate([matched, matrix[: n - len(matched)]])
        return _force(matrix, layout, wanted)

    def _reject(
        self, n: int, wanted: dict[str, tuple[int, int]], random: torch.Generator, requested: Mapping | None = None
    ) -> np.ndarray:
        layout = self.transformer_.layout
        budget = max(MAX_REJECTION_FACTOR * n, MIN_REJECTION_ROWS)
        kept: list[np.ndarray] = []
        found = produced = 0
        while found < n and produced < budget:
            block = self._generate_matrix(min(max(n, 10_000), budget - produced), None, random)
            produced += len(block)
            kept.append(block[_matches(block, layout, wanted)])
            found += len(kept[-1])
        if found < n:
            asked = ", ".join(f"{column}={value!r}" for column, value in (requested or wanted).items())
            raise ConditionError(
                f"Could not reach the condition {asked} with model {self.model!r}: {found} of {n} "
                f"rows matched in {produced:,} generated rows. Use a conditional model ('ctgan' conditions on "
                "any discrete column; 'cgan'/'cwgangp' on the target column)."
            )
        return np.concatenate(kept)[:n]

    @torch.no_grad()
    def _generate_matrix(self, n: int, condition: tuple[str, int] | None, random: torch.Generator) -> np.ndarray:
        """Generator output ready for decoding, ``n`` rows; ``condition`` = (column, level) of a learned condition.

        Scalars are activated; one-hot spans hold Gumbel-perturbed logits, whose argmax (all that
        decoding and monitoring take) is a draw from the generator's distribution over the span.
        """
        layout_width = self.transformer_.layout.width
        out = np.empty((n, layout_width), dtype=np.float32)
        spans = self.condition_spans_
        width = sum(span.width for span in spans)
        generator = self.generator_
        dtype = sample_dtype(self.params_["sample_precision"], self.device_)
        was_training = generator.training
        generator.eval()
        for start in range(0, n, SAMPLE_CHUNK):
            size = min(SAMPLE_CHUNK, n - start)
            noise = torch.randn(size, self.params_["noise_dim"], generator=random)
            index = None
            if spans:
                if condition is None:
                    span, level = self.sampler_.sample_levels(size, random, log_frequency=False)
                else:
                    span = torch.full((size,), [s.column for s in spans].index(condition[0]))
                    level = torch.full((size,), condition[1])
                index = (self.sampler_.offsets[span] + level).to(self.device_)
            noise = noise.to(self.device_)
            if hasattr(generator, "infer"):
                raw = generator.infer(noise, index, width, dtype, self.head_.scalar_columns)
            else:
                conditions = torch.zeros(size, width, device=self.device_)
                if index is not None:
                    conditions[torch.arange(size), index] = 1.0
                raw = generator(torch.cat([noise, conditions], dim=1))
            out[start : start + size] = self.head_.sample(raw, random).cpu().numpy()
        generator.train(was_training)
        return out

    # ------------------------------------------------------------------ anomaly scores
    def anomaly_scores(
        self, data: pd.DataFrame, per_column: bool = False, seed: int | None = None
    ) -> pd.Series | pd.DataFrame:
        """How unreal the critic finds each row of ``data`` (higher = more anomalous), indexed like
        ``data``. Cells the model never saw (new categories, numbers out of range) add their
        surprise; ``per_column=True`` gives that surprise per column plus a ``critic`` column (the
        critic judges whole rows, so it has no per-column share). See :mod:`synthgan.families.table_scoring`.
        """
        self._check_fitted()
        seed = self.params_["seed"] if seed is None else seed
        critic, surprise = critic_scores(self, data, seed)
        if per_column:
            return surprise.assign(critic=critic)
        return pd.Series(critic + surprise.to_numpy().sum(axis=1), index=data.index, name="anomaly_score")

    # ------------------------------------------------------------------ files
    def _file_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        transformer_meta, transformer_arrays = self.transformer_.to_state()
        tensors = {f"generator.{name}": value for name, value in self.generator_.state_dict().items()}
        if self.critic_ is not None:  # a model loaded from a file older than saved critics has none
            tensors.update({f"critic.{name}": value for name, value in self.critic_.state_dict().items()})
        tensors.update({f"transformer.{name}": value for name, value in transformer_arrays.items()})
        tensors["sampler.frequency"] = self.sampler_.frequency
        meta = {
            "target": self.target_,
            "condition_columns": [span.column for span in self.condition_spans_],
            "transformer": transformer_meta,
        }
        return meta, tensors

    def _restore(self, meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        def group(prefix: str) -> dict[str, torch.Tensor]:
            return {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}

        arrays = {name: value.numpy() for name, value in group("transformer.").items()}
        transformer = self.transformer_ = Transformer.from_state(meta["transformer"], arrays)
        self.target_ = meta["target"]
        columns = meta["condition_columns"]
        self.condition_spans_ = tuple(span for span in transformer.layout.discrete_spans if span.column in columns)
        self.sampler_ = ConditionSampler.from_frequency(self.condition_spans_, group("sampler.")["frequency"])
        model = get_model(self.model)(self.params_)
        generator, critic, head = self._build(model, transformer.layout, self.sampler_.width)
        generator.load_state_dict(group("generator."), strict=True)
        generator.eval()
        critic_weights = group("critic.")  # files saved before synthgan kept the critic have none
        if critic_weights:
            critic.load_state_dict(critic_weights, strict=True)
        self.generator_, self.head_, self.critic_ = generator, head, critic.eval() if critic_weights else None


def _force(matrix: np.ndarray, layout: Layout, wanted: dict[str, tuple[int, int]]) -> np.ndarray:
    """Set the one-hot span of each conditioned column to the requested level."""
    spans = layout.discrete_spans
    for span_index, level in wanted.values():
        span = spans[span_index]
        matrix[:, span.start : span.stop] = 0.0
        matrix[:, span.start + level] = 1.0
    return matrix


def _matches(matrix: np.ndarray, layout: Layout, wanted: dict[str, tuple[int, int]]) -> np.ndarray:
    spans = layout.discrete_spans
    mask = np.ones(len(matrix), dtype=bool)
    for span_index, level in wanted.values():
        span = spans[span_index]
        mask &= matrix[:, span.start : span.stop].argmax(axis=1) == level
    return mask


def _split_for_monitoring(n: int, random: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training rows and the rows the fidelity check compares against (held out when the table is large)."""
    order = random.permutation(n)
    if n < MIN_ROWS_FOR_HOLDOUT:
        return np.sort(order), np.sort(order[:MONITOR_ROWS])
    held = min(MONITOR_ROWS, n // 10)
    return np.sort(order[held:]), np.sort(order[:held])
