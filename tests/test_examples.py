"""The scripts in examples/ run in their quick mode, so the tutorials they back never rot."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from synthgan import DataError, datasets

EXAMPLES = Path(__file__).parents[1] / "examples"


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_brfss_minority_quick(shared_data, tmp_path):
    summary = load_example("brfss_minority").main(["--quick", "--output-dir", str(tmp_path)])
    real = datasets.load("diabetes_binary_brfss2015")
    for model in ("wgangp", "ctgan"):
        synthetic = pd.read_parquet(tmp_path / f"synthetic_{model}.parquet")
        assert synthetic["Diabetes_binary"].value_counts().to_dict() == {0.0: 1000, 1.0: 1000}
        assert list(synthetic.columns) == list(real.columns)
        assert synthetic["BMI"].between(real["BMI"].min(), real["BMI"].max()).all()
        assert synthetic["MentHlth"].isin(range(31)).all()  # whole days, 0-30, as in the survey
        assert 0.5 < summary["models"][model]["holdout_roc_auc_trained_on_synthetic"] <= 1
        assert (tmp_path / f"{model}_diabetic.synth").is_file() and (tmp_path / f"{model}_nondiabetic.synth").is_file()
    for name in ("diabetic", "nondiabetic"):
        assert is_png(tmp_path / f"{name}_columns.png")
        table = pd.read_csv(tmp_path / f"{name}_columns.csv")
        assert set(table["column"]) == {"BMI", "MentHlth", "PhysHlth"}
        assert set(table["table"]) == {"real", "wgangp", "ctgan"}
    assert json.loads((tmp_path / "summary.json").read_text()) == summary


def test_pima_ctgan_quick(shared_data, tmp_path):
    summary = load_example("pima_ctgan").main(["--quick", "--output-dir", str(tmp_path)])
    assert summary["epochs"] == 5
    assert 0 < summary["similarity_score"] <= 1
    assert is_png(tmp_path / "pca.png") and is_png(tmp_path / "columns.png")
    assert "PCA of real and synthetic rows" in (tmp_path / "report.html").read_text()
    synthetic = pd.read_csv(tmp_path / "pima_synthetic.csv")
    assert len(synthetic) == 614 and list(synthetic.columns) == list(datasets.load("pima").columns)
    from synthgan import Synthesizer

    again = Synthesizer.load(tmp_path / "pima.synth").sample(614)
    pd.testing.assert_frame_equal(again, synthetic, check_dtype=False)  # CSV round trip: same rows


def test_examples_say_why_without_the_shared_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGAN_DATASETS", str(tmp_path))  # a folder without datasets.json
    with pytest.raises(DataError, match="SYNTHGAN_DATASETS"):
        load_example("pima_ctgan").main(["--quick", "--output-dir", str(tmp_path / "out")])
