"""``evaluate`` on tables on disk: read once in batches, sampled for the sections, column shapes exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan import evaluate
from synthgan.evaluation import Settings

SECTIONS = ["fidelity", "detection"]


def _tables(rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    random = np.random.default_rng(3)
    real = pd.DataFrame(
        {
            "age": random.integers(18, 90, rows),
            "city": random.choice(["Oslo", "Rome", "Lima"], rows, p=[0.5, 0.3, 0.2]),
            "score": random.normal(0, 1, rows).round(1),
        }
    )
    synthetic = pd.DataFrame(
        {
            "age": random.integers(18, 80, rows),
            "city": random.choice(["Oslo", "Rome", "Lima"], rows, p=[0.4, 0.4, 0.2]),
            "score": random.normal(0.2, 1, rows).round(1),
        }
    )
    for table in (real, synthetic):
        table["joined"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(random.integers(0, 900, rows), unit="D")
        table.loc[random.random(rows) < 0.05, "city"] = None
    return real, synthetic


def test_tables_on_disk_give_the_figures_of_the_same_tables_in_memory(tmp_path):
    real, synthetic = _tables(2_000)
    real.to_parquet(tmp_path / "real.parquet")
    synthetic.to_csv(tmp_path / "synthetic.csv", index=False)
    on_disk = evaluate(tmp_path / "real.parquet", tmp_path / "synthetic.csv", sections=SECTIONS)
    in_memory = evaluate(real, synthetic, sections=SECTIONS)
    for figure in ("score", "column_shapes", "column_pair_trends"):
        assert on_disk.to_dict()[figure] == pytest.approx(in_memory.to_dict()[figure], abs=1e-12)
    assert on_disk.inputs["streamed"]["real"] == {
        "source": str(tmp_path / "real.parquet"),
        "rows": 2_000,
        "sampled_rows": 2_000,
    }


def test_a_table_larger_than_the_sample_keeps_exact_shapes_and_pair_trends(tmp_path):
    real, synthetic = _tables(6_000)
    real.to_parquet(tmp_path / "real.parquet")
    synthetic.to_parquet(tmp_path / "synthetic.parquet")
    report = evaluate(
        tmp_path / "real.parquet", tmp_path / "synthetic.parquet", sections=SECTIONS, settings=Settings(max_rows=500)
    )
    full = evaluate(real, synthetic, sections=["fidelity"])
    assert report.inputs["real_rows"] == 6_000 and report.inputs["streamed"]["synthetic"]["sampled_rows"] == 500
    for figure in ("column_shapes", "column_pair_trends", "column_pair_trends_all_pairs"):
        assert report["fidelity"].value(figure) == pytest.approx(full["fidelity"].value(figure), abs=1e-9)
    streamed_pairs = pd.DataFrame(report["fidelity"].tables["column_pair_trends"])
    full_pairs = pd.DataFrame(full["fidelity"].tables["column_pair_trends"])
    pd.testing.assert_frame_equal(streamed_pairs, full_pairs, rtol=1e-9)
    sampled_only = evaluate(real.sample(500, random_state=0), synthetic.sample(500, random_state=0), sections=SECTIONS)
    assert sampled_only.to_dict()["column_shapes"] != pytest.approx(full.to_dict()["column_shapes"], abs=1e-6)
    assert any("are over every row" in note for note in report["fidelity"].notes)


def test_a_numeric_column_without_values_gives_the_same_pair_rows_on_disk(tmp_path):
    """A synthetic column with no values has no bins: its pairs are NaN on disk as in memory."""
    real, synthetic = _tables(3_000)
    synthetic["score"] = np.nan
    real.to_parquet(tmp_path / "real.parquet")
    synthetic.to_parquet(tmp_path / "synthetic.parquet")
    settings = Settings(max_rows=500)
    on_disk = evaluate(
        tmp_path / "real.parquet", tmp_path / "synthetic.parquet", sections=["fidelity"], settings=settings
    )
    in_memory = evaluate(real, synthetic, sections=["fidelity"])
    rows = [pd.DataFrame(report["fidelity"].tables["column_pair_trends"]) for report in (on_disk, in_memory)]
    pd.testing.assert_frame_equal(rows[0], rows[1], rtol=1e-9)
    assert np.isnan(rows[0].set_index(["column_1", "column_2"]).loc[("city", "score"), "score"])
