"""Evaluation for sequences: the TimeGAN paper's scores, autocorrelation and embeddings.

``evaluate_sequences(real, synthetic, ...)`` compares windows of real and synthetic time series:

- **discriminative score**: a post-hoc GRU classifier learns to tell real windows from synthetic
  ones (80% of each for training); ``|accuracy - 0.5|`` on the other 20%. 0 means it cannot tell
  them apart, 0.5 that it always can.
- **predictive score** (train on synthetic, test on real): a GRU learns on synthetic windows to
  predict the next step of one feature (the last, as in the paper) from the previous steps of the
  others; its mean absolute error on real windows. ``predictive_score_real`` trains on the real
  windows instead: the figure to approach.
- **autocorrelation** of every feature at lags 1 .. ``max_lag``, real vs synthetic.
- **PCA and t-SNE** embeddings of windows (each window as its per-step mean over features, as in the
  paper's plots), shown in the HTML report.

Features are scaled to [0, 1] with the real minimum and maximum (numbers; the scaling TimeGAN's
figures are computed on) or one-hot encoded (categories), so the scores compare with the published
ones. The protocol follows the authors' code (jsyoon0823/TimeGAN, ``metrics/``): hidden width
``features // 2``, batches of 128, 2,000 classifier and 5,000 predictor iterations, Adam; the paper's
text calls for a 2-layer classifier, which is the default here (``classifier_layers=1`` is the
code's). Like the rest of ``synthgan.evaluation``, this knows nothing about models or training.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthgan.data.sequence import SEQUENCE_ID, cut_windows
from synthgan.errors import DataError, ParameterError
from synthgan.evaluation.metrics import clean

__all__ = ["SequenceReport", "discriminative_score", "evaluate_sequences", "predictive_score"]

EMBEDDED_WINDOWS = 1_000  # windows of each kind in the PCA / t-SNE plots (the paper's number)


@dataclass
class SequenceData:
    """Windows of real and synthetic series, encoded alike: ``(windows, steps, features)`` in [0, 1]."""

    real: np.ndarray
    synthetic: np.ndarray
    features: list[str]  # one name per encoded feature ("color=red" for one-hot levels)


class SequenceReport:
    """The figures of :func:`evaluate_sequences`, as a dict, JSON or one self-contained HTML page."""

    def __init__(self, metrics: dict[str, Any], tables: dict[str, Any], artifacts: dict[str, Any], inputs: dict):
        self.metrics, self.tables, self.artifacts, self.inputs = metrics, tables, artifacts, inputs
        self._html: str | None = None

    @property
    def discriminative_score(self) -> float:
        return self.metrics["discriminative_score"]

    @property
    def predictive_score(self) -> float:
        return self.metrics["predictive_score"]

    def to_dict(self) -> dict[str, Any]:
        """Headline scores at the top level, per-feature autocorrelation in ``autocorrelation``."""
        return clean({**self.metrics, "autocorrelation": self.tables["autocorrelation"], "inputs": self.inputs})

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """One offline HTML page: the scores, PCA and t-SNE of windows, autocorrelation per feature."""
        if self._html is None:
            from synthgan.evaluation.sequence_html import render

            self._html = render(self)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(self._html, encoding="utf-8")
        return self._html

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"SequenceReport(discriminative_score={m['discriminative_score']:.3f}, "
            f"predictive_score={m['predictive_score']:.3f}, autocorrelation_error={m['autocorrelation_error']:.3f})"
        )


def evaluate_sequences(
    real: pd.DataFrame | np.ndarray,
    synthetic: pd.DataFrame | np.ndarray,
    sequence_length: int | None = None,
    time_column: str | None = None,
    entity_column: str | None = None,
    *,
    seed: int = 0,
    repeats: int = 1,
    classifier_layers: int = 2,
    classifier_iterations: int = 2_000,
    predictor_iterations: int = 5_000,
    predict: str | None = None,
    max_lag: int = 10,
    embeddings: bool = True,
) -> SequenceReport:
    """Compare real and synthetic time series window by window (see the module docstring).

    ``real`` is a long table (one row per step) cut into every window of ``sequence_length`` rows,
    per entity and in time order, as synthgan's sequence models cut it for training; ``synthetic``
    is a long table of sequences (the sequence id column: ``entity_column``, else ``sequence_id``),
    as ``Synthesizer("timegan").sample`` returns. Either may instead be an array ``(windows, steps,
    features)`` already scaled to [0, 1]. ``repeats`` runs the two trained scores several times (the
    paper reports the mean of 10) and adds their standard deviations. ``predict`` names the feature
    the predictive score forecasts (default: the last). ``embeddings=False`` skips PCA and t-SNE.
    """
    started = time.perf_counter()
    for name, value, least in (
        ("repeats", repeats, 1),
        ("classifier_layers", classifier_layers, 1),
        ("classifier_iterations", classifier_iterations, 1),
        ("predictor_iterations", predictor_iterations, 1),
        ("max_lag", max_lag, 1),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ParameterError(f"{name} must be an integer >= {least}, got {value!r}.")
    data = encode_windows(real, synthetic, sequence_length, time_column, entity_column)
    target = _target_index(data.features, predict)
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}

    def repeated(score, *args) -> tuple[float, float]:
        tic = time.perf_counter()
        values = [score(*args, seed=int(rng.integers(2**31 - 1))) for _ in range(repeats)]
        timings[score.__name__] = round(time.perf_counter() - tic, 3)
        return float(np.mean(values)), float(np.std(values))

    from synthgan.evaluation.sequence_scores import discriminative as _discriminative
    from synthgan.evaluation.sequence_scores import predictive as _predictive

    discriminative, discriminative_std = repeated(
        _discriminative, data.real, data.synthetic, classifier_layers, classifier_iterations
    )
    predictive, predictive_std = repeated(_predictive, data.synthetic, data.real, target, predictor_iterations)
    predictive_real, predictive_real_std = repeated(_predictive_real, data.real, target, predictor_iterations)
    acf = autocorrelation_table(data, min(max_lag, data.real.shape[1] - 1))
    metrics = {
        "discriminative_score": discriminative,
        "predictive_score": predictive,
        "predictive_score_real": predictive_real,
        "autocorrelation_error": float(np.mean([row["mean_abs_difference"] for row in acf])),
    }
    if repeats > 1:
        metrics.update(
            discriminative_score_std=discriminative_std,
            predictive_score_std=predictive_std,
            predictive_score_real_std=predictive_real_std,
        )
    artifacts: dict[str, Any] = {"examples": _examples(data, rng)}
    if embeddings:
        tic = time.perf_counter()
        artifacts.update(window_embeddings(data.real, data.synthetic, seed))
        timings["embeddings"] = round(time.perf_counter() - tic, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    inputs = {
        "real_windows": len(data.real),
        "synthetic_windows": len(data.synthetic),
        "sequence_length": int(data.real.shape[1]),
        "features": data.features,
        "predicted_feature": data.features[target],
        "classifier": f"GRU x{classifier_layers}, {classifier_iterations} iterations",
        "predictor": f"GRU x1, {predictor_iterations} iterations",
        "repeats": repeats,
        "seed": seed,
        "timings_s": timings,
    }
    return SequenceReport(metrics, {"autocorrelation": acf}, artifacts, inputs)


# ---------------------------------------------------------------------- inputs
def encode_windows(
    real, synthetic, sequence_length: int | None, time_column: str | None, entity_column: str | None
) -> SequenceData:
    """Both inputs as windows ``(windows, steps, features)`` of features scaled with the real ranges."""
    if isinstance(real, np.ndarray) or isinstance(synthetic, np.ndarray):
        if not (isinstance(real, np.ndarray) and isinstance(synthetic, np.ndarray)):
            raise DataError("Pass real and synthetic both as DataFrames or both as arrays (windows, steps, features).")
        if real.ndim != 3 or real.shape[1:] != synthetic.shape[1:]:
            raise DataError(
                f"Arrays must be (windows, steps, features) of the same shape per window; got {real.shape} "
                f"and {synthetic.shape}."
            )
        return SequenceData(
            real.astype(np.float32), synthetic.astype(np.float32), [f"f{i}" for i in range(real.shape[2])]
        )
    for name, table in (("real", real), ("synthetic", synthetic)):
        if not isinstance(table, pd.DataFrame):
            raise DataError(f"{name} must be a DataFrame (a long table) or an array, got {type(table).__name__}.")
    synthetic_id = entity_column
    if synthetic_id is None and SEQUENCE_ID in synthetic.columns and SEQUENCE_ID not in real.columns:
        synthetic_id = SEQUENCE_ID
    if sequence_length is None:
        if synthetic_id is None:
            raise ParameterError("Pass sequence_length: the synthetic table has no sequence id column to read it from.")
        sequence_length = int(synthetic.groupby(synthetic_id, sort=False).size().mode().iloc[0])
    roles = {time_column, entity_column, synthetic_id} - {None}
    features = [name for name in real.columns if name not in roles]
    missing = [name for name in features if name not in synthetic.columns]
    if missing:
        raise DataError(f"The synthetic table lacks column(s) {missing} of the real one.")
    real_windows = cut_windows(real, sequence_length, time_column, entity_column, gaps="split")
    fake_windows = cut_windows(
        synthetic[[*features, *[c for c in (time_column, synthetic_id) if c]]],
        sequence_length,
        time_column,
        synthetic_id,
        stride=sequence_length if synthetic_id else 1,
        gaps="ignore",
    )
    encoded_real, encoded_fake, names = _scale(real[features], synthetic[features])
    return SequenceData(encoded_real[real_windows.rows], encoded_fake[fake_windows.rows], names)


def _scale(real: pd.DataFrame, synthetic: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Numbers min-max scaled with the real range, other columns one-hot over the real levels."""
    real_parts, fake_parts, names = [], [], []
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if pd.api.types.is_datetime64_any_dtype(r):
            r, s = r.astype("int64").astype(float), pd.to_datetime(s).astype("int64").astype(float)
        if pd.api.types.is_numeric_dtype(r) or pd.api.types.is_bool_dtype(r):
            r = pd.to_numeric(r, errors="coerce").astype(float).to_numpy()
            s = pd.to_numeric(s, errors="coerce").astype(float).to_numpy()
            low, high = np.nanmin(r), np.nanmax(r)
            span = high - low if high > low else 1.0
            real_parts.append(np.nan_to_num((r - low) / (span + 1e-7))[:, None])
            fake_parts.append(np.nan_to_num((s - low) / (span + 1e-7))[:, None])
            names.append(column)
            continue
        levels = pd.Index(r.astype(str).unique())
        real_parts.append(_one_hot(r.astype(str), levels))
        fake_parts.append(_one_hot(s.astype(str), levels))
        names.extend(f"{column}={level}" for level in levels)
    return (
        np.concatenate(real_parts, axis=1).astype(np.float32),
        np.concatenate(fake_parts, axis=1).astype(np.float32),
        names,
    )


