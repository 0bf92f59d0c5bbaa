"""The neutral judge: the same fixed measures for every model, synthgan's included.

Nothing here comes from synthgan (its own evaluation module is not used), and nothing is tuned:

- quality: SDMetrics' QualityReport (overall, column shapes, column pair trends) of the synthetic
  rows against the real training rows, column kinds from the dataset manifest; at most
  ``QUALITY_ROWS`` rows of each side (a fixed random subset) so the biggest table stays tractable.
- TSTR ROC AUC: one HistGradientBoostingClassifier with fixed parameters, trained on the synthetic
  rows, scored on the real holdout (20%); the positive class is the real training minority class.
- DCR share: for synthetic rows, the share whose nearest real training row is closer than their
  nearest real holdout row (ties count half), with equally many training and holdout rows so that
  0.5 means "no closer to the training rows than to unseen rows". Gower-like L1 distance: numbers
  scaled by the training range, a categorical mismatch counts 1.
- exact-copy rate: share of synthetic rows equal, in every column, to some real training row.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

QUALITY_ROWS = 50_000
DCR_ROWS = 5_000
CLASSIFIER_PARAMS = {
    "max_iter": 200,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "early_stopping": False,
    "random_state": 0,
}
MISSING = "__missing__"


# --------------------------------------------------------------------------- canonical types
def _canonical_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return np.nan
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isnan(number):
        return np.nan
    return str(int(number)) if number.is_integer() and text.lower() not in {"inf", "-inf"} else text


def canonical(frame: pd.DataFrame, columns: list[str], discrete: list[str]) -> pd.DataFrame:
    """``columns`` of ``frame`` with categorical values as strings ("1.0" -> "1", True -> "True")
    and numbers as float, so that every library's output is compared on the same footing."""
    out = {}
    for column in columns:
        series = frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)
        if column in discrete:
            uniques = pd.unique(series.astype(object))
            mapping = {value: _canonical_value(value) for value in uniques if not _is_missing(value)}
            values = series.astype(object).map(lambda v, m=mapping: np.nan if _is_missing(v) else m[v])
            out[column] = values.astype(object)  # text even when every value is missing
        else:
            out[column] = pd.to_numeric(series, errors="coerce").astype(float)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- quality
def quality(real: pd.DataFrame, synthetic: pd.DataFrame, discrete: list[str]) -> dict[str, float]:
    """The single-table QualityReport, the one the published SDMetrics quality figures use.

    (sdmetrics >= 0.2x also has a unified report that drops weakly correlated pairs: not used.)
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the single-table report is marked deprecated
        from sdmetrics.reports.single_table import QualityReport

    real = _at_most(real, QUALITY_ROWS)
    synthetic = _at_most(synthetic, QUALITY_ROWS)
    metadata = {"columns": {c: {"sdtype": "categorical" if c in discrete else "numerical"} for c in real.columns}}
    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "quality": float(report.get_score()),
        "column_shapes": float(properties["Column Shapes"]),
        "column_pair_trends": float(properties["Column Pair Trends"]),
    }


def _at_most(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    return frame.sample(rows, random_state=0).reset_index(drop=True) if len(frame) > rows else frame


# --------------------------------------------------------------------------- TSTR
def positive_class(real_train: pd.DataFrame, target: str) -> str:
    counts = real_train[target].dropna().value_counts()
    return str(counts.sort_index().idxmin())


def tstr_auc(train: pd.DataFrame, test: pd.DataFrame, target: str, discrete: list[str], positive: str) -> float:
    """ROC AUC on the real ``test`` rows of the fixed classifier trained on ``train`` (synthetic or real).

    A training table with a single class gives the AUC of a constant prediction, 0.5.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    y_test = (test[target] == positive).to_numpy()
    y_train = (train[target] == positive).to_numpy()
    if y_train.all() or not y_train.any():
        return 0.5
    features = [c for c in train.columns if c != target]
    x_train, x_test = _encode_features(train[features], test[features], discrete)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", **CLASSIFIER_PARAMS)
    model.fit(x_train, y_train)
    return float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))


def _encode_features(train: pd.DataFrame, test: pd.DataFrame, discrete: list[str]):
    train, test = train.copy(), test.copy()
    for column in train.columns:
        if column not in discrete:
            continue
        # Levels of the real test rows (what the classifier is judged on) plus the training ones.
        levels = pd.Index(sorted(set(test[column].dropna()) | set(train[column].dropna()), key=str))
        if len(levels) > 250:  # beyond HistGradientBoosting's categorical limit: ordinal codes
            codes = {level: i for i, level in enumerate(levels)}
            train[column] = train[column].map(codes).astype(float)
            test[column] = test[column].map(codes).astype(float)
            continue
        dtype = pd.CategoricalDtype(levels)
        train[column] = train[column].astype(dtype)
        test[column] = test[column].astype(dtype)
    return train, test


