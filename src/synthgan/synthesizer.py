"""``Synthesizer``: the one public face of every model in synthgan, whatever it learns.

``Synthesizer("ctgan", epochs=300, seed=0)`` stores the model name and its parameters. Each model
belongs to a family (tables, sequences, images) whose data differ, so ``Synthesizer(name)`` returns
an instance of that family's subclass, as ``pathlib.Path(...)`` returns a ``PosixPath``: the
subclass knows how to fit and sample its kind of data, while what every family shares (parameters,
history, model files, the fitted check) lives here once.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthgan.errors import NotFittedError, ParameterError

__all__ = ["Synthesizer", "family_class"]

# Family name -> "module:class" of its Synthesizer subclass, imported when first used.
FAMILIES = {
    "table": "synthgan.families.table:TableSynthesizer",
    "sequence": "synthgan.families.sequence:SequenceSynthesizer",
    "image": "synthgan.families.image:ImageSynthesizer",
}


def family_class(model: str) -> type[Synthesizer]:
    """The Synthesizer subclass for ``model``'s family (tables for an unknown name, whose fit says why)."""
    from synthgan.models import MODELS

    strategy = MODELS.get(model)
    family = getattr(strategy, "family", "table")
    # A model may name a subclass of its family's Synthesizer (argan samples column by column).
    module, name = (getattr(strategy, "synthesizer", None) or FAMILIES[family]).split(":")
    return getattr(importlib.import_module(module), name)


# Cells of one seeded block of a sample (about 800 MB once decoded).
BLOCK_CELLS = 10_000_000

# Memory a sampled cell takes once decoded into a DataFrame (object columns included), roughly.
BYTES_PER_CELL = 80