def _one_hot(values: pd.Series, levels: pd.Index) -> np.ndarray:
    codes = levels.get_indexer(values)
    out = np.zeros((len(values), len(levels)), dtype=np.float32)
    known = codes >= 0
    out[np.flatnonzero(known), codes[known]] = 1.0
    return out


def _target_index(features: list[str], predict: str | None) -> int:
    if len(features) < 2:
        raise DataError("The predictive score needs at least two features (one is predicted from the others).")
    if predict is None:
        return len(features) - 1
    if predict not in features:
        raise ParameterError(f"predict={predict!r} is not a numeric feature. Features: {features}.")
    return features.index(predict)


# ---------------------------------------------------------------------- trained scores
def discriminative_score(
    real: np.ndarray, synthetic: np.ndarray, layers: int = 2, iterations: int = 2_000, seed: int = 0
) -> float:
    """``|accuracy - 0.5|`` of a post-hoc GRU classifier of real vs synthetic windows (arrays in [0, 1])."""
    from synthgan.evaluation.sequence_scores import discriminative

    return discriminative(real, synthetic, layers, iterations, seed=seed)


def predictive_score(
    train: np.ndarray, test: np.ndarray, target: int = -1, iterations: int = 5_000, seed: int = 0
) -> float:
    """MAE on ``test`` windows of a GRU trained on ``train`` windows to predict feature ``target`` one step
    ahead from the other features' previous steps (arrays in [0, 1])."""
    from synthgan.evaluation.sequence_scores import predictive

    return predictive(train, test, target % train.shape[2], iterations, seed=seed)


