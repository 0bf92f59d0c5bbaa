"""Differential privacy: the reported epsilon is the accountant's, a DP fit never reads a raw extreme
or a rare level, the guarantee travels with the model, and what would break it is refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from opacus.accountants.analysis.rdp import compute_rdp, get_privacy_spent
from safetensors import safe_open
from torch import nn

from synthgan import Synthesizer, evaluate
from synthgan.cli.app import app
from synthgan.errors import ParameterError
from synthgan.families.argan_private import refuse_batch_norm
from synthgan.privacy.budget import RDP_ORDERS, spent_epsilon

OUTLIER = 987_654.25  # one row's income: far outside the others, and a number no other part of a model holds
RARE = "Zebra-keeper"  # one row's occupation


def _table(rows: int = 3_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    income = np.round(rng.lognormal(10, 0.4, rows), 2)
    occupation = rng.choice(["clerk", "nurse", "driver", "teacher"], rows, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
    senior = np.where(age >= 60, "yes", "no")
    income[7], occupation[11] = OUTLIER, RARE
    return pd.DataFrame({"age": age, "income": income, "occupation": occupation, "senior": senior})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return _table()


@pytest.fixture(scope="module")
def private(table) -> Synthesizer:
    return Synthesizer("argan", dp_epsilon=1.0, epochs=3, seed=0, verbose=False).fit(table)


def _model_text_and_tensors(synthesizer: Synthesizer, path) -> tuple[str, list[np.ndarray]]:
    synthesizer.save(path)
    with safe_open(str(path), framework="pt") as handle:
        header = json.dumps(handle.metadata())
        tensors = [handle.get_tensor(key).double().numpy() for key in handle.keys()]  # noqa: SIM118
    return header, tensors


def test_reported_epsilon_is_what_the_accountant_computes_from_the_recorded_noise(private):
    record = private.privacy_
    rdp = compute_rdp(q=1.0, noise_multiplier=record["data_noise"], steps=record["data_releases"], orders=RDP_ORDERS)
    rdp = rdp + compute_rdp(
        q=record["sample_rate"], noise_multiplier=record["noise_multiplier"], steps=record["steps"], orders=RDP_ORDERS
    )
    epsilon, _ = get_privacy_spent(orders=RDP_ORDERS, rdp=rdp, delta=record["accountant_delta"])
    assert record["spent_epsilon"] == pytest.approx(float(epsilon), rel=1e-9)
    assert record["spent_epsilon"] <= record["target_epsilon"] + 1e-9
    assert record["steps"] == record["planned_steps"] > 0
    # The accountant's delta plus the share set aside for selecting levels is the promised delta.
    assert record["accountant_delta"] + record["selection_delta"] == pytest.approx(record["delta"])
    assert record["delta"] == pytest.approx(1 / (10 * 3_000))
    history = [
        (record["data_noise"], 1.0, record["data_releases"]),
        (record["noise_multiplier"], record["sample_rate"], record["steps"]),
    ]
    assert spent_epsilon(history, record["accountant_delta"]) == pytest.approx(record["spent_epsilon"])
    assert "privacy budget spent" in private.stop_reason_


def test_a_dp_fit_never_holds_the_outlier_or_the_rare_level(private, table, tmp_path):
    header, tensors = _model_text_and_tensors(private, tmp_path / "dp.synthgan")
    assert "987654" not in header and RARE not in header
    assert not any(np.isclose(t, OUTLIER, rtol=0, atol=1.0).any() for t in tensors)
    synthetic = private.sample(5_000, seed=1)
    assert synthetic["income"].max() < OUTLIER / 10
    assert RARE not in set(synthetic["occupation"])
    # The check can fail: without DP the data layer keeps the real maximum and the rare level.
    plain = Synthesizer("argan", epochs=1, seed=0, verbose=False, refine="none").fit(table)
    header, _ = _model_text_and_tensors(plain, tmp_path / "plain.synthgan")
    assert "987654" in header and RARE in header


def test_the_guarantee_travels_with_the_model_file(private, tmp_path):
    path = tmp_path / "dp.synthgan"
    private.save(path)
    loaded = Synthesizer.load(path)
    assert loaded.privacy_ == private.privacy_
    pd.testing.assert_frame_equal(loaded.sample(200, seed=3), private.sample(200, seed=3))


def test_same_seed_gives_the_same_private_model(table, private):
    again = Synthesizer("argan", dp_epsilon=1.0, epochs=3, seed=0, verbose=False).fit(table)
    pd.testing.assert_frame_equal(again.sample(500, seed=2), private.sample(500, seed=2))
    other = Synthesizer("argan", dp_epsilon=1.0, epochs=3, seed=1, verbose=False).fit(table)
    assert not other.sample(500, seed=2).equals(private.sample(500, seed=2))


def test_declared_bounds_spend_no_budget_on_ranges_and_keep_declared_levels(table):
    bounds = {
        "age": [18, 79],
        "income": [0, 200_000],
        "occupation": ["clerk", "nurse", "driver", "teacher", "pilot"],
        "senior": ["no", "yes"],
    }
    synthesizer = Synthesizer("argan", dp_epsilon=2.0, dp_bounds=bounds, epochs=2, seed=0, verbose=False).fit(table)
    record = synthesizer.privacy_
    assert record["data_releases"] == 1  # bins and frequencies only: no release to find ranges or levels
    assert record["selection_delta"] == 0.0
    assert sorted(record["declared_columns"]) == sorted(bounds)
    synthetic = synthesizer.sample(3_000, seed=0)
    assert synthetic["age"].between(18, 79).all() and synthetic["income"].between(0, 200_000).all()
    assert set(synthetic["occupation"]) <= set(bounds["occupation"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rules": True}, "rules"),
        ({"validation_share": 0.2}, "validation_share"),
        ({"early_stopping": True}, "early_stopping"),
        ({"refine": "pairs"}, "refine"),
        ({"dp_delta": 0.01}, "below 1 / rows"),
        ({"dp_bounds": {"height": [0, 3]}}, "'height'"),
        ({"dp_bounds": {"age": [90, 17]}}, "dp_bounds['age']"),
        ({"dp_bounds": {"occupation": {"clerk", "nurse"}}}, "as a list"),
    ],
)
def test_what_would_break_the_guarantee_is_refused(table, params, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Synthesizer("argan", dp_epsilon=1.0, epochs=1, verbose=False, **params).fit(table)


def test_models_that_cannot_train_under_dp_say_so(table):
    with pytest.raises(ParameterError, match="'ctgan' cannot train with differential privacy"):
        Synthesizer("ctgan", dp_epsilon=1.0, epochs=1).fit(table)
    with pytest.raises(ParameterError, match="BatchNorm"):
        refuse_batch_norm(nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)))
    listing = CliRunner().invoke(app, ["models", "--privacy"])
    lines = {line.split()[0]: line.split()[1] for line in listing.output.splitlines()[1:]}
    assert lines["argan"] == "yes" and lines["ctgan"] == "no" and lines["timegan"] == "no"


def test_cli_fits_under_dp_and_inspect_reads_the_guarantee(table, tmp_path):
    data, model = tmp_path / "table.csv", tmp_path / "dp.synthgan"
    table.to_csv(data, index=False)
    runner = CliRunner()
    bounds = json.dumps({"age": [18, 79]})
    fitted = runner.invoke(
        app, ["fit", str(data), "--dp-epsilon", "3", "--dp-bounds", bounds, "--epochs", "1", "-q", "-o", str(model)]
    )
    assert fitted.exit_code == 0, fitted.output
    assert "Differential privacy: epsilon" in fitted.output
    shown = runner.invoke(app, ["inspect", str(model), "--json"])
    record = json.loads(shown.output)["privacy"]
    assert record["target_epsilon"] == 3 and record["declared_columns"] == ["age"]
    refused = runner.invoke(app, ["fit", str(data), "--dp-delta", "1e-6", "-o", str(tmp_path / "x.synthgan")])
    assert refused.exit_code != 0 and "--dp-epsilon" in refused.output


def test_report_states_the_guarantee_and_grades_each_attack(private, table):
    train, holdout = table.iloc[:2_000], table.iloc[2_000:]
    report = evaluate(
        train, private.sample(2_000, seed=0), holdout, target="senior", sections=["privacy"], guarantee=private.privacy_
    )
    section = report["privacy"]
    assert section.value("dp_epsilon") == pytest.approx(private.privacy_["spent_epsilon"])
    attacks = {row["attack"]: row for row in section.tables["attacks"]}
    assert {"membership inference (DOMIAS)", "singling out (anonymeter)", "linkability (anonymeter)"} <= set(attacks)
    assert "-DP" in section.verdict.figure


def test_the_attacks_find_a_table_that_copies_its_training_rows(table):
    # Linkability splits the columns in two halves; each half needs a column that tells rows apart
    # (the second half of ``table`` alone has 8 distinct rows, so no attack could link through it).
    table = table.assign(savings=np.random.default_rng(1).lognormal(8, 1, len(table)).round(2))
    train, holdout = table.iloc[:1_500], table.iloc[1_500:]
    section = evaluate(train, train.copy(), holdout, target="senior", sections=["privacy"])["privacy"]
    verdicts = {row["attack"]: row["verdict"] for row in section.tables["attacks"]}
    assert verdicts["membership inference (DOMIAS)"] == "poor"
    assert verdicts["membership inference (distance)"] == "poor"
    assert section.value("linkability_risk") > 0.15
    assert section.verdict.status == "poor"


def test_the_attacks_leave_numpy_global_generator_alone(table):
    # anonymeter draws its targets from numpy's global generator; the report must not move it.
    train, holdout = table.iloc[:1_500], table.iloc[1_500:]
    before = np.random.get_state()[1].copy(), np.random.get_state()[2]
    evaluate(train, table.iloc[::2], holdout, target="senior", sections=["privacy"])
    after = np.random.get_state()[1], np.random.get_state()[2]
    assert np.array_equal(before[0], after[0]) and before[1] == after[1]
