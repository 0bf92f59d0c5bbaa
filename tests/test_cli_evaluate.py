"""`synthgan evaluate`, run in-process."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synthgan.cli.app import run


@pytest.fixture(scope="module")
def files(tmp_path_factory, adult: pd.DataFrame):
    folder = tmp_path_factory.mktemp("evaluate")
    table = adult.sample(2400, random_state=11).reset_index(drop=True)
    fake = table.iloc[1600:].copy()
    fake["age"] = np.random.default_rng(0).permutation(fake["age"].to_numpy())
    paths = {name: folder / f"{name}.csv" for name in ("real", "holdout", "fake")}
    table.iloc[:800].to_csv(paths["real"], index=False)
    table.iloc[800:1600].to_csv(paths["holdout"], index=False)
    fake.to_csv(paths["fake"], index=False)
    return folder, paths


def test_summary_report_and_json(files, capsys):
    folder, paths = files
    report, figures = folder / "out" / "report.html", folder / "out" / "figures.json"
    code = run(
        [
            "evaluate",
            str(paths["real"]),
            str(paths["fake"]),
            "--holdout",
            str(paths["holdout"]),
            "--target",
            "income",
            "--sensitive",
            "sex,race",
            "--report",
            str(report),
            "--json",
            str(figures),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Overall quality" in out
    for title in ("Fidelity", "Detection", "Utility", "Privacy", "Fairness", "Profile"):
        assert title in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    data = json.loads(figures.read_text())
    assert data["tstr"]["roc_auc"] > 0.5 and data["exact_copies"] == 0
    assert data["inputs"]["sensitive"] == ["sex", "race"]


def test_json_to_stdout(files, capsys):
    _, paths = files
    assert run(["evaluate", str(paths["real"]), str(paths["fake"]), "--sections", "fidelity", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] > 0.5 and data["utility"]["status"] == "skipped"


def test_mismatched_tables_exit_1_with_the_columns_named(files, tmp_path, capsys):
    _, paths = files
    bad = pd.read_csv(paths["fake"]).drop(columns=["race"])
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert run(["evaluate", str(paths["real"]), str(tmp_path / "bad.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "'race'" in err


def test_unknown_target_exits_1(files, capsys):
    _, paths = files
    assert run(["evaluate", str(paths["real"]), str(paths["fake"]), "--target", "incom"]) == 1
    assert "Did you mean 'income'?" in capsys.readouterr().err
