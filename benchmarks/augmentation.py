"""Does rebalancing with synthetic rows help a classifier find the rare class? Print JSON.

    python benchmarks/augmentation.py                       # BRFSS diabetes and credit default, 5 min per GAN fit
    python benchmarks/augmentation.py --datasets credit --minutes 2
    python benchmarks/augmentation.py --quick               # 4,000 rows, 2 epochs: keeps the script working

For each dataset, one fixed gradient-boosting classifier (scikit-learn ``HistGradientBoostingClassifier``,
the parameters in ``CLASSIFIER``) is trained on the 80% training split prepared five ways and scored on
the untouched 20% real test split:

* ``real``: the training split as it is;
* ``synthgan ctgan``: plus synthetic minority rows from one conditional ctgan (``synthgan.balance``);
* ``synthgan ctgan per class``: plus minority rows from a ctgan fitted on the minority rows only;
* ``SMOTENC``: plus SMOTE rows (imbalanced-learn; nominal columns as categories, the rest interpolated);
* ``class weights``: the training split as it is, minority rows weighted up (``class_weight="balanced"``).

Every arm except ``real`` brings the classes to equal weight. Figures on the test split: minority-class
recall, precision and F1 at the default 0.5 threshold, ROC AUC and PR AUC (average precision), each
with a 95% interval from 200 paired bootstrap resamples of the test rows, and the difference from the
``real`` arm with its own interval. GAN fits run on one torch thread with a time budget; the load
average before and after is recorded because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from common import emit, load_split, machine

DATASETS = {
    "brfss": "diabetes_binary_brfss2015",
    "credit": "default_of_credit_card_clients",
}
CLASSIFIER = {"max_iter": 200, "learning_rate": 0.1, "max_leaf_nodes": 31, "early_stopping": False, "random_state": 0}
BOOTSTRAP = 200
METRICS = ("recall", "precision", "f1", "roc_auc", "pr_auc")


def scores(y_true: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    predicted = probability >= 0.5
    return {
        "recall": recall_score(y_true, predicted, zero_division=0),
        "precision": precision_score(y_true, predicted, zero_division=0),
        "f1": f1_score(y_true, predicted, zero_division=0),
        "roc_auc": roc_auc_score(y_true, probability),
        "pr_auc": average_precision_score(y_true, probability),
    }


def bootstrap(y_true: np.ndarray, probabilities: dict[str, np.ndarray], seed: int = 0) -> dict[str, dict]:
    """Per arm: each metric's 95% interval, and the interval of its difference from the ``real`` arm."""
    rng = np.random.default_rng(seed)
    draws: dict[str, list[dict[str, float]]] = {arm: [] for arm in probabilities}
    for _ in range(BOOTSTRAP):
        rows = rng.integers(0, len(y_true), len(y_true))
        for arm, probability in probabilities.items():
            draws[arm].append(scores(y_true[rows], probability[rows]))
    out = {}
    for arm, samples in draws.items():
        frame = pd.DataFrame(samples)
        difference = frame - pd.DataFrame(draws["real"])
        out[arm] = {
            metric: {
                "interval": _interval(frame[metric]),
                "difference_interval": _interval(difference[metric]) if arm != "real" else None,
            }
            for metric in METRICS
        }
    return out


def _interval(values: pd.Series) -> list[float]:
    return [round(float(values.quantile(0.025)), 4), round(float(values.quantile(0.975)), 4)]


def classifier(class_weight: str | None = None):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight=class_weight, **CLASSIFIER)


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, target: str, minority, class_weight=None) -> np.ndarray:
    model = classifier(class_weight)
    model.fit(train.drop(columns=target), train[target] == minority)
    return model.predict_proba(test.drop(columns=target))[:, 1]


def gan_arm(train: pd.DataFrame, target: str, per_class: bool, params: dict) -> tuple[pd.DataFrame, dict]:
    from synthgan import balance

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = balance(train, target, model="ctgan", per_class=per_class, seed=0, verbose=False, **params)
    seconds = time.perf_counter() - start
    fitted_models = result.synthesizers.items()
    facts = {
        "generated": {str(label): rows for label, rows in result.generated.items()},
        "fit_and_sample_s": round(seconds, 1),
        # Per fitted model ("all classes" for the conditional one): epochs reached in the budget, and why it stopped.
        "epochs": {_model_key(label): int(fitted.history["epoch"].max()) for label, fitted in fitted_models},
        "stop_reason": {_model_key(label): fitted.stop_reason_ for label, fitted in fitted_models},
        "load_avg_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "gan_params": params,
    }
    return result.data, facts


