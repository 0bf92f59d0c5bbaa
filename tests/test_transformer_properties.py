"""Property-based round trips: random tables with every column kind, several dtypes and random nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthgan.data import ColumnKind, Transformer


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
        "nullable_int": with_nulls(pd.Series(rng.integers(0, 10**6, n), dtype="Int64")),
        "category": with_nulls(pd.Series(rng.choice(list("abcdefg"), n), dtype=object)),
        "string": with_nulls(pd.Series(rng.choice(["north", "south", "east"], n), dtype="string")),
        "pandas_category": with_nulls(pd.Series(pd.Categorical(rng.choice(["lo", "hi"], n)))),
        "boolean": pd.Series(rng.random(n) < 0.5),
        "nullable_bool": with_nulls(pd.Series(rng.random(n) < 0.3, dtype="boolean")),
        "when": with_nulls(
            pd.Series(pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"))
        ),
        "day": with_nulls(pd.Series(pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), unit="D"))),
        "id": pd.Series(rng.permutation(n) + 10_000),
        "constant": pd.Series(["same"] * n),
    }
    return pd.DataFrame(columns)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from(["gmm", "quantile"]))
def test_round_trip_keeps_every_value(df, continuous):
    before = df.copy()
    transformer = Transformer(max_modes=4, continuous=continuous).fit(df)
    matrix = transformer.transform(df)
    assert matrix.shape == (len(df), transformer.layout.width) and matrix.dtype == np.float64
    for span in transformer.layout:
        block = matrix[:, span.start : span.stop]
        assert (block.sum(axis=1) == 1).all() if span.kind == "onehot" else (np.abs(block) < 1).all()
    back = transformer.inverse_transform(matrix)
    pd.testing.assert_frame_equal(df, before)  # the caller's table is untouched
    assert list(back.columns) == list(df.columns)
    assert back.dtypes.to_dict() == df.dtypes.to_dict()
    for spec in transformer.schema:
        real, restored = df[spec.name], back[spec.name]
        assert restored.isna().equals(real.isna()), spec.name
        if spec.kind is ColumnKind.CONTINUOUS:
            tolerance = 1e-5 * max(float(real.abs().max()), 1.0)
            assert np.allclose(restored.dropna(), real.dropna(), rtol=1e-5, atol=tolerance), spec.name
        elif spec.kind is ColumnKind.IDENTIFIER:
            assert restored.is_unique, spec.name
        else:
            assert restored.dropna().equals(real.dropna()), spec.name
