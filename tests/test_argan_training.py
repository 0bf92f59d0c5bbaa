"""How argan trains: sizes that follow the table, the optional refinement, early stopping per phase."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synthgan import Synthesizer
from synthgan.data.numeric import MAX_BIN_TOKENS, NumericEncoder, bin_token_budget
from synthgan.errors import ParameterError
from synthgan.models.argan import ARGAN
from synthgan.models.params import validate_params
from synthgan.nn.autoregressive import ColumnHeads
from synthgan.training.callbacks import ValidationCheck
from synthgan.training.loop import train
from synthgan.training.refinement import RefinementPhase, sample_one_hots, token_groups

QUICK = {"epochs": 2, "seed": 3, "verbose": False}


def test_small_columns_get_fewer_tokens():
    values = np.random.default_rng(0).normal(size=600)
    small = NumericEncoder(method="bins").fit(values, [], np.random.default_rng(0))
    large = NumericEncoder(method="bins").fit(
        np.tile(values, 10) + np.arange(6000) * 1e-6, [], np.random.default_rng(0)
    )
    assert small.n_components == bin_token_budget(600) == 30
    assert large.n_components == MAX_BIN_TOKENS


def test_batch_and_dropout_follow_the_number_of_rows():
    automatic = ARGAN(validate_params(ARGAN, {}))
    assert automatic.batch_size(600) == 75 and automatic.batch_size(100) == 32
    assert automatic.batch_size(100_000) == 512
    assert automatic.dropout(600) == 0.5 and automatic.dropout(50_000) == 0.0
    chosen = ARGAN(validate_params(ARGAN, {"batch_size": 64, "dropout": 0.1}))
    assert chosen.batch_size(100_000) == 64 and chosen.dropout(600) == 0.1


def test_token_groups_are_ranges_of_values_of_equal_frequency():
    value_order = np.array([3, 0, 4, 1, 2])  # token 3 is the smallest value, token 2 the largest
    tokens = np.repeat(np.arange(5), [10, 10, 10, 10, 10])
    counts = np.bincount(tokens, minlength=5)
    groups = token_groups(counts, value_order, groups=2)
    assert groups[3] == groups[0] == 0 and groups[1] == groups[2] == 1  # contiguous in value order
    assert list(token_groups(counts, None, groups=2)) == [0, 1, 2, 3, 4]  # categories stay apart


def test_straight_through_draws_are_one_hot_with_gradients():
    network = ColumnHeads([3, 4, 2], embedding_dim=4, hidden=8)
    drawn = sample_one_hots(network, 16, 0.5, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert [d.shape for d in drawn] == [(16, 3), (16, 4), (16, 2)]
    assert all(
        torch.allclose(d.detach().sum(1), torch.ones(16)) and set(d.detach().unique().tolist()) <= {0, 1} for d in drawn
    )
    drawn[-1][:, 0].sum().backward()
    assert network.first.weight.grad is not None and network.first.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("judge", ["adversarial", "pairs"])
def test_refinement_runs_after_likelihood_and_is_recorded(adult, judge):
    table = adult.sample(800, random_state=0)
    synthesizer = Synthesizer("argan", **QUICK, refine=judge, refine_epochs=1).fit(table)
    phases = [record["phase"] for record in synthesizer.history_]
    assert phases[-1] == judge and phases[0] == "likelihood"
    assert f"{judge}_loss" in synthesizer.history_[-1]
    assert f"1 epochs of {judge} refinement" in synthesizer.stop_reason_
    rows = synthesizer.sample(200)
    assert list(rows.columns) == list(table.columns) and set(rows["sex"]) <= set(table["sex"])


def test_pair_refinement_moves_the_pair_tables_towards_the_real_ones():
    """On two columns that are equal in every real row, the pair loss teaches the model that."""
    rng = np.random.default_rng(0)
    tokens = torch.from_numpy(np.repeat(rng.integers(0, 3, 400)[:, None], 2, axis=1))
    network = ColumnHeads([3, 3], embedding_dim=4, hidden=16)
    optimizer = torch.optim.Adam(network.parameters(), 1e-2)
    phase = RefinementPhase(
        judge="pairs",
        network=network,
        optimizer=optimizer,
        tokens=tokens,
        batch_size=128,
        epochs=1,
        fixed_share=1.0,
        weight=50.0,
        random=torch.Generator().manual_seed(0),
    )
    first = np.mean([phase._pairs().item() for _ in range(5)])
    for _ in range(60):
        phase.step()
    last = np.mean([phase._pairs().item() for _ in range(5)])
    assert last < first / 2


def test_validation_patience_ends_only_its_phase_and_restores_the_best_weights():
    module = torch.nn.Linear(1, 1)
    losses = iter([1.0, 0.5, 0.9, 0.9, 0.9, 0.9])
    seen = []

    class Step:
        def __init__(self, name, epochs):
            self.name, self.epochs, self.steps_per_epoch = name, epochs, 1

        def step(self):
            with torch.no_grad():
                module.weight += 1.0
            seen.append((self.name, module.weight.item()))
            return {}

    start = module.weight.item()
    check = ValidationCheck(lambda: next(losses), module, keep_best=True, patience=2)
    train([Step("likelihood", 10), Step("refine", 1)], [check])
    likelihood_epochs = [w for name, w in seen if name == "likelihood"]
    assert len(likelihood_epochs) == 4  # best at epoch 2, two epochs without gain end the phase
    refine_start = next(w for name, w in seen if name == "refine")
    assert refine_start == pytest.approx(start + 3.0)  # restored to epoch 2's weights, then one more step
    assert module.weight.item() == pytest.approx(start + 3.0)  # the refinement's weights are kept


def test_refine_parameter_is_validated():
    with pytest.raises(ParameterError, match="refine"):
        Synthesizer("argan", refine="gumbel").fit(pd.DataFrame({"a": ["x", "y"] * 50}))


def test_auto_sizes_make_a_small_table_learn(adult):
    """Pima-sized: with the automatic sizes, many steps run (not one per epoch) and the model learns."""
    table = adult.sample(600, random_state=4)[["age", "education", "education-num", "hours-per-week", "income"]]
    synthesizer = Synthesizer("argan", epochs=3, seed=0, verbose=False).fit(table)
    assert synthesizer.history_[0]["nll_loss"] > synthesizer.history_[-1]["nll_loss"]
    rows = synthesizer.sample(300)
    education_years = table.groupby("education")["education-num"].first()
    assert (rows["education-num"] == rows["education"].map(education_years)).mean() > 0.99
    assert isinstance(rows, pd.DataFrame)
