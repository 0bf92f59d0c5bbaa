"""Training-by-sampling: log-frequency levels, matching rows, exact condition vectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from synthgan.data import Transformer
from synthgan.data.sampler import ConditionSampler


def _frame():
    rng = np.random.default_rng(0)
    color = rng.choice(["red", "green", "blue"], 5000, p=[0.9, 0.09, 0.01])
    return pd.DataFrame({"color": color, "size": rng.choice(["S", "L"], 5000), "x": rng.normal(size=5000)})


def test_levels_follow_log_frequency_and_rows_match():
    df = _frame()
    transformer = Transformer().fit(df)
    matrix = transformer.transform(df)
    sampler = ConditionSampler(matrix, transformer.layout)
    generator = torch.Generator().manual_seed(0)
    span, level = sampler.sample_levels(60_000, generator)
    color_span = [s.column for s in sampler.spans].index("color")
    chosen = level[span == color_span]
    counts = df["color"].value_counts()
    encoder = transformer._encoders["color"]
    expected = np.log1p([counts[name] for name in encoder.levels])
    expected /= expected.sum()
    observed = np.bincount(chosen.numpy(), minlength=3) / len(chosen)
    assert np.allclose(observed, expected, atol=0.01)
    assert observed[encoder.levels.index("blue")] > 0.2  # a 1% level is seen far more often

    rows = sampler.sample_rows(span, level, generator)
    for j, s in enumerate(sampler.spans):
        picked = matrix[rows[span == j].numpy(), s.start : s.stop].argmax(axis=1)
        assert np.array_equal(picked, level[span == j].numpy())


def test_condition_vectors_are_one_hot_at_the_right_offset():
    df = _frame()
    transformer = Transformer().fit(df)
    sampler = ConditionSampler(transformer.transform(df), transformer.layout)
    vectors = sampler.condition_vectors(torch.tensor([0, 1]), torch.tensor([2, 1]))
    assert vectors.shape == (2, sampler.width)
    assert vectors.sum(dim=1).tolist() == [1.0, 1.0]
    assert vectors[0, 2] == 1 and vectors[1, sampler.spans[0].width + 1] == 1
