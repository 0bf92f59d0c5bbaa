"""evaluate(): the report's contract (keys, JSON, HTML), skipped sections, input errors."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import synthgan
from synthgan import DataError, ParameterError
from synthgan.evaluation import HEADLINE_KEYS, EvaluationReport, Settings, evaluate

FAST = Settings(detection_rows=1500, utility_rows=1500, privacy_rows=1000, plot_rows=1500, pca_rows=800)
SECTIONS = ["fidelity", "detection", "utility", "privacy", "fairness", "profile"]


@pytest.fixture(scope="module")
def split(adult: pd.DataFrame):
    table = adult.sample(4500, random_state=3).reset_index(drop=True)
    train, holdout, other = table.iloc[:1500], table.iloc[1500:3000], table.iloc[3000:]
    fake = other.reset_index(drop=True).copy()
    fake["age"] = np.random.default_rng(0).permutation(fake["age"].to_numpy())
    return train.reset_index(drop=True), holdout.reset_index(drop=True), fake


@pytest.fixture(scope="module")
def full(split) -> EvaluationReport:
    train, holdout, fake = split
    return evaluate(train, fake, holdout, target="income", sensitive=["sex", "race"], settings=FAST)


def test_top_level_keys_and_metric_records(full):
    figures = full.to_dict()
    assert set(HEADLINE_KEYS) >= {"score", "detection_auc", "tstr", "trtr", "dcr_share", "exact_copies"}
    for key in [*HEADLINE_KEYS, *SECTIONS]:
        assert key in figures, key
    assert figures["score"] == full.score and 0 < full.score <= 1
    assert 0.5 <= figures["detection_auc"] <= 1
    assert set(figures["tstr"]) == {"roc_auc", "macro_f1", "accuracy"} == set(figures["trtr"])
    assert 0 <= figures["dcr_share"] <= 1
    assert figures["exact_copies"] == 0
    for name in SECTIONS:
        section = figures[name]
        assert section["status"] == "ok", (name, section["skipped_reason"])
        assert section["verdict"]["status"] in {"good", "fair", "poor", "info"}
        assert section["verdict"]["rule"]
        for metric in section["metrics"]:
            assert {"name", "kind", "direction", "value"} <= set(metric)
            assert metric["kind"] == name
            assert metric["direction"] in {"higher", "lower", "target", "info"}


def test_json_is_strict_and_round_trips(full, tmp_path):
    path = tmp_path / "figures.json"
    text = full.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text)  # strict JSON: no NaN, no numpy types
    assert "NaN" not in text


def test_fairness_rates_agree_with_pandas(full, split):
    train, _, fake = split
    rows = {r["group"]: r for r in full["fairness"].tables["groups[sex]"]}
    for group in ("Male", "Female"):
        assert rows[group]["real_rate"] == pytest.approx((train.loc[train["sex"] == group, "income"] == ">50K").mean())
        assert rows[group]["synthetic_rate"] == pytest.approx(
            (fake.loc[fake["sex"] == group, "income"] == ">50K").mean()
        )
        assert rows[group]["trtr_roc_auc"] is not None


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.sources.append(attrs.get("src", ""))
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)


def test_html_is_self_contained_with_decodable_png_images(full, tmp_path):
    from matplotlib.image import imread

    path = tmp_path / "report.html"
    full.to_html(path)
    parser = _Images()
    parser.feed(path.read_text(encoding="utf-8"))
    assert not parser.external
    # shape scores, 16 column overlays, PCA, heatmaps, DCR histograms, two fairness charts
    assert len(parser.sources) >= 20
    prefix = "data:image/png;base64,"
    for source in parser.sources:
        assert source.startswith(prefix)
        data = base64.b64decode(source[len(prefix) :], validate=True)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        pixels = imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 50 and pixels.shape[1] > 50
        assert pixels.std() > 0.01  # not a blank image


def test_sections_without_their_inputs_are_skipped_with_reasons(split):
    train, _, fake = split
    figures = evaluate(train, fake, settings=FAST, sections=["fidelity", "utility", "privacy", "fairness"]).to_dict()
    assert figures["tstr"] is None and figures["trtr"] is None and figures["dcr_share"] is None
    assert figures["detection_auc"] is None
    assert isinstance(figures["exact_copies"], int)
    assert "target" in figures["utility"]["skipped_reason"]
    assert "sensitive" in figures["fairness"]["skipped_reason"]
    assert figures["detection"]["skipped_reason"] == "not requested"
    assert any("holdout" in note for note in figures["privacy"]["notes"])
    with_target = evaluate(train, fake, target="income", sections=["utility"], settings=FAST).to_dict()
    assert "holdout" in with_target["utility"]["skipped_reason"]


def test_regression_target(split):
    train, holdout, fake = split
    report = evaluate(
        train, fake, holdout, target="hours-per-week", sensitive="sex", settings=FAST, sections=["utility", "fairness"]
    )
    figures = report.to_dict()
    assert set(figures["tstr"]) == {"r2", "mae"}
    assert figures["trtr"]["r2"] > 0
    assert "standard deviations" in " ".join(figures["fairness"]["notes"])


def test_mismatched_columns_and_types_are_listed(split):
    train, _, fake = split
    bad = fake.drop(columns=["sex"]).assign(extra=1, age=fake["age"].astype(str) + " years")
    with pytest.raises(DataError) as error:
        evaluate(train, bad)
    message = str(error.value)
    assert "'sex'" in message and "'extra'" in message and "'age'" in message


def test_unknown_column_and_section(split):
    train, _, fake = split
    with pytest.raises(DataError, match="Did you mean 'income'"):
        evaluate(train, fake, target="incme")
    with pytest.raises(ParameterError, match="Unknown section"):
        evaluate(train, fake, sections=["fidelty"])


def test_same_seed_same_figures(split):
    train, holdout, fake = split
    runs = [
        evaluate(
            train, fake, holdout, target="income", seed=5, settings=FAST, sections=["detection", "privacy"]
        ).to_dict()
        for _ in range(2)
    ]
    for figures in runs:
        figures.pop("timings_s")
        figures["inputs"].pop("created")
        for name in SECTIONS:
            figures[name].pop("seconds")
    assert runs[0] == runs[1]


def test_identifier_columns_are_left_out(split):
    train, _, fake = split
    train = train.assign(row_id=np.arange(len(train)))
    fake = fake.assign(row_id=np.arange(len(fake)) + 10**6)
    report = evaluate(train, fake, sections=["fidelity", "privacy"])
    assert report.inputs["identifiers"] == ["row_id"]
    assert "row_id" not in {r["column"] for r in report["fidelity"].tables["column_shapes"]}


def test_import_stays_light():
    """Neither ``import synthgan`` nor importing ``evaluate`` loads matplotlib or torch."""
    code = (
        "import sys, synthgan; from synthgan import evaluate; "
        "print(sorted(m for m in ('matplotlib', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert synthgan.evaluate is evaluate