def _model_key(label) -> str:
    return "all classes" if label is None else f"class {label}"


def smote_arm(train: pd.DataFrame, target: str, categorical: list[str]) -> tuple[pd.DataFrame, dict]:
    from imblearn.over_sampling import SMOTENC

    features = train.drop(columns=target)
    nominal = [c for c in categorical if c in features.columns]
    start = time.perf_counter()
    sampler = SMOTENC(categorical_features=[features.columns.get_loc(c) for c in nominal], random_state=0)
    x, y = sampler.fit_resample(features, train[target])
    data = pd.concat([x, y.rename(target)], axis=1)
    return data, {"seconds": round(time.perf_counter() - start, 1), "categorical_features": nominal}


def run_dataset(key: str, minutes: float, quick: bool) -> dict:
    from threadpoolctl import threadpool_limits

    name = DATASETS[key]
    train, test, info = load_split(name, rows=4000 if quick else None)
    target = info["target"]
    counts = train[target].value_counts()
    minority = counts.idxmin()
    categorical = [c for c in info.get("categorical", []) if c != target]
    params = {"epochs": 2} if quick else {"max_minutes": minutes}

    arms: dict[str, tuple[pd.DataFrame, str | None, dict]] = {"real": (train, None, {})}
    for label, per_class in (("synthgan ctgan", False), ("synthgan ctgan per class", True)):
        data, facts = gan_arm(train, target, per_class, params)
        arms[label] = (data, None, facts)
        print(f"{key}: {label} done ({facts['fit_and_sample_s']} s)", file=sys.stderr)
    data, facts = smote_arm(train, target, categorical)
    arms["SMOTENC"] = (data, None, facts)
    arms["class weights"] = (train, "balanced", {})

    y_test = (test[target] == minority).to_numpy()
    probabilities, results = {}, {}
    with threadpool_limits(limits=1):
        for label, (data, weight, facts) in arms.items():
            start = time.perf_counter()
            probabilities[label] = fit_predict(data, test, target, minority, weight)
            results[label] = {
                "training_rows": len(data),
                "minority_share": round(float((data[target] == minority).mean()), 4),
                **{metric: round(float(value), 4) for metric, value in scores(y_test, probabilities[label]).items()},
                "classifier_s": round(time.perf_counter() - start, 1),
                **facts,
            }
    intervals = bootstrap(y_test, probabilities)
    for label in results:
        results[label]["bootstrap"] = intervals[label]
    best = {metric: max(results, key=lambda arm, m=metric: results[arm][m]) for metric in METRICS}
    return {
        "dataset": name,
        "target": target,
        "minority_class": str(minority),
        "train_rows": len(train),
        "test_rows": len(test),
        "train_class_counts": {str(label): int(count) for label, count in counts.items()},
        "best_by_metric": best,
        "arms": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="brfss,credit", help="Comma-separated: brfss, credit.")
    parser.add_argument("--minutes", type=float, default=5.0, help="Training budget of each GAN fit (minutes).")
    parser.add_argument("--quick", action="store_true", help="4,000 rows and 2 epochs: a smoke run, not figures.")
    args = parser.parse_args()
    keys = [key.strip() for key in args.datasets.split(",") if key.strip()]
    unknown = [key for key in keys if key not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; choose from {sorted(DATASETS)}")
    load_before = os.getloadavg()
    start = time.perf_counter()
    results = [run_dataset(key, args.minutes, args.quick) for key in keys]
    emit(
        {
            "benchmark": "augmentation",
            "quick": args.quick,
            "gan_minutes_per_fit": None if args.quick else args.minutes,
            "classifier": {"name": "HistGradientBoostingClassifier", **CLASSIFIER},
            "threshold": 0.5,
            "bootstrap_resamples": BOOTSTRAP,
            "machine": machine(),
            "load_avg_start": [round(value, 2) for value in load_before],
            "load_avg_end": [round(value, 2) for value in os.getloadavg()],
            "wall_s": round(time.perf_counter() - start, 1),
            "results": results,
        },
        None if args.quick else "augmentation" if keys == list(DATASETS) else f"augmentation_{'_'.join(keys)}",
    )


if __name__ == "__main__":
    main()