def _predictive_real(real: np.ndarray, target: int, iterations: int, seed: int) -> float:
    from synthgan.evaluation.sequence_scores import predictive

    return predictive(real, real, target, iterations, seed=seed)


# ---------------------------------------------------------------------- descriptive
def autocorrelation(windows: np.ndarray, max_lag: int) -> np.ndarray:
    """Autocorrelation ``(features, max_lag)`` at lags 1 .. max_lag, pooled over windows (each centred on
    its own mean); 0 for a feature that never varies within a window."""
    centred = windows - windows.mean(axis=1, keepdims=True)
    variance = (centred**2).sum(axis=(0, 1))
    out = np.zeros((windows.shape[2], max_lag))
    for lag in range(1, max_lag + 1):
        covariance = (centred[:, lag:] * centred[:, :-lag]).sum(axis=(0, 1))
        out[:, lag - 1] = np.divide(covariance, variance, out=np.zeros_like(covariance), where=variance > 0)
    return out


def autocorrelation_table(data: SequenceData, max_lag: int) -> list[dict[str, Any]]:
    real, fake = autocorrelation(data.real, max_lag), autocorrelation(data.synthetic, max_lag)
    return [
        {
            "feature": name,
            "real": real[j].round(4).tolist(),
            "synthetic": fake[j].round(4).tolist(),
            "lag1_real": float(real[j, 0]),
            "lag1_synthetic": float(fake[j, 0]),
            "mean_abs_difference": float(np.abs(real[j] - fake[j]).mean()),
        }
        for j, name in enumerate(data.features)
    ]


