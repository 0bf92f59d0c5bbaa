"""Privacy: copies of training rows are caught; a fresh real sample looks private."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan.evaluation import Settings, evaluate

SETTINGS = Settings(privacy_rows=1200)


@pytest.fixture(scope="module")
def parts(adult: pd.DataFrame):
    table = adult.drop_duplicates().sample(3600, random_state=7).reset_index(drop=True)
    return table.iloc[:1200].reset_index(drop=True), table.iloc[1200:2400].reset_index(drop=True), table.iloc[2400:]


def _privacy(train, synthetic, holdout, **kwargs):
    report = evaluate(train, synthetic, holdout, sections=["privacy"], settings=SETTINGS, **kwargs)
    return report.to_dict(), report["privacy"]


def test_memorized_training_rows_are_flagged(parts):
    train, holdout, _ = parts
    copied = pd.concat([train.iloc[:900], train.iloc[:300]], ignore_index=True)
    figures, section = _privacy(train, copied, holdout, target="income", sensitive=["sex"])
    assert figures["exact_copies"] == len(copied)
    assert figures["dcr_share"] > 0.95
    assert section.value("membership_inference_auc") > 0.7
    assert section.value("dcr_synthetic_p5") == 0
    assert section.value("attribute_inference_risk[income]") > 0.3
    assert section.verdict.status == "poor"


def test_fresh_real_rows_look_private(parts):
    train, holdout, fresh = parts
    figures, section = _privacy(train, fresh.reset_index(drop=True), holdout, target="income")
    assert figures["dcr_share"] == pytest.approx(0.5, abs=0.06)
    assert section.value("membership_inference_auc") == pytest.approx(0.5, abs=0.06)
    assert section.value("exact_copy_share") <= section.value("exact_copy_share_reference") + 0.01
    assert section.verdict.status == "good"


def test_copies_count_ignores_dtype_differences(parts):
    train, holdout, _ = parts
    synthetic = train.iloc[:10].copy()
    synthetic["age"] = synthetic["age"].astype(float)  # 39 and 39.0 are the same value
    figures, _ = _privacy(train, synthetic, holdout)
    assert figures["exact_copies"] == 10


def test_without_holdout_the_reference_is_the_training_table(parts):
    train, _, fresh = parts
    figures, section = _privacy(train, fresh.reset_index(drop=True), None)
    assert figures["dcr_share"] is None
    assert section.value("membership_inference_auc") is None
    assert section.value("dcr_reference_median") > 0
    assert np.isfinite(section.value("nndr_synthetic_median"))
