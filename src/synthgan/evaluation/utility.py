"""Utility: is a model trained on the synthetic table as good as one trained on the real table?

Train-synthetic-test-real (TSTR) against train-real-test-real (TRTR): the same scikit-learn
HistGradientBoosting model is trained once on each table, on the same number of seeded rows, and both
are scored on the holdout (real rows the generator never saw). Classification targets are scored by
ROC AUC (one-vs-rest macro average for more than two classes), macro F1 and accuracy; numeric targets
by R² and mean absolute error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthgan.data.schema import ColumnKind
from synthgan.evaluation.encoding import fillable, tree_features
from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import HIGHER, INFO, LOWER, Section, Verdict, grade

__all__ = ["Predictions", "task_of", "utility"]

GOOD_GAP, FAIR_GAP = 0.05, 0.15
CLASSIFICATION, REGRESSION = "classification", "regression"
MAIN = {CLASSIFICATION: "roc_auc", REGRESSION: "r2"}


@dataclass
class Predictions:
    """What both models predicted on the holdout rows, for per-group scores (fairness)."""

    task: str
    rows: np.ndarray  # holdout row positions that were scored
    truth: np.ndarray  # class codes or numeric values
    outputs: dict[str, np.ndarray] = field(default_factory=dict)  # "tstr"/"trtr": class probabilities or values
    classes: np.ndarray | None = None  # class codes, the columns of the probability matrices
    positive: int | None = None  # class code whose rate and AUC are reported for binary targets


def task_of(tables: Tables) -> tuple[str | None, str]:
    """``(task, "")`` for a usable target, else ``(None, reason)``."""
    kind = tables.kinds[tables.target]
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return CLASSIFICATION, ""
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
        return REGRESSION, ""
    return None, f"target {tables.target!r} is a {kind.value} column; use a categorical or numeric column"


def utility(tables: Tables) -> tuple[Section, Predictions | None]:
    section = Section("utility", "Utility")
    if tables.target is None:
        return section.skip("needs a target column (target=... / --target)"), None
    if not tables.has("holdout"):
        return section.skip("needs a holdout table: real rows the generator never saw (holdout=... / --holdout)"), None
    task, reason = task_of(tables)
    if task is None:
        return section.skip(reason), None
    features = [c for c in tables.columns if c != tables.target]
    if not features:
        return section.skip("the target is the only compared column; nothing to predict it from"), None

    settings = tables.settings
    valid = {name: _valid_rows(tables, name) for name in ("real", "synthetic", "holdout")}
    n_train = min(settings.utility_rows, len(valid["real"]), len(valid["synthetic"]))
    if n_train < 10 or len(valid["holdout"]) < 10:
        return section.skip("needs at least 10 rows with a target value in each table"), None
    train = {name: _subsample(tables, valid[name], n_train, f"utility:{name}") for name in ("real", "synthetic")}
    test = _subsample(tables, valid["holdout"], settings.utility_test_rows, "utility:holdout")
    predictions = Predictions(task, test, tables.column("holdout", tables.target)[test])
    x_test, mask = tree_features(tables, "holdout", test, features)
    if task == CLASSIFICATION:
        codes = np.concatenate([tables.codes[name][tables.target][valid[name]] for name in valid])
        predictions.classes = np.unique(codes)
        predictions.positive = _positive_class(tables, valid["real"])
    scores = {}
    for label, name in (("trtr", "real"), ("tstr", "synthetic")):
        x_train, _ = tree_features(tables, name, train[name], features)
        y_train = tables.column(name, tables.target)[train[name]]
        predictions.outputs[label] = _fit_predict(
            task, x_train, y_train, x_test, mask, predictions.classes, tables.seed
        )
        scores[label] = score_predictions(predictions, label)

    main = MAIN[task]
    if scores["trtr"][main] is None and task == REGRESSION:
        return section.skip("the holdout's target is constant, so R² is undefined"), None
    if scores["trtr"][main] is None:
        main = "macro_f1"
        section.notes.append("The holdout holds one class only, so ROC AUC is undefined; macro F1 is compared instead.")
    for metric in scores["trtr"]:
        direction = LOWER if metric == "mae" else HIGHER
        section.add(f"trtr_{metric}", scores["trtr"][metric], direction)
        section.add(f"tstr_{metric}", scores["tstr"][metric], direction)
    trtr, tstr = scores["trtr"][main], scores["tstr"][main]
    gap = trtr - tstr
    section.add("utility_gap", gap, LOWER, note=f"TRTR {main} - TSTR {main}")
    section.add("utility_ratio", tstr / trtr if trtr else float("nan"), HIGHER, note=f"TSTR {main} / TRTR {main}")
    section.add("task", task, INFO)
    section.tables["scores"] = [
        {
            "metric": metric,
            "trtr": scores["trtr"][metric],
            "tstr": scores["tstr"][metric],
            "difference": _difference(scores["tstr"][metric], scores["trtr"][metric]),
        }
        for metric in scores["trtr"]
    ]
    target_note = ""
    if task == CLASSIFICATION and predictions.positive is not None:
        positive = tables.categories[tables.target][predictions.positive]
        target_note = f" Binary scores treat {tables.target} = {positive!r} as positive."
    section.notes.append(
        f"Target {tables.target!r} ({task}). HistGradientBoosting (up to 200 trees, early stopping) trained on "
        f"{n_train:,} seeded rows of each table, scored on {len(test):,} holdout rows.{target_note}"
    )
    rule = f"good if TRTR - TSTR {main} ≤ {GOOD_GAP}, fair if ≤ {FAIR_GAP}, else poor"
    status = grade(gap, GOOD_GAP, FAIR_GAP)
    section.verdict = Verdict(status, f"{main} TSTR {tstr:.3f} / TRTR {trtr:.3f}", rule)
    return section, predictions


def score_predictions(predictions: Predictions, label: str, subset: np.ndarray | None = None) -> dict:
    """Scores of one model's holdout outputs, optionally on a subset of the scored rows."""
    from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score

    truth = predictions.truth
    output = predictions.outputs[label]
    if subset is not None:
        truth, output = truth[subset], output[subset]
    if predictions.task == REGRESSION:
        r2 = float(r2_score(truth, output)) if len(truth) > 1 and np.ptp(truth) > 0 else None
        return {"r2": r2, "mae": float(mean_absolute_error(truth, output))}
    predicted = predictions.classes[np.argmax(output, axis=1)]
    return {
        "roc_auc": _roc_auc(truth, output, predictions.classes, predictions.positive),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(truth, predicted)),
    }


