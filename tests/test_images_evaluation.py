"""Image evaluation: FID-style scores, conditional accuracy and class coverage behave as they should.

scikit-learn's embedded 8x8 digits are the real images; "synthetic" sets are held-out real digits
(near the floor), noise, and digits of one class only (mode collapse). The judge trains for fewer
steps than its default to keep the suite fast; that makes it a little less accurate, not different.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits

from synthgan import evaluate_images
from synthgan.errors import DataError
from synthgan.evaluation import image_judge
from synthgan.evaluation.image_judge import frechet_distance


@pytest.fixture(autouse=True)
def short_judge(monkeypatch):
    monkeypatch.setattr(image_judge, "TARGET_STEPS", 150)


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.images))
    images, labels = data.images[order].astype(np.int64), data.target[order]
    return images[:1000], labels[:1000], images[1000:1400], labels[1000:1400]


@pytest.fixture(scope="module")
def real_vs_real(digits):
    real, real_labels, other, other_labels = digits
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(image_judge, "TARGET_STEPS", 150)
        return evaluate_images(real, other, real_labels=real_labels, synthetic_labels=other_labels)


def test_real_images_score_near_the_floor_and_noise_far_from_it(real_vs_real, digits):
    real, real_labels, other, other_labels = digits
    good = real_vs_real.to_dict()
    assert good["fid_ratio"] < 3 and good["inputs"]["holdout_images"] == 200 and good["inputs"]["real_images"] == 800
    noise = np.random.default_rng(1).integers(0, 17, size=other.shape)
    bad = evaluate_images(real, noise, real_labels=real_labels, synthetic_labels=other_labels).to_dict()
    assert bad["fid"] > 20 * good["fid"] and bad["fid_ratio"] > 10
    assert bad["fid_floor"] == pytest.approx(good["fid_floor"])  # same judge, same holdout: same floor
    assert bad["verdicts"]["fidelity"]["status"] == "poor" and good["verdicts"]["fidelity"]["status"] == "good"


def test_conditional_accuracy_reads_the_asked_classes(real_vs_real, digits):
    real, real_labels, other, other_labels = digits
    good = real_vs_real.to_dict()
    assert good["judge_accuracy"] > 0.85 and good["conditional_accuracy"] > 0.85
    per_class = real_vs_real["conditional"].tables["per_class"]
    assert [row["class"] for row in per_class] == list(range(10)) and sum(row["images"] for row in per_class) == 400
    wrong = (other_labels + 1) % 10  # every image labelled as the next digit
    shifted = evaluate_images(real, other, real_labels=real_labels, synthetic_labels=wrong).to_dict()
    assert shifted["conditional_accuracy"] < 0.15 and shifted["verdicts"]["conditional"]["status"] == "poor"


def test_coverage_sees_mode_collapse(real_vs_real, digits):
    real, real_labels, other, other_labels = digits
    assert real_vs_real.to_dict()["classes_produced"] == 10
    assert real_vs_real.to_dict()["verdicts"]["coverage"]["status"] == "good"
    threes = other[other_labels == 3]
    collapsed = evaluate_images(real, threes, real_labels=real_labels).to_dict()
    # The judge may read a few threes as eights: one or two classes "produced", never more.
    assert collapsed["classes_produced"] <= 2 and collapsed["class_coverage"] <= 0.2
    assert collapsed["coverage"]["metrics"][-1]["value"] > 0.75  # class_distribution_tv: nearly all mass moved
    verdict = collapsed["verdicts"]["coverage"]
    assert verdict["status"] == "poor" and "missing: 0, 1, 2, 4" in verdict["figure"]
    assert collapsed["conditional_accuracy"] is None  # no synthetic labels, no conditional accuracy


def test_without_labels_the_judge_learns_rotations(digits):
    real, _, other, _ = digits
    report = evaluate_images(real[:400], other[:100]).to_dict()
    assert report["inputs"]["judge"] == "pretext (rotations)" and report["fid"] is not None
    assert report["conditional"]["status"] == "skipped" and report["classes_produced"] is None


def test_report_html_is_self_contained_and_json_is_strict(real_vs_real, tmp_path):
    page = real_vs_real.to_html(tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text() == page
    assert page.count("data:image/png;base64,") == 3  # real grid, synthetic grid, class histogram
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "Real vs synthetic" in page and "Class histogram" in page and "no pretrained Inception" in page
    figures = json.loads(real_vs_real.to_json())
    assert set(figures) >= {"fid", "fid_floor", "conditional_accuracy", "class_coverage", "verdicts"}


def test_evaluation_is_deterministic(real_vs_real, digits):
    real, real_labels, other, other_labels = digits
    again = evaluate_images(real, other, real_labels=real_labels, synthetic_labels=other_labels)
    assert again.to_dict()["fid"] == real_vs_real.to_dict()["fid"]


def test_bad_inputs(digits):
    real, real_labels, other, _ = digits
    with pytest.raises(DataError, match=r"synthetic images are .* but real ones are"):
        evaluate_images(real, np.zeros((5, 9, 9)))
    with pytest.raises(DataError, match="synthetic_labels hold 42"):
        evaluate_images(real, other, real_labels=real_labels, synthetic_labels=np.full(len(other), 42))


def test_frechet_distance_formula():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    a -= a.mean(axis=0)
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert frechet_distance(a, a + np.array([2.0, 0, 0])) == pytest.approx(4.0)  # mean shift: |d|^2
    assert frechet_distance(a, 3 * a) == pytest.approx(np.trace(np.cov(a.T)) * 4, rel=1e-6)  # (3 - 1)^2 tr(S)


def test_importing_evaluate_images_stays_light():
    code = "import sys; from synthgan import evaluate_images; print([m for m in ('torch', 'PIL') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
