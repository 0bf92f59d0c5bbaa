"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

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