# --------------------------------------------------------------------------- privacy
def _distance_matrix(frames: list[pd.DataFrame], reference: pd.DataFrame, discrete: list[str]) -> list[np.ndarray]:
    """Encode ``frames`` for the Gower-like L1 distance, with scales and levels from ``reference``."""
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for column in reference.columns:
        if column in discrete:
            levels = pd.Index(pd.unique(reference[column].fillna(MISSING)))
            for block, frame in zip(blocks, frames, strict=True):
                codes = levels.get_indexer(frame[column].fillna(MISSING))
                onehot = np.zeros((len(frame), len(levels)), dtype=np.float32)
                rows = np.flatnonzero(codes >= 0)
                onehot[rows, codes[rows]] = 0.5  # a mismatch costs 0.5 + 0.5 = 1
                block.append(onehot)
        else:
            values = reference[column].to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            low = float(finite.min()) if len(finite) else 0.0
            scale = (float(finite.max()) - low) if len(finite) else 1.0
            scale = scale or 1.0
            for block, frame in zip(blocks, frames, strict=True):
                x = frame[column].to_numpy(dtype=float)
                missing = np.isnan(x)
                block.append(np.where(missing, 0.0, (x - low) / scale).astype(np.float32)[:, None])
                if np.isnan(values).any() or missing.any():
                    block.append(missing.astype(np.float32)[:, None])
    return [np.hstack(block) for block in blocks]


def _nearest(queries: np.ndarray, reference: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    index = NearestNeighbors(n_neighbors=1, metric="manhattan", algorithm="brute").fit(reference)
    return index.kneighbors(queries, return_distance=True)[0][:, 0]


def dcr_share(
    train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, discrete: list[str], rows: int = DCR_ROWS
) -> dict[str, float]:
    n = min(len(train), len(holdout), rows)
    train_ref = train.sample(n, random_state=0).reset_index(drop=True)
    holdout_ref = holdout.sample(n, random_state=0).reset_index(drop=True)
    queries = synthetic.sample(min(len(synthetic), rows), random_state=0).reset_index(drop=True)
    x_query, x_train, x_holdout = _distance_matrix([queries, train_ref, holdout_ref], train, discrete)
    to_train = _nearest(x_query, x_train)
    to_holdout = _nearest(x_query, x_holdout)
    share = float(np.mean(to_train < to_holdout) + 0.5 * np.mean(to_train == to_holdout))
    return {"dcr_share": share, "dcr_train_median": float(np.median(to_train))}


def _row_hashes(frame: pd.DataFrame, discrete: list[str]) -> np.ndarray:
    rounded = frame.copy()
    for column in rounded.columns:
        if column in discrete:
            rounded[column] = rounded[column].astype(object).where(rounded[column].notna(), MISSING).astype(str)
        else:
            rounded[column] = rounded[column].round(6)
    return pd.util.hash_pandas_object(rounded, index=False).to_numpy()


def exact_copy_rate(train: pd.DataFrame, synthetic: pd.DataFrame, discrete: list[str]) -> float:
    if len(synthetic) == 0:
        return float("nan")
    seen = set(_row_hashes(train, discrete).tolist())
    return float(np.mean([h in seen for h in _row_hashes(synthetic[train.columns], discrete).tolist()]))


# --------------------------------------------------------------------------- all together
def judge(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    discrete: list[str],
    target: str,
    reference: bool = False,
) -> dict[str, object]:
    """Every measure for one synthetic table. ``train``/``holdout`` must be ``canonical`` already.

    ``reference=True`` judges the real holdout itself (the ceiling row): no DCR share then, since
    the holdout cannot be compared with itself.
    """
    from threadpoolctl import threadpool_limits

    # One thread: the scores do not depend on the machine's load or core count (and the OpenMP
    # spin-waits of an oversubscribed machine cost more than the second core gives).
    with threadpool_limits(limits=1):
        return _judge(train, holdout, synthetic, discrete, target, reference)


def _judge(train, holdout, synthetic, discrete, target, reference) -> dict[str, object]:
    columns = list(train.columns)
    synthetic = canonical(synthetic, columns, discrete)
    out: dict[str, object] = {"synthetic_rows": len(synthetic)}
    out["missing_columns"] = [c for c in columns if synthetic[c].isna().all() and not train[c].isna().all()]
    out.update(quality(train, synthetic, discrete))
    positive = positive_class(train, target)
    out["tstr_auc"] = tstr_auc(synthetic, holdout, target, discrete, positive)
    if not reference:
        out.update(dcr_share(train, holdout, synthetic, discrete))
    out["exact_copy_rate"] = exact_copy_rate(train, synthetic, discrete)
    return out