def window_embeddings(real: np.ndarray, synthetic: np.ndarray, seed: int) -> dict[str, Any]:
    """2-D PCA (fitted on real) and t-SNE coordinates of up to 1,000 windows of each kind.

    As in the paper's plots, a window is reduced to its per-step mean over features first.
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    size = min(EMBEDDED_WINDOWS, len(real), len(synthetic))
    r = real[rng.permutation(len(real))[:size]].mean(axis=2)
    s = synthetic[rng.permutation(len(synthetic))[:size]].mean(axis=2)
    components = min(2, r.shape[1])
    pca = PCA(n_components=components, random_state=seed).fit(r)
    both = np.concatenate([r, s])
    # One thread: OpenMP threads spinning on a busy machine made t-SNE 10x slower.
    with threadpool_limits(1):
        tsne = TSNE(
            n_components=2, perplexity=min(40, max(2, 2 * size // 3 - 1)), max_iter=300, init="pca", random_state=seed
        ).fit_transform(both)
    return {
        "pca": {"real": pca.transform(r), "synthetic": pca.transform(s), "explained": pca.explained_variance_ratio_},
        "tsne": {"real": tsne[:size], "synthetic": tsne[size:]},
    }


def _examples(data: SequenceData, rng: np.random.Generator, count: int = 5) -> dict[str, Any]:
    """A few real and synthetic windows to draw, for the first features."""
    real = data.real[rng.permutation(len(data.real))[:count]]
    fake = data.synthetic[rng.permutation(len(data.synthetic))[:count]]
    return {"real": real, "synthetic": fake, "features": data.features}
