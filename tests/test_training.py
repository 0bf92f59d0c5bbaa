"""The engine: fresh batches, no global RNG changes, guards, budgets and parameter validation."""

from __future__ import annotations

import itertools
import random
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from synthgan import Synthesizer
from synthgan.errors import ConditionError, ParameterError, TrainingError
from synthgan.training.adversarial import TabularBatches


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 600
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "days": np.where(rng.random(n) < 0.5, 0, rng.integers(1, 31, n)),
            "group": rng.choice(["a", "b", "c"], n),
            "label": rng.choice(["yes", "no"], n, p=[0.2, 0.8]),
        }
    )


def test_every_step_draws_a_different_batch():
    data = torch.arange(1000, dtype=torch.float32).reshape(-1, 1)
    batches = TabularBatches(data, 50, None, False, torch.Generator().manual_seed(0))
    seen = [batches.critic_batch()[0].reshape(-1) for _ in range(40)]
    assert all(not torch.equal(a, b) for a, b in itertools.pairwise(seen))
    assert sorted(torch.cat(seen[:20]).tolist()) == list(range(1000))  # one pass sees every row once
    assert not torch.equal(torch.cat(seen[:20]), torch.cat(seen[20:]))  # and the next pass reshuffles


def test_fit_and_sample_leave_global_random_state_alone(table):
    torch_state, numpy_state, python_state = torch.get_rng_state(), np.random.get_state(), random.getstate()
    Synthesizer("ctgan", epochs=1, verbose=False).fit(table).sample(100)
    assert torch.equal(torch_state, torch.get_rng_state())
    assert np.array_equal(numpy_state[1], np.random.get_state()[1])
    assert python_state == random.getstate()


def test_divergence_stops_with_a_clear_error(table):
    with pytest.raises(TrainingError, match=r"diverged at epoch 1.*learning rate"):
        Synthesizer("gan", epochs=3, generator_lr=1e12, critic_lr=1e12, verbose=False).fit(table)


def test_time_budget_ends_training(table):
    # Early stopping off: on a fast machine it could end the run before the budget does.
    synthesizer = Synthesizer("wgangp", epochs=10_000, max_minutes=0.02, early_stopping=False, verbose=False)
    synthesizer.fit(table)
    assert synthesizer.history["epoch"].max() < 10_000
    assert "time budget" in synthesizer.stop_reason_


def test_early_stopping_keeps_the_best_generator(table):
    synthesizer = Synthesizer("ctgan", epochs=40, check_every=1, patience=2, verbose=False).fit(table)
    history = synthesizer.history
    assert history["epoch"].max() < 40
    assert "no fidelity gain" in synthesizer.stop_reason_


def test_collapse_warning(table, monkeypatch):
    from synthgan.training import callbacks

    def collapsed(real, fake, layout):
        return callbacks.Signals(fidelity=0.5, coverage=0.2, spread=0.05)

    monkeypatch.setattr("synthgan.families.table.column_signals", collapsed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Synthesizer("gan", epochs=4, check_every=1, verbose=False).fit(table)
        Synthesizer("ctgan", epochs=4, check_every=1, verbose=False).fit(table)
    messages = [str(w.message) for w in caught if "mode collapse" in str(w.message)]
    assert len(messages) == 2
    assert "or 'ctgan'" in messages[0] and "'ctgan'" not in messages[1]  # ctgan is not told to try ctgan


def test_small_tables_say_fidelity_was_judged_on_training_rows(table):
    synthesizer = Synthesizer("gan", epochs=2, check_every=1, verbose=False).fit(table)
    assert "best training-row fidelity" in synthesizer.stop_reason_  # 600 rows: nothing is held out


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epoch": 3}, "no parameter 'epoch'. Did you mean 'epochs'"),
        ({"epochs": 0}, "'epochs' must be >= 1"),
        ({"epochs": "ten"}, "'epochs' of 'ctgan' must be int"),
        ({"batch_size": 55}, "multiple of pac"),
        ({"device": "tpu"}, "'device' must be one of"),
    ],
)
def test_bad_parameters(table, params, message):
    with pytest.raises(ParameterError, match=message):
        Synthesizer("ctgan", **params).fit(table)


def test_unknown_model_suggests_a_name():
    with pytest.raises(ParameterError, match="Did you mean 'ctgan'"):
        Synthesizer("ctgna").fit(pd.DataFrame({"a": [1, 2]}))


def test_label_models_need_a_discrete_target(table):
    with pytest.raises(ParameterError, match="pass target="):
        Synthesizer("cgan", epochs=1).fit(table)
    with pytest.raises(ParameterError, match="target='x' is not a discrete column"):
        Synthesizer("cgan", epochs=1).fit(table, target="x")


def test_unreachable_condition_on_unconditional_model(table):
    rng = np.random.default_rng(0)
    skewed = table.assign(label=np.where(rng.random(len(table)) < 0.002, "yes", "no"))
    skewed.loc[0, "label"] = "yes"
    synthesizer = Synthesizer("gan", epochs=1, verbose=False).fit(skewed)
    fake_share = (synthesizer.sample(5000)["label"] == "yes").mean()
    if fake_share == 0:
        with pytest.raises(ConditionError, match="Use a conditional model"):
            synthesizer.sample(10, conditions={"label": "yes"})
    else:
        assert (synthesizer.sample(10, conditions={"label": "yes"})["label"] == "yes").all()


def test_caller_frame_is_not_modified(table):
    before = table.copy()
    Synthesizer("ctgan", epochs=1, verbose=False).fit(table, discrete_columns=["days"])
    pd.testing.assert_frame_equal(table, before)


def test_target_classifier_learns_the_real_relation():
    rng = np.random.default_rng(1)
    x = rng.normal(size=1000)
    table = pd.DataFrame({"x": x, "noise": rng.normal(size=1000), "label": np.where(x > 0, "pos", "neg")})
    synthesizer = Synthesizer("gan", epochs=10, batch_size=100, target_weight=1.0, early_stopping=False, verbose=False)
    history = synthesizer.fit(table, target="label").history
    # label is a function of x: the classifier trained on real rows gets far below chance (ln 2 = 0.69).
    assert history["classifier_loss"].iloc[-1] < 0.4 < history["classifier_loss"].iloc[0]
    assert history["target_loss"].notna().all()


def test_ctgan_trains_the_target_classifier_only_when_asked(table):
    """Off by default (it skewed the target's shares); target_weight=None turns it on for a discrete target."""
    default = Synthesizer("ctgan", epochs=1, early_stopping=False, verbose=False).fit(table, target="label")
    assert default.params_["target_weight"] == 0.0 and "classifier_loss" not in default.history
    fitted = Synthesizer("ctgan", epochs=1, target_weight=None, early_stopping=False, verbose=False)
    fitted.fit(table, target="label")
    assert fitted.history["classifier_loss"].notna().all()
    plain = Synthesizer("ctgan", epochs=1, target_weight=None, early_stopping=False, verbose=False)
    assert "classifier_loss" not in plain.fit(table, target="x").history  # continuous target: nothing to classify


def test_target_classifier_needs_a_discrete_target(table):
    with pytest.raises(ParameterError, match=r"'x' is not a discrete column.*target_weight=0"):
        Synthesizer("gan", epochs=1, target_weight=1.0, verbose=False).fit(table, target="x")
