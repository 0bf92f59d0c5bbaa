"""The table family's autoregressive member: ``argan`` fits, samples, conditions and imputes here.

``fit`` encodes the table as tokens (``continuous="bins"``), finds the exact rules between columns,
and trains the column heads by likelihood in the one training loop, keeping the weights of the best
held-out likelihood. ``sample`` draws column by column; a condition on any column (a level, a list
of levels, a number, a ``(low, high)`` range or ``None`` for null) is drawn first from the model's
own distribution restricted to what is asked, and every later column is drawn given it, so the
rows follow the real conditional distribution. ``impute`` does the same for the missing cells of
real rows, given the cells that are there.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import torch

from synthgan.data.numeric import NumericEncoder
from synthgan.data.rules import Rule, TokenCounts, find_rules
from synthgan.data.scan import scan
from synthgan.data.schema import Schema
from synthgan.data.source import in_memory, open_source
from synthgan.data.token_table import TokenTable, encode_tokens, split_rows
from synthgan.data.tokens import TokenLayout, token_intervals
from synthgan.data.transformer import Transformer
from synthgan.errors import ConditionError, DataError, ParameterError
from synthgan.families.argan_private import fit_private
from synthgan.families.argan_scoring import row_surprise
from synthgan.families.table import TableSynthesizer, check_rows
from synthgan.models import get_model
from synthgan.models.argan import ARGAN
from synthgan.nn.autoregressive import ColumnHeads
from synthgan.progress import rows_progress
from synthgan.randomness import local_torch_rng, seed_or_random
from synthgan.training import train
from synthgan.training.callbacks import (
    DivergenceGuard,
    History,
    ProgressBar,
    ReduceLearningRate,
    TimeBudget,
    ValidationCheck,
)
from synthgan.training.distributed import AgreeOnStop, AverageLogs, Shard, process_group
from synthgan.training.likelihood import LikelihoodPhase, draw_known, row_nll
from synthgan.training.refinement import RefinementPhase
from synthgan.training.runtime import sample_dtype, torch_threads

__all__ = ["ARGANSynthesizer"]

SAMPLE_CHUNK = 8_192
VALIDATION_REPEATS = 4  # each held-out row scored under this many random orders, drawn once
MAX_VALIDATION_ROWS = 100_000  # held-out rows the likelihood check scores (a large table holds out more)
SCAN_SAMPLE_ROWS = 200_000  # rows of a streamed table its schema and number bins are fitted on


@dataclass
class _Condition:
    """What a condition allows in one token column: tokens, their log-weights and a value range."""

    allowed: torch.Tensor  # bool (vocabulary,)
    log_weight: torch.Tensor  # float (vocabulary,): log of the share of each bin inside the range
    low: float | None = None
    high: float | None = None


class ARGANSynthesizer(TableSynthesizer):
    """``Synthesizer("argan")``: see :mod:`synthgan.models.argan` and :class:`synthgan.Synthesizer`."""

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        data: pd.DataFrame | str | Path | pads.Dataset,
        discrete_columns: list[str] | None = None,
        schema: Mapping[str, str] | Schema | None = None,
        target: str | None = None,
    ) -> ARGANSynthesizer:
        """Learn ``data`` (not modified). ``discrete_columns`` / ``schema`` override inferred kinds;
        ``target`` is accepted for symmetry with the zoo (argan learns every column jointly).

        ``data`` is a DataFrame, or a table on disk that may be larger than memory: a Parquet file,
        a folder or glob of Parquet files, a ``pyarrow.dataset.Dataset``, or a CSV file. Those are
        read in record batches (see docs/scale.md): nothing holds the whole table in RAM.
        """
        model: ARGAN = self._begin_fit()
        check_rows(data)
        params = self.params_
        overrides = None if schema is None or isinstance(schema, Schema) else dict(schema)
        self.privacy_ = None
        given_schema = schema if isinstance(schema, Schema) else None
        with process_group(self.device_) as shard:
            if params["dp_epsilon"] is None:
                self._fit_tokens(model, data, discrete_columns, given_schema, overrides, target, shard)
            elif shard.world > 1:
                raise ParameterError(
                    "A differentially private fit runs in one process (its accountant counts one sampler); "
                    "drop --processes / torchrun, or dp_epsilon."
                )
            else:
                frame = in_memory(data)
                fit_private(self, model, frame, discrete_columns, given_schema, overrides)
                self.training_rows_ = len(frame)
        return self

    def _fit_tokens(
        self,
        model: ARGAN,
        data: Any,
        discrete_columns: list[str] | None,
        schema: Schema | None,
        overrides: dict[str, str] | None,
        target: str | None,
        shard: Shard,
    ) -> None:
        """Encode the table as tokens, find its rules, build the network and train it.

        ``data`` is a DataFrame, or a table on disk (:func:`~synthgan.data.source.open_source`) that is
        read in record batches: one pass to fit the transformer, one to write the tokens to a
        memory-mapped file that training reads batches from.
        """
        params, seed = self.params_, self.params_["seed"]
        self.target_ = target
        with tempfile.TemporaryDirectory(prefix="synthgan-tokens-") as folder:
            table = self._tokens(data, discrete_columns, schema, overrides, folder, shard.lead)
            started = time.perf_counter()
            train_counts, held_counts = table.counts()
            self.rules_ = find_rules(train_counts + held_counts, self.tokens_.vocabularies) if params["rules"] else []
            self.data_seconds_["counts"] = time.perf_counter() - started
            cpu_random = torch.Generator().manual_seed(seed_or_random(seed))
            threads = params["threads"] and max(1, params["threads"] // shard.local_world)  # processes share cores
            with local_torch_rng(seed, self.device_), torch_threads(threads):
                network = model.build_network(self.tokens_.vocabularies, table.training_rows).to(self.device_)
                network.start_from_frequencies(_frequencies(train_counts))
                self.generator_ = network
                training, held_out = torch.from_numpy(table.train), torch.from_numpy(table.held)
                self._train(model, training, held_out, train_counts, cpu_random, shard)
        network.eval()

    def _tokens(
        self,
        data: Any,
        discrete_columns: list[str] | None,
        schema: Schema | None,
        overrides: dict[str, str] | None,
        folder: str,
        lead: bool,
    ) -> TokenTable:
        """Fit the transformer and encode every row as tokens, held-out rows last.

        A table on disk takes two passes: one to fit the transformer on a sample and exact counts,
        one to write the tokens to a memory-mapped file in ``folder``, each with a progress bar of
        rows on the ``lead`` process. ``data_seconds_`` times them.
        """
        seed, verbose = self.params_["seed"], self.params_["verbose"] if lead else False
        transformer = Transformer(schema=schema, seed=seed, continuous="bins")
        source, started = open_source(data), time.perf_counter()
        if source is None:
            transformer.fit(data, discrete_columns=discrete_columns, overrides=overrides)
            rows = len(data)
        else:
            with rows_progress(verbose, "reading the table", source.count_rows()) as advance:
                summary = scan(source, SCAN_SAMPLE_ROWS, seed_or_random(seed), advance)
            transformer.fit_scan(summary, discrete_columns=discrete_columns, overrides=overrides)
            rows = summary.rows
        self.transformer_, self.tokens_, self.training_rows_ = transformer, TokenLayout(transformer.layout), rows
        if not len(self.tokens_):
            raise DataError("The table has no column to learn (only identifiers or constants).")
        self._check_network_fits()
        fitted = time.perf_counter()
        split = split_rows(rows, self.params_["validation_share"], np.random.default_rng(seed_or_random(seed)))
        if source is None:
            table = encode_tokens([data], transformer, self.tokens_, split)
        else:
            with rows_progress(verbose, "writing tokens", rows) as advance:
                table = encode_tokens(source.frames(), transformer, self.tokens_, split, folder, advance)
        self.data_seconds_ = {"transformer": fitted - started, "tokens": time.perf_counter() - fitted}
        return table

    def _check_network_fits(self) -> None:
        """A ParameterError now, not an allocation failure minutes later, when the network would not fit.

        Training holds each weight four times (the weight, its gradient and Adam's two moments).
        """
        from synthgan.synthesizer import _memory_bytes

        vocabularies, params = self.tokens_.vocabularies, self.params_
        weights = ColumnHeads.weight_count(vocabularies, params["embedding_dim"], params["hidden"])
        needed, available = weights * 4 * 4, _memory_bytes() // 2
        if needed > available:
            columns = len(vocabularies)
            raise ParameterError(
                f"argan's network for {columns:,} columns would hold {weights / 1e9:,.1f} billion weights "
                f"(about {needed / 2**30:,.0f} GiB to train; half of this machine's memory is "
                f"{available / 2**30:,.0f} GiB): its heads read every column, so it grows with the square of "
                "the columns. Lower hidden= and embedding_dim=, fit fewer columns, or use a model that grows "
                "linearly with them, such as Synthesizer('ctgan')."
            )

    def _train(
        self,
        model: ARGAN,
        train_tokens: torch.Tensor,
        held_tokens: torch.Tensor,
        counts: TokenCounts,
        random: torch.Generator,
        shard: Shard,
    ) -> None:
        """Likelihood training on ``train_tokens``, checked on ``held_tokens`` (``counts``: the training rows')."""
        params, network = self.params_, self.generator_
        optimizer = model.optimizer(network)
        batch_size = model.batch_size(len(train_tokens)) * shard.world  # each process takes batch_size rows
        phase = LikelihoodPhase(
            shard=shard,
            network=network,
            optimizer=optimizer,
            tokens=train_tokens.to(self.device_),
            batch_size=batch_size,
            epochs=params["epochs"],
            fixed_share=model.fixed_share,
            random=random,
        )
        judged = held_tokens[:MAX_VALIDATION_ROWS] if len(held_tokens) else train_tokens[:5_000]
        judged = judged.long().repeat(VALIDATION_REPEATS, 1)
        known = draw_known(len(judged), train_tokens.shape[1], model.fixed_share, random)
        judged, known = judged.to(self.device_), known.to(self.device_)

        @torch.no_grad()
        def held_out_nll() -> float:
            network.eval()
            value = sum(
                row_nll(network, t, k).sum().item() for t, k in zip(judged.split(8192), known.split(8192), strict=False)
            )
            network.train()
            return value / len(judged) / train_tokens.shape[1]

        check = ValidationCheck(held_out_nll, network, params["early_stopping"], params["patience"])
        history = History()
        callbacks = [
            AverageLogs(shard),
            DivergenceGuard("Lower learning_rate, or raise batch_size."),
            check,
            *([ReduceLearningRate(optimizer, patience=params["lr_patience"])] if params["lr_patience"] else []),
            history,
            TimeBudget(params["max_minutes"]),
            ProgressBar(
                params["verbose"] if shard.lead else False, lambda phase: phase.steps_per_epoch * phase.batch_size
            ),
            AgreeOnStop(shard),
        ]
        phases = [phase]
        if params["refine"] != "none":
            phases.append(
                RefinementPhase(
                    judge=params["refine"],
                    network=network,
                    optimizer=optimizer,
                    tokens=phase.tokens,
                    batch_size=batch_size,
                    epochs=params["refine_epochs"],
                    fixed_share=model.fixed_share,
                    weight=params["refine_weight"],
                    random=random,
                    value_orders=[self._value_order(j) for j in range(len(self.tokens_))],
                    counts=counts,
                    shard=shard,
                )
            )
        for each in phases:
            each.steps_per_epoch = model.steps_per_epoch(each.steps_per_epoch)
        network.train()
        run = train(phases, callbacks)
        self.history_ = history.records
        self.stop_reason_ = run.stop_reason or check.stop_reason or "all epochs done"
        if params["early_stopping"] and check.best_epoch:
            judged_on = "held-out" if len(held_tokens) else "training-row"
            self.stop_reason_ += f"; kept the weights of epoch {check.best_epoch} (best {judged_on} likelihood)"
        if len(phases) > 1 and not run.stop:
            self.stop_reason_ += f", then {params['refine_epochs']} epochs of {params['refine']} refinement"

    def _value_order(self, j: int) -> np.ndarray | None:
        """A numeric token column's tokens from the smallest value to the largest (null last)."""
        encoder = self.transformer_.encoder(self.tokens_.columns[j].name)
        if not isinstance(encoder, NumericEncoder):
            return None
        low, high = token_intervals(encoder)
        return np.lexsort((np.nan_to_num(high, nan=np.inf), np.nan_to_num(low, nan=np.inf)))

    # ------------------------------------------------------------------ rules
    @property
    def rules(self) -> list[str]:
        """The exact rules found in the real rows and kept in every sampled row, in words."""
        self._check_fitted()
        return describe_rules(self.rules_, self.transformer_, self.tokens_)

    # ------------------------------------------------------------------ sample
    def _cells_per_item(self) -> int:
        return len(self.transformer_.schema)

    def _sample_block(self, n: int, conditions: Mapping[str, Any] | None, seed: int, start: int) -> pd.DataFrame:
        random = torch.Generator().manual_seed(seed)
        wanted = self._resolve(conditions or {})
        order = [*wanted, *(j for j in range(len(self.tokens_)) if j not in wanted)]
        if self.params_["training_order"] == "fixed":
            order = list(range(len(self.tokens_)))
        blocks = []
        with torch.no_grad(), torch_threads(self.params_["sample_threads"]):
            tables = self.generator_.draw_tables(order, sample_dtype(self.params_["sample_precision"], self.device_))
            for first in range(0, max(n, 1), SAMPLE_CHUNK):
                rows = min(SAMPLE_CHUNK, n - first)
                blocks.append(self._draw(rows, order, wanted, None, None, tables, random))
        tokens, offsets = (torch.cat(parts) for parts in zip(*blocks, strict=False))
        choices, scalars = self.tokens_.choices(tokens, offsets)
        table = self.transformer_.decode(n, choices, scalars, rng=np.random.default_rng(seed))
        return self._pin_values(table, conditions or {}, wanted)

    def _draw(self, rows, order, wanted, given, known, tables, random):
        """Tokens and within-bin offsets of ``rows`` rows, drawn column by column in ``order``.

        ``tables`` come from ``ColumnHeads.draw_tables(order)``. ``given`` / ``known`` (impute):
        tokens already there and which cells they fill; every head sees those, and only the
        unknown cells are drawn.
        """
        network, columns = self.generator_, self.tokens_.columns
        allowed: dict[int, torch.Tensor] = {j: c.allowed.expand(rows, -1).clone() for j, c in wanted.items()}
        tokens = torch.zeros(rows, len(columns), dtype=torch.long)
        ids = torch.empty(rows, len(columns), dtype=torch.long)  # token ids in draw order
        if given is not None:
            for position, j in enumerate(order):
                unknown = torch.full_like(given[:, j], network.vocabularies[j])
                ids[:, position] = network.token_ids(j, torch.where(known[:, j], given[:, j], unknown))
                tokens[:, j] = given[:, j]
                self._narrow(allowed, j, given[:, j], rows, known[:, j])
        for position, j in enumerate(order):
            if known is not None and bool(known[:, j].all()):
                continue
            logits = network.drawn_logits(tables, ids if known is not None else ids[:, :position], j, position)
            if j in wanted:
                logits = logits + wanted[j].log_weight
            if j in allowed:
                mask = allowed[j]
                dead = ~mask.any(dim=1)  # rules of other columns left nothing: fall back to the condition
                if dead.any():
                    mask[dead] = wanted[j].allowed if j in wanted else True
                logits = logits.masked_fill(~mask, float("-inf"))
            drawn = _categorical(logits, random)
            if known is not None:
                drawn = torch.where(known[:, j], given[:, j], drawn)
            ids[:, position] = network.token_ids(j, drawn)
            tokens[:, j] = drawn
            self._narrow(allowed, j, drawn, rows, None if known is None else ~known[:, j])
        offsets = torch.rand(rows, len(columns), generator=random, dtype=torch.float64) * 2 - 1
        for j, condition in wanted.items():
            if condition.low is not None:
                offsets[:, j] = self._range_offsets(j, tokens[:, j], condition, offsets[:, j])
        return tokens, offsets

    def _narrow(self, allowed, j, drawn, rows, which) -> None:
        """Apply every rule of column ``j`` now that it holds ``drawn`` (in the rows ``which``)."""
        for other, table in self._rules_of(j):
            fits = table[drawn]
            if which is not None:
                fits = fits | ~which[:, None]
            if other in allowed:
                allowed[other] &= fits
            else:
                allowed[other] = fits.clone()

    def _rules_of(self, j: int) -> list[tuple[int, torch.Tensor]]:
        """``(other column, table)`` of each rule of column ``j``: ``table[token of j]`` allows the other's tokens."""
        if getattr(self, "_rule_index", None) is None or self._rule_index[0] is not self.rules_:
            index: dict[int, list[tuple[int, torch.Tensor]]] = {}
            for rule in self.rules_:
                allowed = torch.from_numpy(rule.allowed)
                index.setdefault(rule.first, []).append((rule.second, allowed.contiguous()))
                index.setdefault(rule.second, []).append((rule.first, allowed.T.contiguous()))
            self._rule_index = (self.rules_, index)
        return self._rule_index[1].get(j, [])

    def _range_offsets(self, j: int, tokens: torch.Tensor, condition: _Condition, u: torch.Tensor) -> torch.Tensor:
        """Offsets that put each bin's value inside the condition's range (uniform within the overlap)."""
        low, high = token_intervals(self.transformer_.encoder(self.tokens_.columns[j].name))
        bl, bh = torch.from_numpy(low)[tokens], torch.from_numpy(high)[tokens]
        width = (bh - bl).clamp_min(1e-300)
        start = ((torch.clamp(bl, min=condition.low) - bl) / width * 2 - 1).clamp(-1, 1)
        stop = ((torch.clamp(bh, max=condition.high) - bl) / width * 2 - 1).clamp(-1, 1)
        return start + (u + 1) / 2 * (stop - start)

    def _pin_values(self, table: pd.DataFrame, conditions: Mapping[str, Any], wanted) -> pd.DataFrame:
        """Exact numeric values asked for (``{"age": 30}``) and range ends, after decoding."""
        for name, value in conditions.items():
            j = self.tokens_.index(name) if name in self.tokens_.names else None
            if j is None or j not in wanted or wanted[j].low is None or not len(table):
                continue
            condition = wanted[j]
            values = table[name]
            if condition.low == condition.high:
                table[name] = pd.Series([value] * len(table), index=table.index).astype(values.dtype)
            elif values.notna().any():
                table[name] = values.clip(condition.low, condition.high).astype(values.dtype)
        return table

    # ------------------------------------------------------------------ conditions
    def _resolve(self, conditions: Mapping[str, Any]) -> dict[int, _Condition]:
        if not isinstance(conditions, Mapping):
            raise ConditionError(f"conditions must be a mapping of column -> value, got {type(conditions).__name__}.")
        wanted = {}
        for name, value in conditions.items():
            if name not in self.tokens_.names:
                known = ", ".join(self.tokens_.names)
                raise ConditionError(
                    f"Cannot condition on column {name!r}: the model did not learn it. Columns: {known}."
                )
            j = self.tokens_.index(name)
            encoder = self.transformer_.encoder(name)
            if isinstance(encoder, NumericEncoder):
                wanted[j] = self._numeric_condition(name, encoder, value)
            else:
                wanted[j] = self._category_condition(name, value)
        return wanted

    def _category_condition(self, name: str, value: Any) -> _Condition:
        values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        allowed = torch.zeros(self.tokens_.columns[self.tokens_.index(name)].vocabulary, dtype=torch.bool)
        for item in values:
            allowed[self.transformer_.category_index(name, item)[1]] = True
        return _Condition(allowed, torch.zeros(len(allowed)))

    def _numeric_condition(self, name: str, encoder: NumericEncoder, value: Any) -> _Condition:
        if encoder.datetime_unit is not None:
            raise ConditionError(f"Conditions on the datetime column {name!r} are not supported yet.")
        low, high = token_intervals(encoder)
        if value is None:
            if not encoder.has_null:
                raise ConditionError(f"Column {name!r} has no missing values in the training data.")
            allowed = np.zeros(len(low), dtype=bool)
            allowed[encoder.null_component] = True
            return _Condition(torch.from_numpy(allowed), torch.zeros(len(allowed)))
        if isinstance(value, tuple | list) and len(value) == 2:
            lo, hi = (float(v) for v in value)
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            lo = hi = float(value)
        else:
            raise ConditionError(
                f"Condition on numeric column {name!r} must be a number, a (low, high) range or None, got {value!r}."
            )
        if lo > hi:
            raise ConditionError(f"Range for {name!r} has low {lo:g} above high {hi:g}.")
        overlap = np.minimum(high, hi) - np.maximum(low, lo)
        width = high - low
        inside = np.where(width > 0, overlap > 0, (low >= lo) & (low <= hi))
        if lo == hi:
            inside |= (low <= lo) & (lo <= high) & (width > 0)
        inside &= ~np.isnan(low)
        if not inside.any():
            seen = f"{np.nanmin(low):g} to {np.nanmax(high):g}"
            raise ConditionError(f"Column {name!r} has no value in {value!r} in the training data (seen: {seen}).")
        share = np.where((width > 0) & (lo < hi), overlap / np.where(width > 0, width, 1), 1.0)
        log_weight = np.where(inside, np.log(np.clip(share, 1e-12, 1)), 0.0)
        return _Condition(torch.from_numpy(inside), torch.from_numpy(log_weight).float(), lo, hi)

    # ------------------------------------------------------------------ impute
    def impute(self, data: pd.DataFrame, seed: int | None = None) -> pd.DataFrame:
        """A copy of ``data`` whose missing cells are drawn given the cells that are there.

        Given cells are kept exactly; each filled cell is drawn from the model's distribution of its
        column given every known cell of its row (and never null). ``data`` is not modified.
        """
        self._check_fitted()
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"impute expects a pandas DataFrame, got {type(data).__name__}.")
        lacking = [name for name in self.tokens_.names if name not in data.columns]
        if lacking:
            raise DataError(f"The table lacks column(s) {lacking} that the model was fitted on.")
        seed = self.params_["seed"] if seed is None else seed
        random = torch.Generator().manual_seed(seed_or_random(seed))
        missing = np.stack([data[name].isna().to_numpy() for name in self.tokens_.names], axis=1)
        template = self.transformer_.inverse_transform(np.zeros((1, self.transformer_.layout.width), np.float32))
        filled = data.copy()
        for j, name in enumerate(self.tokens_.names):
            if missing[:, j].any():
                filled[name] = filled[name].astype(object).where(~missing[:, j], template[name].iloc[0])
        given = torch.from_numpy(self.tokens_.encode(self.transformer_, filled))
        known = torch.from_numpy(~missing)
        no_null = {}
        for j, name in enumerate(self.tokens_.names):
            null = _null_token(self.transformer_.encoder(name))
            if null >= 0 and missing[:, j].any():
                allowed = torch.ones(self.tokens_.vocabularies[j], dtype=torch.bool)
                allowed[null] = False
                no_null[j] = _Condition(allowed, torch.zeros(len(allowed)))
        order = list(range(len(self.tokens_)))
        parts = []
        with torch.no_grad(), torch_threads(self.params_["sample_threads"]):
            tables = self.generator_.draw_tables(order)
            for start in range(0, len(data), SAMPLE_CHUNK):
                block = slice(start, start + SAMPLE_CHUNK)
                rows = len(given[block])
                parts.append(self._draw(rows, order, no_null, given[block], known[block], tables, random))
        if not parts:
            return data.copy()
        tokens, offsets = (torch.cat(p) for p in zip(*parts, strict=False))
        choices, scalars = self.tokens_.choices(tokens, offsets)
        decoded = self.transformer_.decode(len(data), choices, scalars, rng=np.random.default_rng(seed_or_random(seed)))
        out = data.copy()
        for j, name in enumerate(self.tokens_.names):
            gaps = missing[:, j]
            if gaps.any():
                column = out[name].astype(object)
                column[gaps] = decoded[name].to_numpy(dtype=object)[gaps]
                out[name] = _like(column, data[name], self.transformer_.schema[name].dtype)
        return out

    # ------------------------------------------------------------------ anomaly scores
    def anomaly_scores(
        self, data: pd.DataFrame, per_column: bool = False, seed: int | None = None
    ) -> pd.Series | pd.DataFrame:
        """How surprising each row of ``data`` is to the model, in nats (higher = more anomalous),
        indexed like ``data``: its negative log-likelihood, plus the surprise of cells the model never
        saw. ``per_column=True`` gives each column's share (the columns sum to the score), to see
        which cell made a row unusual. ``seed`` (default: the fit seed) picks the column orders
        averaged over; the same model, data and seed give the same scores. See
        :mod:`synthgan.families.argan_scoring`.
        """
        self._check_fitted()
        cells = row_surprise(self, data, self.params_["seed"] if seed is None else seed)
        return cells if per_column else cells.sum(axis=1).rename("anomaly_score")

    # ------------------------------------------------------------------ files
    def _file_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        transformer_meta, transformer_arrays = self.transformer_.to_state()
        tensors = {f"network.{name}": value for name, value in self.generator_.state_dict().items()}
        tensors.update({f"transformer.{name}": value for name, value in transformer_arrays.items()})
        for k, rule in enumerate(self.rules_):
            tensors[f"rules.{k}"] = torch.from_numpy(rule.allowed.astype(np.uint8))
        meta = {
            "target": self.target_,
            "privacy": getattr(self, "privacy_", None),
            "transformer": transformer_meta,
            "rules": [
                {"first": r.first, "second": r.second, "kind": r.kind, "premises": r.premises} for r in self.rules_
            ],
        }
        return meta, tensors

    def _restore(self, meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        def group(prefix: str) -> dict[str, torch.Tensor]:
            return {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}

        arrays = {name: value.numpy() for name, value in group("transformer.").items()}
        self.transformer_ = Transformer.from_state(meta["transformer"], arrays)
        self.target_ = meta["target"]
        self.privacy_ = meta.get("privacy")
        self.tokens_ = TokenLayout(self.transformer_.layout)
        tables = group("rules.")
        self.rules_ = [Rule(allowed=tables[str(k)].numpy().astype(bool), **r) for k, r in enumerate(meta["rules"])]
        network = get_model(self.model)(self.params_).build_network(self.tokens_.vocabularies)
        network.load_state_dict(group("network."), strict=True)
        self.generator_ = network.to(self.device_).eval()


def table_rules(data: pd.DataFrame, discrete_columns: list[str] | None = None) -> list[str]:
    """The exact rules between the columns of ``data`` that argan would find and keep, in words."""
    transformer = Transformer(continuous="bins", seed=0).fit(data, discrete_columns=discrete_columns)
    layout = TokenLayout(transformer.layout)
    if not len(layout):
        return []
    rules = find_rules(layout.encode(transformer, data), layout.vocabularies)
    return describe_rules(rules, transformer, layout)


def describe_rules(rules: list[Rule], transformer: Transformer, layout: TokenLayout) -> list[str]:
    if not rules:
        return []
    labels = [_token_labels(transformer, layout, j) for j in range(len(layout))]
    return [rule.describe(layout.names, labels) for rule in rules]


def _token_labels(transformer: Transformer, layout: TokenLayout, j: int) -> list[str]:
    """What each token of token column ``j`` stands for: a level, a value, a range or null."""
    encoder = transformer.encoder(layout.columns[j].name)
    if isinstance(encoder, NumericEncoder):
        low, high = token_intervals(encoder)
        return [
            "<null>" if np.isnan(a) else f"{a:g}" if a == b else f"[{a:g}, {b:g}]"
            for a, b in zip(low, high, strict=False)
        ]
    labels = [str(level) for level in encoder.levels]
    return labels + ["<other>"] * bool(encoder.rare_levels) + ["<null>"] * encoder.has_null


def _categorical(logits: torch.Tensor, random: torch.Generator) -> torch.Tensor:
    """One draw per row from softmax(logits), by inverse transform sampling with one uniform per row."""
    cdf = torch.softmax(logits, dim=1).cumsum(dim=1)
    u = torch.rand(len(logits), 1, generator=random) * cdf[:, -1:]
    return torch.searchsorted(cdf, u).squeeze(1).clamp_max(logits.shape[1] - 1)


def _frequencies(counts: TokenCounts) -> list[torch.Tensor]:
    return [torch.from_numpy(column / max(counts.rows, 1)).float() for column in counts.columns]


def _null_token(encoder: Any) -> int:
    if isinstance(encoder, NumericEncoder):
        return encoder.null_component
    return encoder.null_slot


def _like(column: pd.Series, original: pd.Series, dtype: str) -> pd.Series:
    """The imputed column in the fitted dtype (no cell is missing any more), else in the input's."""
    for candidate in (dtype, original.dtype):
        try:
            return column.astype(candidate)
        except (TypeError, ValueError):
            continue
    return column