def _valid_rows(tables: Tables, name: str) -> np.ndarray:
    target = tables.column(name, tables.target)
    if tables.is_numeric(tables.target):
        return np.flatnonzero(~np.isnan(target))
    return np.flatnonzero(target != tables.na_code[tables.target])


def _subsample(tables: Tables, rows: np.ndarray, n: int, purpose: str) -> np.ndarray:
    if len(rows) <= n:
        return rows
    return np.sort(tables.rng(purpose).choice(rows, size=n, replace=False))


def _positive_class(tables: Tables, real_rows: np.ndarray) -> int | None:
    """For a binary target, the rarer real class (e.g. '>50K', diabetes = 1)."""
    codes = tables.codes["real"][tables.target][real_rows]
    present, counts = np.unique(codes, return_counts=True)
    if len(present) != 2:
        return None
    return int(present[np.argmin(counts)])


def _fit_predict(task, x_train, y_train, x_test, mask, classes, seed) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if task == REGRESSION:
        if np.ptp(y_train) == 0:
            return np.full(len(x_test), y_train[0], dtype=float)
        model = HistGradientBoostingRegressor(max_iter=200, categorical_features=mask, random_state=seed)
        return model.fit(fillable(x_train), y_train).predict(x_test)
    probabilities = np.zeros((len(x_test), len(classes)))
    present = np.unique(y_train)
    if len(present) == 1:  # a table with one class predicts it with certainty
        probabilities[:, np.searchsorted(classes, present[0])] = 1.0
        return probabilities
    model = HistGradientBoostingClassifier(max_iter=200, categorical_features=mask, random_state=seed)
    model.fit(fillable(x_train), y_train)
    probabilities[:, np.searchsorted(classes, model.classes_)] = model.predict_proba(x_test)
    return probabilities


def _roc_auc(truth, probabilities, classes, positive) -> float | None:
    from sklearn.metrics import roc_auc_score

    present = np.unique(truth)
    if len(present) < 2:
        return None
    if len(present) == 2:
        positive = positive if positive in present else present[1]
        return float(roc_auc_score(truth == positive, probabilities[:, np.searchsorted(classes, positive)]))
    scores = probabilities[:, np.searchsorted(classes, present)]
    totals = scores.sum(axis=1, keepdims=True)
    scores = np.divide(scores, totals, out=np.full_like(scores, 1 / len(present)), where=totals > 0)
    return float(roc_auc_score(truth, scores, multi_class="ovr", average="macro", labels=present))


def _difference(tstr, trtr):
    return None if tstr is None or trtr is None else tstr - trtr
