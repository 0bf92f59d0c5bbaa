"""TimeGAN: the GRU kernel, the joint step's gradients, and the model contract on a tiny panel.

Tiny networks (hidden 8, 2 layers) and a few iterations keep this fast; quality is measured in
benchmarks/timeseries.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synthgan import Synthesizer
from synthgan.data.layout import Layout, Span
from synthgan.errors import DataError, NotFittedError, ParameterError
from synthgan.losses import timegan as L
from synthgan.nn import LayoutHead, TimeGANNetworks, gru_kernel
from synthgan.training.callbacks import TimeBudget
from synthgan.training.loop import train
from synthgan.training.timegan import JointPhase, WindowBatches, iteration_epochs

FAST = {
    "sequence_length": 6,
    "iterations": 4,
    "batch_size": 16,
    "hidden_dim": 8,
    "num_layers": 2,
    "seed": 3,
    "verbose": False,
}


@pytest.fixture(scope="module")
def table(sequence_panel) -> pd.DataFrame:
    return sequence_panel


@pytest.fixture(scope="module")
def fitted(table):
    synthesizer = Synthesizer("timegan", **FAST)
    returned = synthesizer.fit(table, time_column="time", entity_column="patient", static_columns=["sex"])
    assert returned is synthesizer
    return synthesizer


# ---------------------------------------------------------------------- kernel and losses
@pytest.mark.skipif(not gru_kernel.AVAILABLE, reason="TorchScript unavailable: torch's GRU is used instead")
def test_fused_gru_layer_matches_torch_gru_and_its_gradients():
    torch.manual_seed(0)
    gru = torch.nn.GRU(2, 3, 1).double()
    x = torch.randn(4, 2, 2, dtype=torch.double, requires_grad=True)
    weights = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
    assert torch.allclose(gru_kernel.gru_layer(x, *weights), gru(x)[0], atol=1e-12)
    assert torch.autograd.gradcheck(gru_kernel.gru_layer, (x, *weights))
    frozen = [w.detach() for w in weights]
    gru_kernel.gru_layer(x, *frozen).sum().backward()
    assert all(w.grad is None for w in weights) and x.grad is not None


def test_recurrent_net_frozen_moves_no_weight():
    nets = _nets()
    x = torch.rand(4, 5, 3, requires_grad=True)
    nets.recovery(nets.embedder(x), frozen=True).sum().backward()
    assert all(p.grad is None for p in nets.recovery.parameters())
    assert all(p.grad is not None for p in nets.embedder.parameters())


def test_moment_and_supervised_losses():
    x = torch.rand(64, 5, 3)
    assert L.moment_loss(x, x).item() == pytest.approx(0.0, abs=1e-6)
    assert L.moment_loss(x, x + 0.5).item() == pytest.approx(0.5, abs=1e-5)
    h = torch.rand(8, 6, 4)
    shifted = torch.cat([h[:, 1:], h[:, -1:]], dim=1)  # predicts step t + 1 exactly
    assert L.supervised_loss(h, shifted).item() == 0.0
    assert L.supervised_loss(h, h).item() > 0.0


def test_joint_step_gives_each_network_the_gradient_of_its_own_loss():
    """The fused backward pass equals two separate ones, each restricted to its networks (the paper's code)."""
    torch.manual_seed(0)
    nets = _nets()
    batches = WindowBatches(
        torch.rand(40, 3), torch.arange(35).unfold(0, 5, 1), torch.zeros(31, 0), 8, torch.Generator().manual_seed(0)
    )
    phase = JointPhase(nets, batches, 1, 1e-3, 1.0, 2, 0.15, torch.Generator().manual_seed(0))
    x, noise = batches.next(), torch.rand(8, 5, 3)
    generator_loss, embedder_loss, _ = phase.losses(x, noise)
    (generator_loss + embedder_loss).backward()
    fused = {name: p.grad.clone() for name, p in nets.named_parameters() if p.grad is not None}
    nets.zero_grad(set_to_none=True)

    # Reference: the losses without any frozen network, differentiated for each group separately.
    h = nets.embedder(x)
    e_hat = nets.generator(noise)
    h_hat = nets.supervisor(e_hat)
    logits_fake, logits_fake_e = nets.discriminator(h_hat), nets.discriminator(e_hat)
    supervised = L.supervised_loss(h, nets.supervisor(h))
    g_loss = (
        L.generator_adversarial_loss(logits_fake, logits_fake_e, 1.0)
        + 100 * torch.sqrt(supervised)
        + 100 * L.moment_loss(x, nets.recover(h_hat))
    )
    e_loss = 10 * torch.sqrt(L.reconstruction_loss(x, nets.recover(h))) + 0.1 * supervised
    groups = {
        "generator": (g_loss, ("generator", "supervisor")),
        "embedder": (e_loss, ("embedder", "recovery")),
    }
    for loss, modules in groups.values():
        named = [(n, p) for n, p in nets.named_parameters() if n.split(".")[0] in modules]
        grads = torch.autograd.grad(loss, [p for _, p in named], retain_graph=True, allow_unused=True)
        for (name, _), grad in zip(named, grads, strict=True):
            expected = torch.zeros_like(fused.get(name, grad)) if grad is None else grad
            assert torch.allclose(fused.get(name, torch.zeros_like(expected)), expected, atol=1e-5), name
    assert not any(name.startswith("discriminator") for name in fused)


def test_time_budget_shares_end_phases_in_turn():
    class Slow:
        def __init__(self, name):
            self.name, self.epochs, self.steps_per_epoch, self.done = name, 1_000, 1, 0

        def step(self):
            self.done += 1
            import time

            time.sleep(0.002)
            return {"loss": 0.0}

    phases = [Slow("a"), Slow("b"), Slow("c")]
    budget = TimeBudget(0.01, {"a": 0.2, "b": 0.2, "c": 0.6})  # 0.6 s
    run = train(phases, [budget])
    assert all(0 < phase.done < 1_000 for phase in phases)  # each phase ran, none ran to the end
    assert budget.cut == ["a", "b"] and "time budget" in run.stop_reason and "phases cut short: a, b" in run.stop_reason


def test_iteration_epochs_cover_the_iterations():
    assert iteration_epochs(50_000) == (1_000, 50)
    assert iteration_epochs(7) == (1, 7)
    epochs, steps = iteration_epochs(260)
    assert epochs * steps >= 260 and steps <= 50


# ---------------------------------------------------------------------- the model contract
def test_sample_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted"):
        Synthesizer("timegan").sample(3)


def test_output_has_the_input_columns_dtypes_and_ranges(fitted, table):
    fake = fitted.sample(7)
    assert len(fake) == 7 * 6
    assert list(fake.columns) == list(table.columns)
    assert fake.dtypes.to_dict() == table.dtypes.to_dict()
    assert fake["level"].between(table["level"].min(), table["level"].max()).all()
    assert fake["count"].between(table["count"].min(), table["count"].max()).all()
    assert set(fake["state"]) <= {"on", "off"} and set(fake["sex"]) <= {"F", "M"}
    sequences = fake.groupby("patient", sort=False)
    assert sequences.ngroups == 7 and sequences.size().eq(6).all()
    assert sequences["sex"].nunique().eq(1).all()  # a static column holds one value per sequence
    assert list(fake["patient"].unique()) == [f"synthetic-{i}" for i in range(7)]


def test_time_column_continues_the_real_cadence(fitted, table):
    fake = fitted.sample(6)
    for _, sequence in fake.groupby("patient"):
        steps = sequence["time"].diff().dropna()
        assert steps.eq(pd.Timedelta(hours=1)).all()
    starts = fake.groupby("patient")["time"].min()
    assert starts.between(table["time"].min(), table["time"].max()).all()
    assert ((starts - table["time"].min()) % pd.Timedelta(hours=1) == pd.Timedelta(0)).all()


def test_same_seed_same_sequences_and_sample_seed(fitted, table):
    again = Synthesizer("timegan", **FAST).fit(
        table, time_column="time", entity_column="patient", static_columns=["sex"]
    )
    pd.testing.assert_frame_equal(fitted.sample(5), again.sample(5))
    assert not fitted.sample(5, seed=1).equals(fitted.sample(5, seed=2))
    shifted = fitted.sample(3, first_id=10)
    assert shifted["patient"].unique().tolist() == ["synthetic-10", "synthetic-11", "synthetic-12"]


def test_fit_leaves_global_random_state_and_data_alone(table):
    before_state, before = torch.get_rng_state(), table.copy()
    Synthesizer("timegan", **{**FAST, "iterations": 1}).fit(table, time_column="time", entity_column="patient")
    assert torch.equal(before_state, torch.get_rng_state())
    pd.testing.assert_frame_equal(table, before)


def test_save_then_load_gives_the_same_sequences(fitted, tmp_path):
    path = tmp_path / "model.synth"
    fitted.save(path)
    loaded = Synthesizer.load(path)
    pd.testing.assert_frame_equal(loaded.sample(4, seed=9), fitted.sample(4, seed=9))
    assert loaded.history.equals(fitted.history) and loaded.sequence_column == "patient"


def test_history_has_the_three_phases(fitted):
    history = fitted.history
    assert list(history["phase"]) == ["autoencoder", "supervised", "joint"]
    joint = history.iloc[-1]
    for key in ("generator_loss", "supervised_loss", "moment_loss", "reconstruction_loss", "discriminator_loss"):
        assert np.isfinite(joint[key]), key
    assert fitted.stop_reason_ == "all iterations done"


def test_single_series_without_time_column_gets_a_sequence_id():
    rng = np.random.default_rng(1)
    series = pd.DataFrame({"open": rng.normal(100, 5, 80).round(2), "volume": rng.integers(1_000, 9_000, 80)})
    synthesizer = Synthesizer("timegan", **FAST).fit(series)
    fake = synthesizer.sample(3)
    assert list(fake.columns) == ["sequence_id", "open", "volume"]
    assert fake["sequence_id"].tolist() == [0] * 6 + [1] * 6 + [2] * 6
    assert fake["volume"].dtype == series["volume"].dtype
    assert synthesizer.windows_ == 80 - 6 + 1


def test_a_date_column_left_as_a_feature_is_pointed_out(table):
    with pytest.warns(UserWarning, match="pass time_column='time'"):
        Synthesizer("timegan", **{**FAST, "iterations": 1}).fit(table, entity_column="patient")


def test_bad_parameters_and_data_get_clear_errors(table):
    with pytest.raises(ParameterError, match="has no parameter 'epochs'"):
        Synthesizer("timegan", epochs=3).fit(table, time_column="time", entity_column="patient")
    with pytest.raises(ParameterError, match="Did you mean 'sequence_length'"):
        Synthesizer("timegan", sequence_lenght=3).fit(table)
    with pytest.raises(DataError, match="sequence_length=100 needs at least 100"):
        Synthesizer("timegan", **{**FAST, "sequence_length": 100}).fit(
            table, time_column="time", entity_column="patient"
        )
    with pytest.raises(DataError, match="goes back"):
        Synthesizer("timegan", **FAST).fit(table.iloc[::-1], time_column="time", entity_column="patient")
    with pytest.raises(ParameterError, match="non-negative integer"):
        Synthesizer("timegan", **FAST).fit(table, time_column="time", entity_column="patient").sample(-1)


def _nets() -> TimeGANNetworks:
    layout = Layout((Span("a", "scalar", 1, 0), Span("a", "onehot", 1, 1, "component"), Span("b", "scalar", 1, 2)))
    return TimeGANNetworks(3, 3, 6, 2, LayoutHead(layout))
