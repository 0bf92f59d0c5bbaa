"""Awkward but legal inputs: every kind of column, nullable dtypes, gaps, new categories, tiny tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthgan import ParameterError
from synthgan.evaluation import Settings, evaluate

SETTINGS = Settings(detection_rows=400, utility_rows=400, privacy_rows=300, plot_rows=400, pca_rows=300)


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 50.0, n).round(2)
    amount[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "id": [f"u{seed}-{i:05d}" for i in range(n)],
            "when": pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"))
            .dt.strftime("%Y-%m-%d")
            .astype(object),
            "flag": rng.random(n) < 0.3,
            "count": pd.array(rng.poisson(3, n), dtype="Int64"),
            "amount": amount,
            "city": pd.array(rng.choice(["north", "south", "east", None], n, p=[0.5, 0.3, 0.15, 0.05]), dtype="string"),
            "source": "web",
            "label": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
        }
    )


def test_every_kind_of_column_end_to_end(tmp_path):
    real, holdout, synthetic = _table(600, 0), _table(400, 1), _table(500, 2)
    synthetic["amount"] = np.nan  # the generator lost a column
    synthetic.loc[:20, "city"] = "west"  # and invented a category
    report = evaluate(real, synthetic, holdout, target="label", sensitive=["city", "amount"], settings=SETTINGS)
    figures = json.loads(report.to_json())
    kinds = figures["inputs"]["kinds"]
    assert kinds["id"] == "identifier" and kinds["when"] == "datetime" and kinds["source"] == "constant"
    assert figures["inputs"]["identifiers"] == ["id"]
    shapes = {row["column"]: row["score"] for row in figures["fidelity"]["tables"]["column_shapes"]}
    assert shapes["amount"] is None  # nothing to compare: left out of the mean, not a crash
    assert shapes["source"] == pytest.approx(1.0)
    coverage = {row["column"]: row for row in figures["fidelity"]["tables"]["coverage"]}
    assert coverage["city"]["new_category_share"] > 0
    assert coverage["amount"]["missing_synthetic"] == 1.0
    assert figures["tstr"]["roc_auc"] is not None  # three classes: one-vs-rest macro ROC AUC
    groups = figures["fairness"]["tables"]["groups[amount]"]
    assert [g["group"] for g in groups][-1] == "(missing)"  # numeric sensitive column: quartiles + missing
    html = report.to_html(tmp_path / "edge.html")
    assert html.count("data:image/png;base64,") >= 8


def test_tiny_tables_skip_what_they_cannot_support():
    real, synthetic = _table(12, 0), _table(12, 1)
    figures = evaluate(real.drop(columns="id"), synthetic.drop(columns="id"), settings=SETTINGS).to_dict()
    assert figures["detection"]["status"] == "skipped"
    assert "rows" in figures["detection"]["skipped_reason"]
    assert figures["score"] is not None


def test_single_class_synthetic_target_still_scores(adult_small):
    train, holdout, synthetic = adult_small.iloc[:700], adult_small.iloc[700:1400], adult_small.iloc[1400:].copy()
    synthetic["income"] = "<=50K"  # mode collapse: the generator never produces the rarer class
    figures = evaluate(train, synthetic, holdout, target="income", sections=["utility"], settings=SETTINGS).to_dict()
    assert figures["tstr"]["roc_auc"] == pytest.approx(0.5)
    assert figures["trtr"]["roc_auc"] > 0.75
    assert figures["utility"]["verdict"]["status"] == "poor"


def test_identifier_cannot_be_a_sensitive_column():
    real, synthetic = _table(100, 0), _table(100, 1)
    with pytest.raises(ParameterError, match="unique per row"):
        evaluate(real, synthetic, target="label", sensitive=["id"], settings=SETTINGS)
