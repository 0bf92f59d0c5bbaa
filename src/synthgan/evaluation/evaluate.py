"""``evaluate``: compare a synthetic table with the real one it imitates, in one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from time import perf_counter
from typing import Any

import pandas as pd
import pyarrow.dataset as pads

from synthgan.data.schema import Schema
from synthgan.errors import ParameterError
from synthgan.evaluation.inputs import SECTIONS, Settings, Tables, prepare
from synthgan.evaluation.metrics import Section
from synthgan.evaluation.report import EvaluationReport
from synthgan.evaluation.streamed import StreamedTable, read_input

__all__ = ["evaluate"]

TITLES = {
    "fidelity": "Fidelity",
    "detection": "Detection",
    "utility": "Utility",
    "privacy": "Privacy",
    "fairness": "Fairness",
    "profile": "Profile",
}


def evaluate(
    real: pd.DataFrame | str | Path | pads.Dataset,
    synthetic: pd.DataFrame | str | Path | pads.Dataset,
    holdout: pd.DataFrame | str | Path | pads.Dataset | None = None,
    *,
    target: str | None = None,
    sensitive: str | Iterable[str] | None = None,
    schema: Schema | Mapping[str, str] | None = None,
    discrete_columns: Iterable[str] | None = None,
    sections: Iterable[str] | None = None,
    seed: int = 0,
    settings: Settings | None = None,
    guarantee: Mapping[str, Any] | None = None,
) -> EvaluationReport:
    """Measure how faithful, useful, private and fair ``synthetic`` is with respect to ``real``.

    Parameters
    ----------
    real:
        The table the generator was trained on. Each table may also be on disk, however large: a
        Parquet file, a folder or glob of them, a ``pyarrow.dataset.Dataset`` or a CSV path. Such a
        table is read once in record batches; the sections run on a seeded sample of at most
        ``settings.max_rows`` rows, and column shapes on exact counts over every row where a column
        has at most 100,000 distinct values (``report.inputs["streamed"]`` says what was sampled).
    synthetic:
        The generated table; same columns and value types as ``real`` (order may differ).
    holdout:
        Real rows the generator never saw. Needed for utility (TSTR vs TRTR), the DCR share,
        membership and attribute inference; those parts are skipped with a note without it.
    target:
        Column to predict for utility and fairness (categorical: classification, numeric: regression).
    sensitive:
        Columns (list, or comma-separated string) whose groups the fairness section compares.
    schema:
        A :class:`~synthgan.data.schema.Schema`, or overrides of the inferred kinds
        (``{"zip": "categorical"}``), as for fitting.
    discrete_columns:
        Columns to treat as categorical, as CTGAN users name them.
    sections:
        Subset of ``("fidelity", "detection", "utility", "privacy", "fairness", "profile")``; default all.
    seed:
        Seeds every subsample and model, so the same inputs give the same figures.
    settings:
        Row budgets and thresholds (:class:`~synthgan.evaluation.Settings`).
    guarantee:
        The ``privacy_`` record of the model that made ``synthetic`` when it was fitted with
        ``dp_epsilon``: the privacy section then states the (epsilon, delta) guarantee beside the attacks.

    Raises :class:`~synthgan.errors.DataError` when the tables' columns or value types differ (the
    message lists them) or a named column is missing.
    """
    settings = settings or Settings()
    wanted = _wanted(sections)
    timings: dict[str, float] = {}
    started = perf_counter()
    streamed: dict[str, StreamedTable] = {}
    given = {"real": real, "synthetic": synthetic, "holdout": holdout}
    for name, data in given.items():
        given[name], streamed_table = read_input(data, settings.max_rows, seed)
        if streamed_table is not None:
            streamed[name] = streamed_table
    real, synthetic, holdout = given["real"], given["synthetic"], given["holdout"]
    tables = prepare(
        real,
        synthetic,
        holdout,
        target=target,
        sensitive=sensitive,
        schema=schema,
        discrete_columns=discrete_columns,
        seed=seed,
        settings=settings,
    )
    tables.cache["streamed"] = streamed
    timings["prepare"] = perf_counter() - started

    # Imported here so that `import synthgan` stays light: these pull in scikit-learn lazily.
    from threadpoolctl import threadpool_limits

    results: dict[str, Section] = {}
    runners = _section_runners(tables, guarantee)
    with threadpool_limits(limits=settings.threads, user_api="openmp"):
        for name in SECTIONS:
            if name not in wanted:
                results[name] = Section(name, TITLES[name]).skip("not requested")
                continue
            start = perf_counter()
            section = runners[name]()
            section.title = TITLES[name]
            section.seconds = timings[name] = perf_counter() - start
            results[name] = section
    timings["total"] = perf_counter() - started

    from synthgan import __version__

    rows = {name: streamed[name].rows if name in streamed else tables.rows(name) for name in tables.frames}
    inputs = {
        "real_rows": rows["real"],
        "synthetic_rows": rows["synthetic"],
        "holdout_rows": rows.get("holdout"),
        "streamed": {name: table.describe() for name, table in streamed.items()},
        "columns": len(real.columns),
        "compared_columns": len(tables.columns),
        "identifiers": tables.identifiers,
        "kinds": {name: kind.value for name, kind in tables.kinds.items()},
        "target": target,
        "sensitive": tables.sensitive,
        "seed": seed,
        "settings": asdict(settings),
        "synthgan_version": __version__,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return EvaluationReport(results, inputs, timings)


def _section_runners(tables: Tables, guarantee: Mapping[str, Any] | None) -> dict[str, Callable[[], Section]]:
    """Each section's function, called in ``SECTIONS`` order: fairness reads utility's predictions."""
    from synthgan.evaluation.detection import detection
    from synthgan.evaluation.fairness import fairness
    from synthgan.evaluation.fidelity import fidelity
    from synthgan.evaluation.pairs import pair_statistics
    from synthgan.evaluation.privacy import privacy
    from synthgan.evaluation.profile import profile
    from synthgan.evaluation.utility import utility

    predictions: dict[str, Any] = {}

    def run_utility() -> Section:
        section, predictions["utility"] = utility(tables)
        return section

    return {
        "fidelity": lambda: fidelity(tables),
        "detection": lambda: detection(tables),
        "utility": run_utility,
        "privacy": lambda: privacy(tables, guarantee),
        "fairness": lambda: fairness(tables, predictions.get("utility")),
        "profile": lambda: profile(tables, pair_statistics(tables)),
    }


def _wanted(sections: Iterable[str] | None) -> set[str]:
    if sections is None:
        return set(SECTIONS)
    chosen = [sections] if isinstance(sections, str) else list(sections)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ParameterError(f"Unknown section(s) {unknown}. Choose from: {', '.join(SECTIONS)}.")
    return set(chosen)
