"""The dataset loader: embedded Adult always, shared datasets by name when present."""

from __future__ import annotations

import pytest

from synthgan import datasets
from synthgan.errors import DataError


def test_embedded_adult_loads_clean():
    df = datasets.load("adult")
    assert df.shape == (32_561, 15)
    assert df["workclass"].isna().sum() == 1836  # '?' read as missing
    assert not df["sex"].str.startswith(" ").any()  # leading spaces stripped


def test_embedded_adult_works_without_shared_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("SYNTHGAN_DATASETS", str(tmp_path))  # a folder without datasets.json
    assert datasets.shared_datasets_dir() is None
    assert datasets.available() == ["adult"]
    assert len(datasets.load("adult")) == 32_561
    with pytest.raises(DataError, match="no shared datasets folder"):
        datasets.load("pima")


def test_unknown_name_lists_what_exists():
    with pytest.raises(DataError, match=r"'nope'.*adult"):
        datasets.load("nope")


def test_shared_datasets_by_name_and_alias(shared_data):
    assert "diabetes_binary_brfss2015" in datasets.available()
    pima = datasets.load("pima")
    assert pima.shape == (768, 9)
    energy = datasets.load("appliances_energy")
    assert str(energy["date"].dtype).startswith("datetime64")
    assert datasets.info("brfss")["target"] == "Diabetes_binary"
