"""Property-based round trips: random tables with every column kind and random nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthgan.data import ColumnKind, Transformer, infer_schema


@st.composite
def tables(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=60, max_value=150))
    seed = draw(st.integers(min_value=0, max_value=2**31 - 1))
    rng = np.random.default_rng(seed)

    def with_nulls(values: pd.Series) -> pd.Series:
        if draw(st.booleans()):
            mask = rng.random(n) < draw(st.floats(0.05, 0.4))
            mask[0] = False  # keep at least one real value
            values = values.mask(mask)
        return values

    scale = draw(st.floats(1e-2, 1e6))
    decimals = draw(st.integers(0, 4))
    columns = {
        "continuous": with_nulls(pd.Series(rng.normal(0, scale, n).round(decimals) + 0.5 / 10**decimals)),
        "integer": pd.Series(rng.integers(-50, 500, n)),
        "counts": with_nulls(pd.Series(np.where(rng.random(n) < 0.5, 0, rng.integers(1, 31, n)).astype(float))),
        "category": with_nulls(pd.Series(rng.choice(list("abcdefg"), n), dtype=object)),
        "boolean": pd.Series(rng.random(n) < 0.5),
        "when": with_nulls(
            pd.Series(pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"))
        ),
    }
    return pd.DataFrame(columns)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_round_trip_keeps_every_value(df):
    schema = infer_schema(df)
    transformer = Transformer(max_modes=4).fit(df)
    back = transformer.inverse_transform(transformer.transform(df))
    assert list(back.columns) == list(df.columns)
    assert back.dtypes.to_dict() == df.dtypes.to_dict()
    for column in df.columns:
        real, restored = df[column], back[column]
        assert restored.isna().equals(real.isna()), column
        kind = schema[column].kind
        if kind in (ColumnKind.CONTINUOUS,):
            scale = max(float(real.abs().max()), 1.0)
            assert np.allclose(restored.dropna(), real.dropna(), rtol=1e-5, atol=1e-6 * scale), column
        else:
            assert restored.dropna().equals(real.dropna()), column
