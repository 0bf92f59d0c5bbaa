"""Fidelity: our column shapes, pair trends and overall score against SDMetrics' QualityReport."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from synthgan.evaluation import Settings, evaluate
from synthgan.evaluation.fidelity import ks_complement, sdmetrics_metadata, tv_complement

TOLERANCE = 0.01


@pytest.fixture(scope="module")
def halves(adult: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real = one half of Adult; "synthetic" = the other half with columns perturbed, shuffled and
    blanked, plus a datetime column with gaps, so that neither shapes nor trends are trivially 1."""
    rng = np.random.default_rng(0)
    table = adult.sample(12_000, random_state=0).reset_index(drop=True)
    table["signup"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        table["age"] * 7 + rng.integers(0, 30, len(table)), unit="D"
    )
    table.loc[rng.random(len(table)) < 0.05, "signup"] = pd.NaT
    real = table.iloc[:6000].reset_index(drop=True)
    fake = table.iloc[6000:].reset_index(drop=True)
    fake["age"] = rng.permutation(fake["age"].to_numpy())  # same shape, broken trends
    fake["occupation"] = rng.permutation(fake["occupation"].to_numpy())
    fake["hours-per-week"] = (fake["hours-per-week"] + rng.normal(0, 6, len(fake))).round().clip(1, 99)
    fake["capital-gain"] = fake["capital-gain"] * 2
    fake.loc[rng.random(len(fake)) < 0.2, "workclass"] = np.nan
    fake["signup"] = rng.permutation(fake["signup"].to_numpy())
    return real, fake


def _sdmetrics(real, fake, metadata, correlation_threshold, association_threshold):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics announces the single-table report's deprecation
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.real_correlation_threshold = correlation_threshold
        report.real_association_threshold = association_threshold
        report.generate(real, fake, metadata, verbose=False)
    return report


@pytest.mark.parametrize("thresholds", [(0.5, 0.3), (0.0, 0.0)], ids=["sdmetrics-defaults", "all-pairs"])
def test_scores_match_sdmetrics_quality_report(halves, thresholds):
    real, fake = halves
    settings = Settings(correlation_threshold=thresholds[0], association_threshold=thresholds[1])
    ours = evaluate(real, fake, sections=["fidelity"], settings=settings).to_dict()
    from synthgan.data.schema import infer_schema

    theirs = _sdmetrics(real, fake, sdmetrics_metadata(infer_schema(real)), *thresholds)
    properties = theirs.get_properties().set_index("Property")["Score"]

    assert ours["column_shapes"] == pytest.approx(properties["Column Shapes"], abs=TOLERANCE)
    assert ours["column_pair_trends"] == pytest.approx(properties["Column Pair Trends"], abs=TOLERANCE)
    assert ours["score"] == pytest.approx(theirs.get_score(), abs=TOLERANCE)
    assert 0.5 < ours["score"] < 0.99  # the perturbations are visible

    # Column by column and pair by pair too, on the pairs SDMetrics counts.
    shapes = theirs.get_details("Column Shapes").set_index("Column")["Score"]
    for row in ours["fidelity"]["tables"]["column_shapes"]:
        assert row["score"] == pytest.approx(shapes[row["column"]], abs=1e-9), row["column"]
    details = theirs.get_details("Column Pair Trends")
    counted = details[details["Meets Threshold?"].fillna(False).astype(bool)]
    expected = {(r["Column 1"], r["Column 2"]): r["Score"] for _, r in counted.iterrows()}
    got = {
        (r["column_1"], r["column_2"]): r["score"]
        for r in ours["fidelity"]["tables"]["column_pair_trends"]
        if r["meets_threshold"]
    }
    assert got.keys() == expected.keys()
    for pair, score in expected.items():
        assert got[pair] == pytest.approx(score, abs=1e-9), pair


def test_all_pairs_figure_differs_from_thresholded(halves):
    real, fake = halves
    fidelity = evaluate(real, fake, sections=["fidelity"]).to_dict()["fidelity"]
    values = {m["name"]: m["value"] for m in fidelity["metrics"]}
    assert values["pairs_counted"] < values["pairs_total"]
    assert values["column_pair_trends_all_pairs"] != pytest.approx(values["column_pair_trends"], abs=1e-6)


def test_ks_complement_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=500), rng.normal(0.3, 1.2, size=700)
    b[:20] = np.nan
    assert ks_complement(a, b) == pytest.approx(1 - ks_2samp(a, b[~np.isnan(b)]).statistic, abs=1e-12)
    assert np.isnan(ks_complement(a, np.full(3, np.nan)))


def test_tv_complement_ignores_missing_code():
    real = np.array([0, 0, 1, 2, 2])  # code 2 = missing
    synthetic = np.array([0, 1, 1, 2])
    # non-missing shares: real (2/3, 1/3), synthetic (1/3, 2/3) -> TV = 1/3
    assert tv_complement(real, synthetic, 3, na_code=2) == pytest.approx(2 / 3)


def test_identical_tables_score_one(adult_small):
    report = evaluate(adult_small, adult_small.copy(), sections=["fidelity"])
    assert report.score == pytest.approx(1.0)
    values = {m.name: m.value for m in report["fidelity"].metrics}
    assert values["category_coverage"] == pytest.approx(1.0)
    assert values["range_coverage"] == pytest.approx(1.0)


def test_coverage_sees_lost_categories_and_ranges(adult_small):
    fake = adult_small.copy()
    fake["race"] = "White"
    fake["age"] = fake["age"].clip(upper=40)
    rows = {r["column"]: r for r in evaluate(adult_small, fake, sections=["fidelity"])["fidelity"].tables["coverage"]}
    assert rows["race"]["category_coverage"] == pytest.approx(1 / adult_small["race"].nunique())
    span = adult_small["age"].max() - adult_small["age"].min()
    assert rows["age"]["range_coverage"] == pytest.approx(1 - (adult_small["age"].max() - 40) / span)
    assert rows["age"]["boundary_adherence"] == pytest.approx(1.0)
