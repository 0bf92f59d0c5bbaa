"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthgan import datasets


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared datasets folder; tests that need it skip, saying why, when it is absent."""
    folder = datasets.shared_datasets_dir()
    if folder is None:
        pytest.skip("../shared/datasets not found (set SYNTHGAN_DATASETS): shared-data test skipped")
    return folder


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """The embedded Adult table (always available)."""
    return datasets.load("adult")


@pytest.fixture(scope="session")
def adult_small(adult: pd.DataFrame) -> pd.DataFrame:
    """A 2,000-row sample of Adult for fast tests."""
    return adult.sample(2000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def sequence_panel() -> pd.DataFrame:
    """Hourly series of 3 patients (30 steps each, starts 5 hours apart): a float level, an integer
    count, an on/off state, and a static sex column. Small enough for sequence models to fit in seconds."""
    rng = np.random.default_rng(0)
    frames = []
    for e in range(3):
        t = np.arange(30)
        level = np.sin(t / 3 + e) + 0.1 * rng.normal(size=30)
        frames.append(
            pd.DataFrame(
                {
                    "time": pd.date_range("2024-05-01", periods=30, freq="h") + pd.Timedelta(hours=5 * e),
                    "patient": f"P{e:02d}",
                    "sex": "FM"[e % 2],
                    "level": level,
                    "count": rng.poisson(3 + e, size=30),
                    "state": np.where(level > 0, "on", "off"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
