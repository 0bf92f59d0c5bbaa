"""Real against synthetic for people: the column figure, the numbers behind it, the report's figures as files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan import evaluate
from synthgan.errors import DataError, ParameterError
from synthgan.evaluation import FIGURES, compare_columns, describe_columns

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    n = 600
    real = pd.DataFrame(
        {
            "days": rng.integers(0, 31, n),
            "bmi": rng.normal(30, 6, n).round(1),
            "group": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
        }
    )
    shifted = real.assign(bmi=real["bmi"] + 5)
    return real, shifted


def test_compare_columns_draws_one_panel_per_column_and_writes_a_png(tables, tmp_path):
    real, shifted = tables
    path = tmp_path / "figures" / "compare.png"
    figure = compare_columns(real, {"same": real, "shifted": shifted}, ["days", "bmi", "group"], path, title="t")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["days", "bmi", "group"]
    assert path.read_bytes()[:8] == PNG and not list(path.parent.glob(".*partial"))
    days = visible[0]
    # whole-number bins: one bar per day 0..30 for the real table, and an outline per synthetic table
    assert len(days.patches) >= 1 and days.get_legend_handles_labels()[1] == ["real", "same", "shifted"]
    group_bars = [p for p in visible[2].patches if p.get_height() > 0]
    assert len(group_bars) == 9  # three levels x (real + two synthetic tables)


def test_compare_columns_errors(tables):
    real, shifted = tables
    with pytest.raises(DataError, match=r"\['nope'\] are not in the real table"):
        compare_columns(real, shifted, ["nope"])
    with pytest.raises(DataError, match="non-empty mapping"):
        compare_columns(real, {}, ["bmi"])


def test_describe_columns_matches_pandas(tables):
    real, shifted = tables
    described = describe_columns(real, {"shifted": shifted}, ["bmi", "group", "days"]).set_index(["column", "table"])
    assert set(described.index.get_level_values("column")) == {"bmi", "days"}  # numeric columns only
    assert described.loc[("bmi", "real"), "mean"] == pytest.approx(real["bmi"].mean())
    assert described.loc[("bmi", "shifted"), "mean"] == pytest.approx(real["bmi"].mean() + 5)
    assert described.loc[("bmi", "real"), "shape"] == 1.0
    assert described.loc[("bmi", "shifted"), "shape"] < 0.8 < described.loc[("days", "shifted"), "shape"]


def test_report_saves_its_figures(tables, tmp_path):
    real, shifted = tables
    report = evaluate(real.iloc[:400], shifted.iloc[:400], holdout=real.iloc[400:], sections=["fidelity", "privacy"])
    for name in FIGURES:
        assert report.save_figure(name, tmp_path / f"{name}.png").read_bytes()[:8] == PNG
    with pytest.raises(ParameterError, match="Unknown figure 'heat'"):
        report.save_figure("heat", tmp_path / "x.png")
    no_privacy = evaluate(real, shifted, sections=["fidelity"])
    with pytest.raises(ParameterError, match="no 'dcr' figure"):
        no_privacy.save_figure("dcr", tmp_path / "dcr.png")
