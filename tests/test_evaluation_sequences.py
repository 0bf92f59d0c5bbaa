"""Sequence evaluation: the paper's scores behave (real vs real near 0, real vs noise far), autocorrelation,
long tables with time and entity columns, and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan.errors import DataError, ParameterError
from synthgan.evaluation import evaluate_sequences
from synthgan.evaluation.sequences import autocorrelation, discriminative_score, predictive_score

# Plumbing tests train the post-hoc GRUs for a few steps only; the score tests train them properly.
QUICK = {"classifier_iterations": 20, "predictor_iterations": 20, "embeddings": False}


def ar_windows(n: int, steps: int = 12, features: int = 4, phi: float = 0.9, seed: int = 0) -> np.ndarray:
    """Windows of a stationary AR(1) process per feature, scaled into [0, 1]."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, steps, features))
    x[:, 0] = rng.normal(size=(n, features)) / np.sqrt(1 - phi**2)
    for t in range(1, steps):
        x[:, t] = phi * x[:, t - 1] + rng.normal(size=(n, features))
    x[:, :, -1] = 0.5 * x[:, :, 0] + 0.5 * x[:, :, -1]  # the predicted feature depends on another
    return ((x + 8) / 16).clip(0, 1).astype(np.float32)


@pytest.fixture(scope="module")
def windows() -> np.ndarray:
    return ar_windows(800)


def test_discriminative_score_real_vs_real_near_zero_and_vs_noise_far(windows):
    first, second = windows[:400], windows[400:]
    assert discriminative_score(first, second, iterations=150, seed=0) < 0.1
    noise = np.random.default_rng(1).uniform(0.5, 1.0, size=second.shape).astype(np.float32)
    assert discriminative_score(first, noise, iterations=150, seed=0) > 0.4


def test_predictive_score_prefers_real_dynamics(windows):
    real_test = windows[400:]
    on_real = predictive_score(windows[:400], real_test, iterations=200, seed=0)
    shuffled = windows[:400, np.random.default_rng(2).permutation(12)]  # same values, dynamics destroyed
    on_shuffled = predictive_score(shuffled, real_test, iterations=200, seed=0)
    assert on_real < on_shuffled


def test_autocorrelation_of_ar_process_and_of_noise(windows):
    acf = autocorrelation(windows, 3)
    assert acf.shape == (4, 3)
    # Centring each 12-step window on its own mean biases the AR(0.9) figure down, not its ordering.
    assert 0.4 < acf[0, 0] < 0.9 and acf[0, 0] > acf[0, 1] > acf[0, 2]
    noise = np.random.default_rng(3).uniform(size=windows.shape)
    assert np.abs(autocorrelation(noise, 3)).max() < 0.15


def test_evaluate_sequences_on_arrays_is_reproducible(windows):
    report = evaluate_sequences(windows[:400], windows[400:], seed=4, **QUICK)
    again = evaluate_sequences(windows[:400], windows[400:], seed=4, **QUICK)
    assert report.metrics == again.metrics and report.tables == again.tables
    figures = report.to_dict()
    assert figures["autocorrelation_error"] < 0.05
    assert {"predictive_score", "predictive_score_real", "autocorrelation", "inputs"} <= set(figures)
    assert len(figures["autocorrelation"]) == 4


def test_long_tables_with_time_and_entity_columns(sequence_panel):
    real = sequence_panel
    synthetic = real.assign(patient=real["patient"].map({"P00": 0, "P01": 1, "P02": 2}))
    report = evaluate_sequences(
        real, synthetic, 6, time_column="time", entity_column="patient", seed=0, repeats=2, **QUICK
    )
    inputs = report.to_dict()["inputs"]
    assert inputs["real_windows"] == 75 and inputs["synthetic_windows"] == 15  # synthetic: one per sequence
    assert inputs["features"] == ["sex=F", "sex=M", "level", "count", "state=on", "state=off"]
    assert "discriminative_score_std" in report.metrics


def test_synthetic_sequence_ids_are_read_from_sequence_id(sequence_panel):
    real = sequence_panel[["level", "count"]]
    synthetic = real.iloc[:60].assign(sequence_id=np.repeat(np.arange(10), 6))
    report = evaluate_sequences(real, synthetic, seed=0, **QUICK)  # sequence length read from the ids
    assert report.inputs["sequence_length"] == 6 and report.inputs["synthetic_windows"] == 10


def test_html_report_is_self_contained(windows, tmp_path):
    report = evaluate_sequences(windows[:150], windows[150:300], seed=0, **{**QUICK, "embeddings": True})
    path = tmp_path / "sequences.html"
    text = report.to_html(path)
    assert path.read_text() == text
    assert text.count("<img") == 4 and "t-SNE" in text and "PCA" in text and "http" not in text
    assert report.artifacts["pca"]["real"].shape == (150, 2)


def test_errors_name_the_problem(windows, sequence_panel):
    with pytest.raises(DataError, match="same shape per window"):
        evaluate_sequences(windows, windows[:, :5], **QUICK)
    with pytest.raises(DataError, match="lacks column"):
        evaluate_sequences(sequence_panel, sequence_panel.drop(columns="level"), 6, "time", "patient", **QUICK)
    with pytest.raises(ParameterError, match="Pass sequence_length"):
        evaluate_sequences(sequence_panel[["level"]], sequence_panel[["level"]], **QUICK)
    with pytest.raises(ParameterError, match="repeats must be an integer"):
        evaluate_sequences(windows, windows, repeats=0, **QUICK)
    with pytest.raises(ParameterError, match="predict='nope'"):
        evaluate_sequences(windows, windows, predict="nope", **QUICK)


def test_scores_leave_torch_state_alone(windows):
    import torch

    state, threads = torch.get_rng_state(), torch.get_num_threads()
    discriminative_score(windows[:50], windows[50:100], iterations=5)
    assert torch.equal(state, torch.get_rng_state()) and torch.get_num_threads() == threads


def test_input_tables_are_not_modified(sequence_panel):
    before = sequence_panel.copy()
    evaluate_sequences(sequence_panel, sequence_panel, 6, "time", "patient", **QUICK)
    pd.testing.assert_frame_equal(sequence_panel, before)
