"""The HTML report in a real browser: headless Chromium renders it with no broken image and no blank band.

Runs where Debian's chromium is installed (``apt-get install chromium``); skipped, saying so, elsewhere.
The non-browser checks of the same page (every <img> an embedded PNG that decodes) always run, in
test_evaluation_report.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from synthgan.evaluation import Settings, evaluate

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "render_report.py"


def _render_module():
    spec = importlib.util.spec_from_file_location("render_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_report_renders_in_headless_chromium(adult, tmp_path):
    render = _render_module()
    binary = render.find_chromium()
    if binary is None:
        pytest.skip("chromium not installed (apt-get install chromium): browser render check skipped")
    table = adult.sample(3000, random_state=5).reset_index(drop=True)
    train, holdout, fake = table.iloc[:1000], table.iloc[1000:2000], table.iloc[2000:].copy()
    fake["age"] = np.random.default_rng(0).permutation(fake["age"].to_numpy())
    settings = Settings(detection_rows=1000, utility_rows=1000, privacy_rows=800)
    report = evaluate(train, fake, holdout, target="income", sensitive=["sex"], settings=settings)
    path = tmp_path / "report.html"
    report.to_html(path)
    result = render.check(path, tmp_path / "shots", binary)
    assert result["ok"], result
    assert result["images"] >= 20
    assert Path(result["screenshot"]).stat().st_size > 50_000
