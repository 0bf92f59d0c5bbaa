"""Anomaly scores: planted impossible rows stand out, scores are exact to reproduce, and the CLI writes them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import synthgan.families.argan_scoring as argan_scoring
from synthgan import Synthesizer
from synthgan.cli import app
from synthgan.data.surprise import UNSEEN_NATS
from synthgan.errors import DataError, ParameterError

QUICK_ARGAN = {"epochs": 15, "refine": "none", "seed": 0, "verbose": False}
QUICK_CTGAN = {"epochs": 5, "seed": 0, "verbose": False}


def normal_rows(n: int, seed: int) -> pd.DataFrame:
    """A category that fixes where a number lies, and an independent count."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["small", "large"], n, p=[0.6, 0.4])
    size = np.where(kind == "small", rng.normal(10, 1, n), rng.normal(30, 2, n)).round(2)
    return pd.DataFrame({"kind": kind, "size": size, "count": rng.integers(0, 6, n)})


def planted_rows() -> pd.DataFrame:
    """Rows no real row resembles: a known category with the other's sizes, and a size far out of range."""
    return pd.DataFrame(
        {
            "kind": ["small"] * 10 + ["large"] * 10 + ["small"] * 5,
            "size": [30.0] * 10 + [10.0] * 10 + [500.0] * 5,
            "count": [2] * 25,
        }
    )


@pytest.fixture(scope="module")
def training() -> pd.DataFrame:
    return normal_rows(3_000, seed=0)


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return pd.concat([normal_rows(1_000, seed=1), planted_rows()], ignore_index=True)


@pytest.fixture(scope="module")
def argan(training):
    return Synthesizer("argan", **QUICK_ARGAN).fit(training)


@pytest.fixture(scope="module")
def ctgan(training):
    return Synthesizer("ctgan", **QUICK_CTGAN).fit(training)


def test_argan_scores_planted_rows_above_the_99th_percentile_of_normal_rows(argan, scored):
    scores = argan.anomaly_scores(scored)
    normal, planted = scores.iloc[:1_000], scores.iloc[1_000:]
    assert (planted > normal.quantile(0.99)).all(), planted.describe()


def test_per_column_shares_sum_to_the_score_and_point_at_the_odd_cell(argan, scored):
    shares = argan.anomaly_scores(scored, per_column=True)
    assert list(shares.columns) == list(scored.columns)
    np.testing.assert_allclose(shares.sum(axis=1), argan.anomaly_scores(scored), rtol=1e-9)
    far_out = shares.iloc[-5:]
    assert (far_out["size"] > UNSEEN_NATS).all() and (far_out["size"] > far_out["kind"] + far_out["count"]).all()


def test_scores_keep_the_index_leave_the_input_alone_and_repeat_exactly(argan, scored):
    table = scored.set_index(pd.Index([f"r{i}" for i in range(len(scored))]))
    before = table.copy()
    first = argan.anomaly_scores(table)
    pd.testing.assert_frame_equal(table, before)
    assert list(first.index) == list(table.index)
    pd.testing.assert_series_equal(first, argan.anomaly_scores(table))
    assert not np.allclose(first, argan.anomaly_scores(table, seed=123))  # other orders, other estimate


def test_scores_do_not_depend_on_the_chunk_size(argan, scored, monkeypatch):
    whole = argan.anomaly_scores(scored)
    monkeypatch.setattr(argan_scoring, "SCORE_CHUNK", 97)
    np.testing.assert_allclose(argan.anomaly_scores(scored), whole, rtol=1e-6)


def test_unseen_categories_and_missing_values_are_scored_not_refused(argan):
    odd = pd.DataFrame({"kind": ["small", "medium", None], "size": [10.0, 10.0, np.nan], "count": [1, 1, 1]})
    scores = argan.anomaly_scores(odd)
    assert scores.iloc[1] > scores.iloc[0] + UNSEEN_NATS / 2 and scores.iloc[2] > scores.iloc[0] + UNSEEN_NATS
    with pytest.raises(DataError, match="lacks column"):
        argan.anomaly_scores(odd.drop(columns="count"))


def test_an_exact_rule_broken_adds_its_surprise(argan, monkeypatch):
    assert argan.rules_, "in every real row most of the size's bins fix the kind"
    rows = pd.DataFrame({"kind": ["small", "large"], "size": [10.0, 10.0], "count": [1, 1]})
    with_rules = argan.anomaly_scores(rows)
    monkeypatch.setattr(argan, "rules_", [])
    without = argan.anomaly_scores(rows)
    assert with_rules.iloc[0] == pytest.approx(without.iloc[0])  # the ordinary row breaks none
    assert with_rules.iloc[1] - without.iloc[1] >= UNSEEN_NATS - 1e-9


def test_ctgan_critic_scores_survive_a_model_file(ctgan, scored, tmp_path):
    scores = ctgan.anomaly_scores(scored)
    assert scores.notna().all() and scores.index.equals(scored.index)
    far_out = scores.iloc[-5:]
    assert (far_out > scores.iloc[:1_000].quantile(0.99)).all()  # out of range costs its surprise
    shares = ctgan.anomaly_scores(scored, per_column=True)
    assert "critic" in shares.columns
    np.testing.assert_allclose(shares.sum(axis=1), scores, rtol=1e-9)
    path = tmp_path / "ctgan.synthgan"
    ctgan.save(path)
    pd.testing.assert_series_equal(Synthesizer.load(path).anomaly_scores(scored), scores)


def test_a_model_without_its_critic_still_saves_and_samples(ctgan, tmp_path, monkeypatch):
    monkeypatch.setattr(ctgan, "critic_", None)  # as loaded from a file older than saved critics
    path = tmp_path / "old.synthgan"
    ctgan.save(path)
    again = Synthesizer.load(path)
    assert again.critic_ is None
    pd.testing.assert_frame_equal(again.sample(50, seed=3), ctgan.sample(50, seed=3))


def test_argan_scores_survive_a_model_file(argan, scored, tmp_path):
    path = tmp_path / "argan.synthgan"
    argan.save(path)
    pd.testing.assert_series_equal(Synthesizer.load(path).anomaly_scores(scored), argan.anomaly_scores(scored))


def test_models_without_scores_say_so():
    with pytest.raises(ParameterError, match="table models"):
        Synthesizer("timegan").anomaly_scores(pd.DataFrame({"a": [1]}))


def test_cli_score_writes_the_rows_with_their_score(argan, scored, tmp_path):
    model, data = tmp_path / "m.synthgan", tmp_path / "rows.csv"
    argan.save(model)
    scored.assign(id=[f"r{i}" for i in range(len(scored))]).to_csv(data, index=False)
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(model), str(data), "-o", str(tmp_path / "s.csv"), "--per-column"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "s.csv")
    assert list(out.columns[:4]) == ["kind", "size", "count", "id"] and "anomaly_score:size" in out.columns
    np.testing.assert_allclose(out["anomaly_score"], argan.anomaly_scores(scored), rtol=1e-6)
    only = runner.invoke(
        app, ["score", str(model), str(data), "-o", str(tmp_path / "o.csv"), "--only-score", "--id-column", "id"]
    )
    assert only.exit_code == 0, only.output
    assert list(pd.read_csv(tmp_path / "o.csv").columns) == ["id", "anomaly_score"]
    bad = runner.invoke(
        app, ["score", str(model), str(data), "-o", str(tmp_path / "b.csv"), "--only-score", "--id-column", "nope"]
    )
    assert bad.exit_code == 2 and "nope" in bad.output and not (tmp_path / "b.csv").exists()
