"""Detection: can a classifier tell real rows from synthetic ones? (a classifier two-sample test)

A gradient-boosted tree model learns to label rows "real" or "synthetic" on a seeded subsample of each
table; its cross-validated ROC AUC is 0.5 when the tables cannot be told apart and 1.0 when every row
gives itself away. SDMetrics' detection metrics report ``1 - (2 * max(AUC, 0.5) - 1)``; we give both.
"""

from __future__ import annotations

import numpy as np

from synthgan.evaluation.encoding import fillable, tree_features
from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import HIGHER, INFO, TARGET, Section, Verdict, grade

__all__ = ["detection"]

GOOD_AUC, FAIR_AUC = 0.60, 0.75


def detection(tables: Tables) -> Section:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    section = Section("detection", "Detection")
    settings = tables.settings
    folds = settings.detection_folds
    smallest = min(tables.rows("real"), tables.rows("synthetic"))
    if smallest < 5 * folds:
        return section.skip(f"needs at least {5 * folds} rows in each table for {folds}-fold cross-validation")
    real_rows = tables.sample("real", settings.detection_rows, "detection")
    synthetic_rows = tables.sample("synthetic", settings.detection_rows, "detection")
    real, mask = tree_features(tables, "real", real_rows, tables.columns)
    synthetic, _ = tree_features(tables, "synthetic", synthetic_rows, tables.columns)
    features = np.vstack([real, synthetic])
    labels = np.concatenate([np.zeros(len(real), dtype=int), np.ones(len(synthetic), dtype=int)])

    aucs = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=tables.seed)
    for train, test in splitter.split(features, labels):
        model = HistGradientBoostingClassifier(
            max_iter=100, early_stopping=False, categorical_features=mask, random_state=tables.seed
        )
        model.fit(fillable(features[train]), labels[train])
        aucs.append(roc_auc_score(labels[test], model.predict_proba(features[test])[:, 1]))
    auc = float(np.mean(aucs))
    section.add(
        "detection_auc", auc, TARGET, target=0.5, note=f"mean ROC AUC over {folds} folds; 0.5 = indistinguishable"
    )
    section.add("detection_auc_std", float(np.std(aucs)), INFO)
    section.add(
        "detection_score", 1 - (2 * max(auc, 0.5) - 1), HIGHER, note="SDMetrics convention: 1 - (2 max(AUC, 0.5) - 1)"
    )
    section.tables["folds"] = [{"fold": i + 1, "roc_auc": value} for i, value in enumerate(aucs)]
    section.notes.append(
        f"HistGradientBoosting classifier (100 trees), {folds}-fold cross-validation on a seeded subsample of "
        f"{len(real):,} real and {len(synthetic):,} synthetic rows."
    )
    rule = f"good if AUC ≤ {GOOD_AUC}, fair if ≤ {FAIR_AUC}, else poor"
    status = grade(auc, GOOD_AUC, FAIR_AUC)
    section.verdict = Verdict(status, f"AUC {auc:.3f}", rule)
    return section
