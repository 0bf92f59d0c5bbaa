"""Round trip on every tabular dataset of ../shared/datasets (skipped, saying so, when it is absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan import datasets
from synthgan.data import ColumnKind, Transformer

TABULAR = [
    "adult",
    "diabetes_binary_brfss2015",
    "diabetes_binary_5050split_brfss2015",
    "pima_indians_diabetes",
    "default_of_credit_card_clients",
    "online_shoppers_intention",
    "magic_gamma_telescope",
    "bank_marketing",
    "stock_data",
    "appliances_energy",
    "optdigits_8x8",
]


@pytest.mark.parametrize("name", TABULAR)
def test_shared_dataset_round_trip(shared_data, name):
    df = datasets.load(name)
    if len(df) > 5_000:
        df = df.sample(5_000, random_state=0).reset_index(drop=True)
    transformer = Transformer(fit_sample_size=2_000).fit(df)
    back = transformer.inverse_transform(transformer.transform(df, dtype=np.float64))
    assert list(back.columns) == list(df.columns)
    assert back.dtypes.to_dict() == df.dtypes.to_dict()
    for spec in transformer.schema:
        real, restored = df[spec.name], back[spec.name]
        if spec.kind is ColumnKind.IDENTIFIER:
            assert restored.is_unique
        elif spec.kind is ColumnKind.CONTINUOUS and spec.decimals is None:
            scale = np.nanstd(real.to_numpy(float)) + 1e-12
            assert np.nanmax(np.abs(restored.to_numpy(float) - real.to_numpy(float))) / scale < 1e-5, spec.name
        else:
            pd.testing.assert_series_equal(restored, real, obj=spec.name)
    # What networks train on is float32: still within a tight tolerance.
    back32 = transformer.inverse_transform(transformer.transform(df))
    for spec in transformer.schema:
        if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
            real, restored = df[spec.name].to_numpy(float), back32[spec.name].to_numpy(float)
            assert np.nanmax(np.abs(restored - real)) <= 1e-5 * (np.nanstd(real) + 1e-12) + 0.5, spec.name


def test_every_shared_dataset_is_covered(shared_data):
    assert set(datasets.available()) <= set(TABULAR), "add new tabular datasets to TABULAR"
