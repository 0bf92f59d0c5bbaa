"""Parted sampling without any engine: a plan's parts, each made on its own from the model file,
join into the rows of one ``sample`` call; what would fail on a worker fails on the caller."""

from __future__ import annotations

import pandas as pd
import pytest

from synthgan import Synthesizer
from synthgan.cluster import plan, sample_partition, split_rows
from synthgan.errors import ConditionError, ParameterError
from synthgan.families.table import TableSynthesizer


@pytest.fixture(scope="module")
def saved(tmp_path_factory, adult):
    path = tmp_path_factory.mktemp("cluster") / "adult.synth"
    model = Synthesizer("argan", epochs=1, refine_epochs=1, verbose=False)  # no seed: plan must fix one
    model.fit(adult.sample(600, random_state=1)).save(path)
    return path


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(TableSynthesizer, "block_size", 100)


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("partitions", [None, 1, 2, 3])
def test_parts_join_into_one_sample(saved, partitions):
    sampling = plan(saved, 430, partitions, conditions={"sex": "Female"})
    assert sampling.bounds[0][0] == 0 and sampling.bounds[-1][1] == 430
    assert all(start % 100 == 0 for start, _ in sampling.bounds)  # whole blocks: none drawn twice
    parts = [sample_partition(sampling, part) for part in range(len(sampling.bounds))]
    joined = pd.concat(parts)
    assert list(joined.index) == list(range(430))
    whole = Synthesizer.load(saved).sample(430, conditions={"sex": "Female"}, seed=sampling.seed)
    pd.testing.assert_frame_equal(joined.reset_index(drop=True), whole)


def test_the_caller_hears_of_a_bad_request(saved, tmp_path):
    with pytest.raises(ConditionError, match="sex"):
        plan(saved, 10, conditions={"sex": "Martian"})
    with pytest.raises(ParameterError, match="rows"):
        plan(saved, -5)
    with pytest.raises(ParameterError, match="partitions"):
        plan(saved, 10, partitions=0)
    with pytest.raises(Exception, match="No model file"):
        plan(tmp_path / "missing.synth", 10)
    with pytest.raises(ParameterError, match="model_path"):
        plan(None, 10)


def test_split_rows_never_splits_a_block():
    assert split_rows(250, None, 100) == [(0, 100), (100, 200), (200, 250)]
    assert split_rows(250, 2, 100) == [(0, 100), (100, 250)]
    assert split_rows(250, 9, 100) == [(0, 100), (100, 200), (200, 250)]
    assert split_rows(0, None, 100) == [(0, 0)]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ParameterError, match="partitions"):
            split_rows(10, bad, 100)
