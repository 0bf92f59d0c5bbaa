"""A seed defines the sample: the same rows whatever the row count, chunk size or thread count.

``sample(n)`` is built from seeded blocks of ``block_size`` items and ``sample_chunks`` streams the
same blocks, so a file written in chunks (``synthgan sample``) holds what ``sample`` returns.
The blocks are made small here so that every path (a chunk inside a block, one across blocks, a
partial last block) runs in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from synthgan import Synthesizer
from synthgan.errors import ParameterError
from synthgan.families.image import ImageSynthesizer
from synthgan.families.sequence import SequenceSynthesizer
from synthgan.families.table import TableSynthesizer
from synthgan.randomness import block_seed

TABLE_MODELS = {
    "argan": {"epochs": 2, "batch_size": 200, "seed": 1, "verbose": False, "refine_epochs": 1},
    "ctgan": {"epochs": 2, "batch_size": 100, "seed": 1, "verbose": False},
}


@pytest.fixture(scope="module")
def table(adult) -> pd.DataFrame:
    return adult.sample(800, random_state=4).reset_index(drop=True)


@pytest.fixture(scope="module", params=sorted(TABLE_MODELS))
def fitted(request, table):
    return Synthesizer(request.param, **TABLE_MODELS[request.param]).fit(table)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(TableSynthesizer, "block_size", 100)


def test_block_seeds_are_distinct_and_keep_the_seed_for_the_first_block():
    assert block_seed(7, 0) == 7
    seeds = {block_seed(seed, index) for seed in range(20) for index in range(1, 20)}
    assert len(seeds) == 19 * 20 and all(0 <= s < 2**63 for s in seeds)
    assert block_seed(0, 1) != block_seed(1, 0)  # seed + index would collide here


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("chunk_size", [1, 37, 100, 250, 1000])
def test_chunks_join_to_the_sample_whatever_their_size(fitted, chunk_size):
    whole = fitted.sample(350, seed=3)
    chunks = list(fitted.sample_chunks(350, chunk_size=chunk_size, seed=3))
    assert [len(c) for c in chunks[:-1]] == [chunk_size] * (len(chunks) - 1) and len(chunks[-1]) <= chunk_size
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


@pytest.mark.usefixtures("small_blocks")
def test_a_longer_sample_starts_with_the_shorter_one(fitted):
    pd.testing.assert_frame_equal(fitted.sample(350, seed=3).iloc[:200], fitted.sample(200, seed=3))
    # blocks are drawn from different seeds: block 2 is not a copy of block 1
    rows = fitted.sample(200, seed=3)
    assert not rows.iloc[:100].reset_index(drop=True).equals(rows.iloc[100:].reset_index(drop=True))


@pytest.mark.usefixtures("small_blocks")
def test_conditions_hold_in_every_chunk(table):
    model = Synthesizer("argan", **TABLE_MODELS["argan"]).fit(table)
    for chunk in model.sample_chunks(250, chunk_size=60, conditions={"sex": "Female"}, seed=2):
        assert (chunk["sex"] == "Female").all()


def test_thread_count_does_not_change_the_rows(fitted):
    fitted.params_["sample_threads"] = 1
    one = fitted.sample(2_000, seed=9)
    fitted.params_["sample_threads"] = 2
    two = fitted.sample(2_000, seed=9)
    fitted.params_["sample_threads"] = None
    pd.testing.assert_frame_equal(one, two)


def test_empty_sample_and_bad_chunk_sizes(fitted):
    chunks = list(fitted.sample_chunks(0))
    assert len(chunks) == 1 and len(chunks[0]) == 0 and list(chunks[0].columns) == list(fitted.sample(1).columns)
    for bad in (0, -3, 2.5):
        with pytest.raises(ParameterError, match="chunk_size"):
            fitted.sample_chunks(10, chunk_size=bad)  # refused at the call, not at the first chunk


def test_images_stream_with_their_labels(monkeypatch):
    data = load_digits()
    model = Synthesizer("cdcgan", epochs=1, batch_size=32, width=8, seed=3, verbose=False)
    model.fit(data.images[:160].astype(np.int64), labels=data.target[:160])
    monkeypatch.setattr(ImageSynthesizer, "block_size", 16)
    images, labels = model.sample(40, seed=5, return_labels=True)
    chunks = list(model.sample_chunks(40, chunk_size=15, seed=5))
    assert [len(c[0]) for c in chunks] == [15, 15, 10]
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), images)
    np.testing.assert_array_equal(np.concatenate([c[1] for c in chunks]), labels)


def test_sequences_stream_whole_and_numbered(sequence_panel, monkeypatch):
    fast = {"sequence_length": 6, "iterations": 2, "batch_size": 16, "hidden_dim": 8, "num_layers": 1, "verbose": False}
    model = Synthesizer("timegan", **fast).fit(sequence_panel, time_column="time", entity_column="patient")
    monkeypatch.setattr(SequenceSynthesizer, "block_size", 2)
    whole = model.sample(5, seed=1, first_id=10)
    chunks = list(model.sample_chunks(5, chunk_size=3, seed=1, first_id=10))
    assert [len(c) for c in chunks] == [18, 12]  # 3 and 2 sequences of 6 steps
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert whole["patient"].unique().tolist() == [f"synthetic-{i}" for i in range(10, 15)]


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize(("start", "stop"), [(0, 350), (30, 70), (90, 260), (250, 350), (120, 120)])
def test_a_slice_is_those_rows_of_the_whole_sample(fitted, start, stop):
    whole = fitted.sample(350, seed=3)
    part = fitted.sample_slice(350, start, stop, seed=3)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), whole.iloc[start:stop].reset_index(drop=True))


def test_slice_bounds_are_checked(fitted):
    for start, stop in ((5, 3), (0, 11), (-1, 4)):
        with pytest.raises(ParameterError, match=r"start|stop"):
            fitted.sample_slice(10, start, stop)
