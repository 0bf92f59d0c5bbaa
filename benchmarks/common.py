"""Shared pieces of the benchmark scripts: data splits, the neutral judge, machine facts, peak memory."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from synthgan import datasets

RESULTS = Path(__file__).parent / "results"


def split(df: pd.DataFrame, seed: int = 0, train_share: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 80/20 split every benchmark uses (shuffled with ``seed``)."""
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = int(train_share * len(shuffled))
    return shuffled.iloc[:cut].reset_index(drop=True), shuffled.iloc[cut:].reset_index(drop=True)


def load_split(name: str, seed: int = 0, rows: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    df = datasets.load(name)
    info = datasets.info(name)
    for column in info.get("id_columns", []):
        df = df.drop(columns=column)
    if rows is not None and rows < len(df):
        df = df.sample(rows, random_state=seed).reset_index(drop=True)
    train, test = split(df, seed)
    return train, test, info


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, float]:
    """SDMetrics QualityReport: the neutral judge (shapes, pair trends, overall)."""
    from sdmetrics.reports.single_table import QualityReport

    from synthgan.data import infer_schema
    from synthgan.evaluation.fidelity import sdmetrics_metadata

    metadata = sdmetrics_metadata(infer_schema(real))
    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "quality": float(report.get_score()),
        "column_shapes": float(properties["Column Shapes"]),
        "column_pair_trends": float(properties["Column Pair Trends"]),
    }


def tstr_auc(train: pd.DataFrame, test: pd.DataFrame, target: str) -> float:
    """ROC AUC on real ``test`` of a fixed gradient-boosting classifier trained on ``train``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    features = [c for c in train.columns if c != target]
    x_train, x_test = _encode(train[features], test[features])
    labels = sorted(pd.concat([train[target], test[target]]).astype(str).unique())
    positive = labels[-1]
    y_train = (train[target].astype(str) == positive).to_numpy()
    y_test = (test[target].astype(str) == positive).to_numpy()
    if y_train.all() or not y_train.any():
        return float("nan")
    model = HistGradientBoostingClassifier(max_iter=200, random_state=0, categorical_features="from_dtype")
    model.fit(x_train, y_train)
    return float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))


def _encode(train: pd.DataFrame, test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = train.copy(), test.copy()
    for column in train.columns:
        if not pd.api.types.is_numeric_dtype(train[column]) or pd.api.types.is_bool_dtype(train[column]):
            levels = pd.Index(pd.concat([train[column], test[column]]).astype(str).unique())
            dtype = pd.CategoricalDtype(levels)
            train[column] = train[column].astype(str).astype(dtype)
            test[column] = test[column].astype(str).astype(dtype)
    return train, test


def categorical_coverage(real: pd.DataFrame, synthetic: pd.DataFrame, min_share: float = 0.01) -> dict[str, float]:
    """Per categorical column: share of real levels with >= 1% frequency that the synthetic data has."""
    out = {}
    for column in real.columns:
        if pd.api.types.is_numeric_dtype(real[column]) and real[column].nunique() > 15:
            continue
        shares = real[column].astype(str).value_counts(normalize=True)
        common = shares[shares >= min_share].index
        produced = set(synthetic[column].astype(str).unique())
        out[column] = float(np.mean([level in produced for level in common])) if len(common) else 1.0
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def write_json(document: dict, output: Path) -> None:
    """Write ``document`` to ``output``: a temporary file, then a rename, so no half-written JSON."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, default=str))
    temporary.replace(output)


def emit(result: dict, name: str | None = None) -> None:
    """Print ``result`` as JSON and, with ``name``, keep it under benchmarks/results/."""
    text = json.dumps(result, indent=2, default=float)
    print(text)
    if name:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(text + "\n")
    sys.stdout.flush()