def _memory_bytes() -> int:
    """Physical memory of this machine (a large default where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 2**40


class Synthesizer:
    """Learn data with a GAN and generate synthetic data shaped like it.

    Parameters
    ----------
    model:
        A registered model name (see :func:`synthgan.available_models`); ``"argan"``, the default,
        is synthgan's flagship tabular model.
    **params:
        Model parameters (``epochs``, ``batch_size``, ``seed``, ``max_minutes``, ...); every model
        documents its own in ``synthgan models --params NAME`` and ``Synthesizer.parameters(NAME)``.
    """

    # The kind of data the subclass learns: "table", "sequence" or "image".
    family: str = ""
    # What one generated item is called in messages ("rows", "sequences", "images").
    noun: str = "rows"
    # Most items drawn from one seed (fewer for wide items: see _items_per_block); see sample_chunks.
    block_size: int = 100_000

    def __new__(cls, model: str = "argan", **params: Any) -> Synthesizer:
        if cls is Synthesizer:
            cls = family_class(model)
        return super().__new__(cls)

    def __init__(self, model: str = "argan", **params: Any) -> None:
        self.model = model
        self.params = params

    # ------------------------------------------------------------------ introspection
    @staticmethod
    def parameters(model: str) -> dict[str, Any]:
        """Default value and description of each parameter of ``model``."""
        from synthgan.models import get_model

        return {
            name: {"default": spec.default, "doc": spec.doc} for name, spec in get_model(model).param_specs().items()
        }

    @property
    def conditioning(self) -> str:
        from synthgan.models import get_model

        return get_model(self.model).conditioning

    @property
    def history(self) -> pd.DataFrame:
        """Per-epoch losses, seconds and (every few epochs) fidelity and diversity signals."""
        self._check_fitted()
        return pd.DataFrame(self.history_)

    def _begin_fit(self) -> Any:
        """The first steps of every family's ``fit``: validate the parameters into ``params_``, pick
        the device (``device_``) and return the model strategy built from them."""
        from synthgan.models import get_model
        from synthgan.models.params import validate_params
        from synthgan.training.runtime import resolve_device

        model_class = get_model(self.model)
        self.params_ = validate_params(model_class, self.params)
        self.device_ = resolve_device(self.params_["device"])
        return model_class(self.params_)

    def _check_count(self, n: Any, noun: str, cells_per_item: int, name: str = "n") -> None:
        """``n`` must be a non-negative integer whose ``n * cells_per_item`` cells fit in memory
        (about 80 bytes a cell once decoded into pandas); else one ParameterError that says so."""

        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
            raise ParameterError(f"{name} must be a non-negative integer number of {noun}, got {n!r}.")
        needed, available = int(n) * cells_per_item * BYTES_PER_CELL, _memory_bytes()
        if needed > available:  # cells_per_item 0: a count that allocates nothing
            raise ParameterError(
                f"{name}={int(n):,} {noun} would need about {needed / 2**30:,.0f} GiB, more than this machine's "
                f"{available / 2**30:,.0f} GiB. Ask for fewer per call, or stream them to disk with "
                "`synthgan sample --rows N`, which writes in chunks."
            )

    def fit(self, data: Any, *args: Any, **options: Any) -> Synthesizer:
        """Learn ``data`` (never modified) and return self: a table for table models, a long table of
        time series for sequence models, an image array or folder for image models. Each family
        documents its own options (``discrete_columns``, ``time_column``, ``labels``, ...)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ sample
    def sample(self, n: int, conditions: Mapping[str, Any] | None = None, seed: int | None = None) -> Any:
        """Generate ``n`` items (rows, sequences, images) like the training data.

        ``seed`` defaults to the fit seed, so the same call gives the same items. The items are those
        :meth:`sample_chunks` streams, joined: a file written in chunks by ``synthgan sample`` holds
        the same rows as this call with the same seed.
        """
        self._check_fitted()
        self._check_count(n, self.noun, self._cells_per_item())
        return self._join(list(self._chunks(n, None, conditions, seed, {})))

    def sample_chunks(
        self,
        n: int,
        chunk_size: int | None = None,
        conditions: Mapping[str, Any] | None = None,
        seed: int | None = None,
    ) -> Iterator[Any]:
        """Yield the items of ``sample(n, conditions, seed)`` in consecutive chunks of ``chunk_size``
        (default: one block), holding one chunk in memory at a time.

        Items are drawn in blocks of :attr:`block_size` (fewer for very wide tables), block ``k``
        from its own seed derived from ``(seed, k)``; so the items depend on the seed alone, never
        on ``n``, the chunk size or how they are written: the first 1,000 of a million are
        ``sample(1000)``.
        """
        return self._chunks(n, chunk_size, conditions, seed, {})

    def _chunks(
        self, n: int, chunk_size: int | None, conditions: Mapping[str, Any] | None, seed: int | None, options: dict
    ) -> Iterator[Any]:
        """sample_chunks' work, its arguments checked now rather than at the first chunk; ``options``
        go to every ``_sample_block`` call (a family's extras)."""
        self._check_fitted()
        self._check_count(n, self.noun, 0)
        block = self._items_per_block()
        chunk_size = block if chunk_size is None else chunk_size
        self._check_count(chunk_size, self.noun, self._cells_per_item(), name="chunk_size")
        if chunk_size == 0:
            raise ParameterError("chunk_size must be at least 1.")
        base = self._sample_seed(seed)
        if n == 0:  # still one (empty) chunk, with the fitted columns
            return iter([self._sample_block(0, conditions, base, 0, **options)])
        return _rechunk(
            self._blocks(n, 0, n, conditions, base, options), chunk_size, self._cut, self._join, self._length
        )

    def sample_slice(
        self,
        n: int,
        start: int,
        stop: int,
        conditions: Mapping[str, Any] | None = None,
        seed: int | None = None,
    ) -> Any:
        """Items ``start:stop`` of ``sample(n, conditions, seed)``, drawing only the blocks that hold them.

        The unit of work for sampling on a cluster: any process that loads the same model file
        computes the same slice, so slices made anywhere join into the one sample. Give ``seed``
        explicitly there (a model fitted without a seed draws a fresh one per call).
        """
        self._check_fitted()
        self._check_count(n, self.noun, 0)
        for name, value in (("start", start), ("stop", stop)):
            self._check_count(value, self.noun, 0, name=name)
        if not start <= stop <= n:
            raise ParameterError(f"sample_slice needs 0 <= start <= stop <= n; got start={start}, stop={stop}, n={n}.")
        self._check_count(stop - start, self.noun, self._cells_per_item(), name="stop - start")
        base = self._sample_seed(seed)
        if start == stop:
            return self._sample_block(0, conditions, base, 0)
        return self._join(list(self._blocks(n, start, stop, conditions, base, {})))

    def _sample_seed(self, seed: int | None = None) -> int:
        """The seed a sample call uses: ``seed``, else the fit seed, else fresh entropy (checked)."""
        from synthgan.randomness import seed_or_random

        return seed_or_random(self.params_["seed"] if seed is None else seed)

    def _blocks(
        self, n: int, start: int, stop: int, conditions: Mapping[str, Any] | None, base: int, options: dict
    ) -> Iterator[Any]:
        """The seeded blocks of a sample of ``n`` items that overlap items ``start:stop``, cut to them.

        Block ``k`` holds items ``k * size`` onwards, at most ``size`` of them and never past ``n``,
        drawn from ``block_seed(base, k)``: what a block holds depends on ``n`` only through its length.
        """
        from synthgan.randomness import block_seed

        size = self._items_per_block()
        for index in range(start // size, -(-stop // size)):
            first = index * size
            items = self._sample_block(min(size, n - first), conditions, block_seed(base, index), first, **options)
            low, high = max(start, first) - first, min(stop, first + size) - first
            yield items if (low, high) == (0, self._length(items)) else self._cut(items, low, high)

    def _items_per_block(self) -> int:
        """Items of one seeded block: :attr:`block_size`, or fewer where that many would exceed
        BLOCK_CELLS cells. A property of the fitted model alone, so a seed means the same rows on
        every machine."""
        return max(1, min(self.block_size, BLOCK_CELLS // max(1, self._cells_per_item())))

    def _sample_block(self, n: int, conditions: Mapping[str, Any] | None, seed: int, start: int, **options) -> Any:
        """``n`` items drawn from ``seed``; ``start`` is the index of the first one in the sample."""
        raise NotImplementedError

    def _check_sample(self, items: Any) -> None:
        """A ValueError if ``items`` (a block just sampled) do not have the form the model declares."""

    def _cells_per_item(self) -> int:
        """Cells one item holds once decoded (for the memory check of :meth:`sample`)."""
        raise NotImplementedError

    @staticmethod
    def _cut(items: Any, start: int, stop: int) -> Any:
        """Items ``start:stop`` of a block (a DataFrame by default)."""
        return items.iloc[start:stop]

    @staticmethod
    def _length(items: Any) -> int:
        """How many items a block holds."""
        return len(items)

    @staticmethod
    def _join(parts: list[Any]) -> Any:
        """Blocks joined into one sample (DataFrames by default)."""
        return parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def _check_fitted(self) -> None:
        if not hasattr(self, "generator_"):
            raise NotFittedError(f"This Synthesizer({self.model!r}) is not fitted yet. Call fit(...) first.")

    def anomaly_scores(self, data: Any, per_column: bool = False, seed: int | None = None) -> pd.Series:
        """How anomalous each row of ``data`` is to the fitted model (higher = more). Table models only."""
        raise ParameterError(
            f"Model {self.model!r} does not score anomalies: anomaly scores are for table models "
            "('argan' gives each row's negative log-likelihood; the adversarial models, their critic's verdict)."
        )

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> None:
        """Write one model file: weights in safetensors, everything else as JSON in its header."""
        from synthgan.io import save_synthesizer

        self._check_fitted()
        save_synthesizer(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Synthesizer:
        """Read a model file written by :meth:`save`. Never executes code from the file."""
        from synthgan.io import load_synthesizer

        return load_synthesizer(path)

    def _file_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What the family adds to a model file: JSON-able metadata and named tensors."""
        raise NotImplementedError

    def _restore(self, meta: dict[str, Any], tensors: dict[str, Any]) -> None:
        """Rebuild the fitted state from :meth:`_file_state`'s output (``params_`` is already set)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"Synthesizer({self.model!r}{', ' if shown else ''}{shown})"


def _rechunk(blocks: Iterator[Any], size: int, cut: Callable, join: Callable, length_of: Callable) -> Iterator[Any]:
    """Blocks regrouped into chunks of ``size`` items (the last may be smaller)."""
    held: list[Any] = []
    count = 0
    for block in blocks:
        length, at = length_of(block), 0
        while at < length:
            take = min(size - count, length - at)
            held.append(block if (at, take) == (0, length) else cut(block, at, at + take))
            at, count = at + take, count + take
            if count == size:
                yield join(held)
                held, count = [], 0
    if held:
        yield join(held)
