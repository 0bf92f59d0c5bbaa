"""The peers benchmark harness (benchmarks/peers/): its judge on tiny data, and that every failure
(environment not set up or not installable, crash, silent death, time-out, engine missing) becomes
a row that says so and why. No peer library is needed: the runner's debug adapters stand in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from peers import envs, harness, judge, report

DISCRETE = ["color", "label"]


def tiny_table(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    random = np.random.default_rng(seed)
    x = random.normal(size=rows)
    color = random.choice(["red", "green", "blue"], size=rows)
    noise = random.normal(scale=0.5, size=rows)
    label = np.where(x + (color == "red") + noise > 0.5, "yes", "no")
    return pd.DataFrame({"x": x.round(3), "age": random.integers(18, 90, size=rows), "color": color, "label": label})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> harness.Prepared:
    workdir = tmp_path_factory.mktemp("peers")
    return harness.from_frame(harness.DatasetSpec("tiny", "tiny"), tiny_table(), DISCRETE, "label", workdir)


# --------------------------------------------------------------------------- the judge
def test_canonical_puts_every_library_on_the_same_footing():
    frame = pd.DataFrame({"code": [1.0, 2, None], "flag": [True, False, True], "n": ["1.5", "2", None]})
    out = judge.canonical(frame, ["code", "flag", "n"], ["code", "flag"])
    assert out["code"].tolist()[:2] == ["1", "2"] and pd.isna(out["code"][2])
    assert out["flag"].tolist() == ["True", "False", "True"]
    assert out["n"].dtype == float and out["n"].tolist()[:2] == [1.5, 2.0]
    strings = judge.canonical(pd.DataFrame({"code": ["1.0", "2", "x"]}), ["code"], ["code"])
    assert strings["code"].tolist() == ["1", "2", "x"]


def test_the_split_is_the_same_80_20_for_everyone(tiny):
    assert (len(tiny.train), len(tiny.holdout)) == (320, 80)
    again, _ = harness.split(tiny_table())
    pd.testing.assert_frame_equal(again, tiny.train)


def test_copies_of_the_training_rows_are_caught(tiny):
    copies = tiny.train.sample(len(tiny.train), replace=True, random_state=1)
    scores = judge.judge(tiny.train_canonical, tiny.holdout_canonical, copies, DISCRETE, "label")
    assert scores["exact_copy_rate"] == 1.0
    assert scores["quality"] > 0.9
    # Equal-size references: a copier is closer to the training sample for the rows it contains.
    assert scores["dcr_share"] > 0.55
    assert scores["tstr_auc"] > 0.75


def test_unseen_real_rows_are_not_copies_and_sit_near_the_holdout(tiny):
    scores = judge.judge(tiny.train_canonical, tiny.holdout_canonical, tiny.holdout, DISCRETE, "label")
    assert scores["exact_copy_rate"] == 0.0
    assert scores["dcr_share"] < 0.3  # every row is in the holdout reference itself
    noise = tiny.train.assign(x=np.random.default_rng(3).permutation(tiny.train["x"].to_numpy()) * 5)
    assert judge.quality(tiny.train_canonical, judge.canonical(noise, list(noise), DISCRETE), DISCRETE)["quality"] < 0.9


def test_tstr_of_a_single_class_table_is_chance(tiny):
    one_class = tiny.train_canonical.assign(label="no")
    assert judge.tstr_auc(one_class, tiny.holdout_canonical, "label", DISCRETE, "yes") == 0.5
    assert judge.positive_class(tiny.train_canonical, "label") == "yes"


# --------------------------------------------------------------------------- failures become rows
def _model(name: str, env: str = envs.MAIN) -> harness.ModelSpec:
    return harness.ModelSpec(name, env, "debug", name)


def test_a_good_run_has_timings_memory_and_scores(tiny, tmp_path):
    row = harness.run_one(_model("debug_copy"), tiny, tmp_path, epochs=1, timeout=120)
    assert row["status"] == "ok", row
    assert row["peak_rss_mb"] > 10 and row["fit_seconds"] >= 0 and row["sample_rows_per_s"] > 0
    assert row["exact_copy_rate"] == 1.0


def test_a_crash_gives_a_row_with_the_reason(tiny, tmp_path):
    row = harness.run_one(_model("debug_crash"), tiny, tmp_path, epochs=1, timeout=120)
    assert row["status"] == "crashed"
    assert "deliberate crash" in row["reason"]


def test_a_silent_death_gives_a_row_with_the_exit_code(tiny, tmp_path):
    row = harness.run_one(_model("debug_exit"), tiny, tmp_path, epochs=1, timeout=120)
    assert row["status"] == "crashed"
    assert "exit code 3" in row["reason"]


def test_a_run_past_its_limit_is_killed_and_says_so(tiny, tmp_path):
    row = harness.run_one(_model("debug_sleep"), tiny, tmp_path, epochs=1, timeout=3)
    assert row["status"] == "timed out"
    assert "3 s limit" in row["reason"]


def test_missing_engine_gives_an_unavailable_row(tiny, tmp_path):
    reason = "synthgan engine not available: ImportError: nope"
    row = harness.run_one(_model("synthgan_ctgan"), tiny, tmp_path, epochs=1, timeout=60, unavailable_reason=reason)
    assert (row["status"], row["reason"]) == ("unavailable", reason)


def test_a_peer_whose_environment_is_missing_or_failed_says_why(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(envs, "ENVS_DIR", tmp_path / "envs")
    row = harness.run_one(_model("sdv_ctgan", "sdv"), tiny, tmp_path, epochs=1, timeout=60)
    assert row["status"] == "not installed"
    assert "not set up" in row["reason"] and "--setup sdv" in row["reason"]

    # An environment whose set-up fails records why; every row of that peer repeats it.
    spec = envs.EnvSpec(name="ancient", requirements=("x",), max_python=(2, 0))
    monkeypatch.setitem(envs.SPECS, "ancient", spec)
    status = envs.setup("ancient", log=lambda *_: None)
    assert not status["ok"] and "needs Python <= 2.0" in status["reason"]
    assert json.loads((tmp_path / "envs" / "ancient.json").read_text())["ok"] is False
    row = harness.run_one(_model("ydata_ctgan", "ancient"), tiny, tmp_path, epochs=1, timeout=60)
    assert row["status"] == "not installed" and "needs Python <= 2.0" in row["reason"]


def test_pip_conflicts_are_summarised():
    text = (
        "WARNING: Location 'file:///x' is ignored\nThe conflict is caused by:\n"
        "    synthcity 0.2.12 depends on torch<2.3 and >=2.1\n    The user requested (constraint) torch==2.13.0\n\n"
        "ERROR: ResolutionImpossible"
    )
    assert envs._tail_errors(text) == (
        "conflict: synthcity 0.2.12 depends on torch<2.3 and >=2.1; The user requested (constraint) torch==2.13.0"
    )


# --------------------------------------------------------------------------- the report
def test_the_report_says_plainly_where_synthgan_is_not_ahead(tmp_path):
    def row(model, library, quality, tstr, dcr, fit, status="ok"):
        return {
            "dataset": "adult",
            "model": model,
            "library": library,
            "status": status,
            "quality": quality,
            "column_shapes": quality,
            "column_pair_trends": quality,
            "tstr_auc": tstr,
            "dcr_share": dcr,
            "exact_copy_rate": 0.0,
            "fit_seconds": fit,
            "sample_rows_per_s": 1e4,
            "peak_rss_mb": 500.0,
            "epochs": 5,
        }

    document = {
        "kind": "quick",
        "settings": {"rows": 2500, "epochs": 5},
        "machine": {"cores": 2, "cpu": "test cpu"},
        "environments": {"synthcity": {"ok": False, "reason": "conflict: torch<2.3"}},
        "datasets": {
            "adult": {
                "source": "adult",
                "train_rows": 2000,
                "holdout_rows": 500,
                "target": "income",
                "positive_class": ">50K",
            }
        },
        "rows": [
            row("synthgan_ctgan", "synthgan", 0.80, 0.85, 0.52, 10.0),
            row("ctgan_pkg", "ctgan", 0.85, 0.80, 0.50, 20.0),
            {
                "dataset": "adult",
                "model": "synthcity_ctgan",
                "library": "synthcity",
                "status": "not installed",
                "reason": "conflict: torch<2.3",
            },
        ],
    }
    results = tmp_path / "peers_quick.json"
    results.write_text(json.dumps(document))
    check = report.goal_check(document["rows"])
    assert (check["quality_ok"], check["tstr_ok"], check["dcr_ok"], check["time_ok"]) == (False, True, True, True)
    doc = report.render(results, tmp_path / "peers.md", tmp_path / "scatter.png")
    text = doc.read_text()
    assert "Quick-mode figures" in text
    assert "| adult | synthgan_ctgan | 0.800 | ctgan_pkg (0.850) | **no** |" in text
    assert "`synthcity_ctgan` (synthcity): **not installed**: conflict: torch<2.3" in text
    assert (tmp_path / "scatter.png").stat().st_size > 1000
