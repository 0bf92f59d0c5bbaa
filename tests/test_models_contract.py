"""The contract every tabular model keeps (run over the registry's tables, as sklearn's estimator checks).

Small real data (an Adult subsample) and 2 epochs keep it fast; quality is measured in benchmarks/.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgan import Synthesizer, available_models
from synthgan.errors import ConditionError, NotFittedError

FAST = {"epochs": 2, "batch_size": 200, "seed": 3, "verbose": False, "check_every": 1, "refine_epochs": 1}
CONDITIONAL = {"cgan", "cwgangp", "ctgan", "argan"}
# Models that condition exactly on any column, numbers included.
ANY_COLUMN = {"argan"}


def fast(model: str) -> dict:
    """The FAST settings this model takes (argan has no fidelity checks; only argan refines)."""
    return {k: v for k, v in FAST.items() if k in Synthesizer.parameters(model)}


@pytest.fixture(scope="module")
def table(adult) -> pd.DataFrame:
    return adult.sample(800, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="module", params=available_models("table"))
def fitted(request, table):
    synthesizer = Synthesizer(request.param, **fast(request.param))
    returned = synthesizer.fit(table, target="income")
    assert returned is synthesizer  # fit returns self
    return synthesizer


def test_registry_has_the_tabular_zoo():
    tables = {"argan", "gan", "cgan", "wgan", "wgangp", "dragan", "cramergan", "cwgangp", "ctgan"}
    assert set(available_models("table")) >= tables


@pytest.mark.parametrize("model", available_models("table"))
def test_sample_before_fit_raises(model):
    with pytest.raises(NotFittedError, match="not fitted"):
        Synthesizer(model).sample(5)


def test_output_matches_input_columns_dtypes_and_ranges(fitted, table):
    fake = fitted.sample(500)
    assert len(fake) == 500
    assert list(fake.columns) == list(table.columns)
    assert fake.dtypes.to_dict() == table.dtypes.to_dict()
    for column in table.select_dtypes("number"):
        assert fake[column].between(table[column].min(), table[column].max()).all(), column
        assert (fake[column] == fake[column].round()).all(), column  # Adult's numbers are integers
    for column in table.select_dtypes("object"):
        assert set(fake[column].dropna()) <= set(table[column].dropna()), column


def test_same_seed_same_rows_and_sample_seed(fitted, table):
    again = Synthesizer(fitted.model, **fast(fitted.model)).fit(table, target="income")
    pd.testing.assert_frame_equal(fitted.sample(300), again.sample(300))
    assert not fitted.sample(300, seed=1).equals(fitted.sample(300, seed=2))


def test_save_then_load_gives_same_rows(fitted, tmp_path):
    path = tmp_path / "model.synth"
    fitted.save(path)
    loaded = Synthesizer.load(path)
    pd.testing.assert_frame_equal(loaded.sample(300), fitted.sample(300))
    assert loaded.history.equals(fitted.history)


def test_conditional_sampling(fitted):
    if fitted.model in CONDITIONAL:
        rare = fitted.sample(250, conditions={"income": ">50K"})
        assert len(rare) == 250 and (rare["income"] == ">50K").all()
        both = fitted.sample(100, conditions={"income": ">50K", "sex": "Female"})
        assert len(both) == 100 and (both["income"] == ">50K").all() and (both["sex"] == "Female").all()
    else:
        common = fitted.sample(20, conditions={"income": fitted.sample(1)["income"].iloc[0]})
        assert len(common) == 20
    with pytest.raises(ConditionError, match="no value 'rich'"):
        fitted.sample(5, conditions={"income": "rich"})
    if fitted.model in ANY_COLUMN:
        assert (fitted.sample(50, conditions={"age": 30})["age"] == 30).all()
        with pytest.raises(ConditionError, match="no value in"):
            fitted.sample(5, conditions={"age": 300})
    else:
        with pytest.raises(ConditionError, match="not a discrete column"):
            fitted.sample(5, conditions={"age": 30})


def test_history_has_losses_and_diversity_signals(fitted):
    history = fitted.history
    if fitted.model == "argan":  # likelihood epochs, then the pair refinement; the held-out likelihood throughout
        assert list(history["epoch"]) == [1, 2, 3] and list(history["phase"]) == ["likelihood"] * 2 + ["pairs"]
        assert np.isfinite(history[["nll_loss", "validation_loss", "pairs_loss"]].iloc[2]).all()
        assert (history["validation_loss"] > 0).all()
        return
    assert list(history["epoch"]) == [1, 2]
    assert {"critic_loss", "generator_loss", "fidelity", "level_coverage", "spread_ratio"} <= set(history)
    assert np.isfinite(history["generator_loss"]).all()
    assert history["fidelity"].between(0, 1).all()


@pytest.mark.parametrize("model", available_models("table"))
def test_contract_on_pima(model, shared_data):
    """A small all-numeric medical table: integer and float columns, a 0/1 outcome as the target."""
    from synthgan import datasets

    table = datasets.load("pima")
    first = Synthesizer(model, **fast(model)).fit(table, discrete_columns=["Outcome"], target="Outcome")
    fake = first.sample(400)
    assert list(fake.columns) == list(table.columns)
    assert fake.dtypes.to_dict() == table.dtypes.to_dict()
    for column in table:
        assert fake[column].between(table[column].min(), table[column].max()).all(), column
    again = Synthesizer(model, **fast(model)).fit(table, discrete_columns=["Outcome"], target="Outcome")
    pd.testing.assert_frame_equal(fake, again.sample(400))
    if model in CONDITIONAL:
        assert (first.sample(100, conditions={"Outcome": 1})["Outcome"] == 1).all()
