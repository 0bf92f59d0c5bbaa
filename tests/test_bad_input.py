"""Bad input, table-driven: every case gives one clear error that names the problem.

CLI cases assert exit code 1 or 2, one ``Error:`` line naming the problem, no traceback and no
output file left behind. API cases assert a synthgan error of the expected class whose message
names the problem, and that the caller's DataFrame is unchanged.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthgan import Synthesizer, balance
from synthgan.cli.app import run
from synthgan.errors import (
    ConditionError,
    DataError,
    ModelFileError,
    OutputError,
    ParameterError,
    SchemaError,
    SynthganError,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fuzz_model_files as fuzz

QUICK = {"epochs": 1, "refine": "none", "verbose": False, "seed": 0}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": rng.choice(["low", "high"], n),
            "score": rng.normal(size=n).round(3),
            "label": rng.choice([0, 1], n),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory, table):
    folder = tmp_path_factory.mktemp("bad")
    data = folder / "data.csv"
    table.to_csv(data, index=False)
    model = folder / "model.synth"
    Synthesizer("argan", **QUICK).fit(table).save(model)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header.csv").write_text("age,income,score,label\n")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (folder / "data.xlsx").write_text("age\n1\n")
    table.to_parquet(folder / "data.parquet")
    (folder / "truncated.parquet").write_bytes((folder / "data.parquet").read_bytes()[:200])
    (folder / "empty.synth").write_bytes(b"")
    (folder / "truncated.synth").write_bytes(model.read_bytes()[:300])
    (folder / "junk.synth").write_bytes(b"not a model at all" * 10)
    table.drop(columns="score").to_csv(folder / "lacking.csv", index=False)
    table.assign(label=np.arange(len(table)) * 0.37).to_csv(folder / "continuous.csv", index=False)
    table.assign(label=1).to_csv(folder / "single.csv", index=False)
    (folder / "a_folder").mkdir()
    header, body = fuzz.split_file(model.read_bytes())
    meta = json.loads(header["__metadata__"]["synthgan"])
    (folder / "newer.synth").write_bytes(fuzz.join_file(fuzz.with_meta(header, {**meta, "format_version": 99}), body))
    table.iloc[:1].to_csv(folder / "one.csv", index=False)
    table.assign(age=table["age"].astype(str) + " years").to_csv(folder / "retyped.csv", index=False)
    fast = {"sequence_length": 6, "iterations": 2, "batch_size": 16, "hidden_dim": 8, "num_layers": 1, "verbose": False}
    panel = pd.DataFrame({"time": pd.date_range("2024", periods=20, freq="h"), "p": "a", "v": np.arange(20.0)})
    Synthesizer("timegan", **fast).fit(panel, time_column="time", entity_column="p").save(folder / "timegan.synth")
    return folder


# (case id, argv with {f} for the files folder, expected exit code, text the error names)
CLI_CASES = [
    ("fit-missing-file", ["fit", "{f}/nope.csv", "-o", "{f}/out.synth"], 1, "not found"),
    ("fit-empty-file", ["fit", "{f}/empty.csv", "-o", "{f}/out.synth"], 1, "empty.csv"),
    ("fit-header-only", ["fit", "{f}/header.csv", "-o", "{f}/out.synth"], 1, "empty"),
    ("fit-binary-file", ["fit", "{f}/binary.csv", "-o", "{f}/out.synth"], 1, "binary.csv"),
    ("fit-wrong-extension", ["fit", "{f}/data.xlsx", "-o", "{f}/out.synth"], 1, ".csv"),
    ("fit-truncated-parquet", ["fit", "{f}/truncated.parquet", "-o", "{f}/out.synth"], 1, "truncated.parquet"),
    ("fit-unknown-model", ["fit", "{f}/data.csv", "--model", "ctgna", "-o", "{f}/out.synth"], 2, "ctgan"),
    ("fit-unknown-param", ["fit", "{f}/data.csv", "--param", "nope=1", "-o", "{f}/out.synth"], 2, "nope"),
    ("fit-bad-param-value", ["fit", "{f}/data.csv", "--param", "epochs=abc", "-o", "{f}/out.synth"], 2, "epochs"),
    ("fit-param-without-value", ["fit", "{f}/data.csv", "--param", "epochs", "-o", "{f}/out.synth"], 2, "NAME=VALUE"),
    ("fit-negative-epochs", ["fit", "{f}/data.csv", "--epochs", "-3", "-o", "{f}/out.synth"], 2, "--epochs"),
    ("fit-negative-seed", ["fit", "{f}/data.csv", "--seed", "-1", "-o", "{f}/out.synth"], 2, "--seed"),
    ("fit-huge-seed", ["fit", "{f}/data.csv", "--seed", str(2**70), "-o", "{f}/out.synth"], 2, "--seed"),
    (
        "fit-unwritable-folder",
        ["fit", "{f}/data.csv", "--epochs", "1", "-o", "{f}/data.csv/out.synth"],
        1,
        "Cannot write",
    ),
    ("fit-onto-a-folder", ["fit", "{f}/data.csv", "--epochs", "1", "-o", "{f}/a_folder"], 2, "directory"),
    ("sample-rows-zero", ["sample", "{f}/model.synth", "--rows", "0", "-o", "{f}/out.csv"], 2, "--rows"),
    ("sample-rows-text", ["sample", "{f}/model.synth", "--rows", "many", "-o", "{f}/out.csv"], 2, "--rows"),
    (
        "sample-seed-text",
        ["sample", "{f}/model.synth", "--rows", "5", "--seed", "abc", "-o", "{f}/out.csv"],
        2,
        "--seed",
    ),
    ("sample-unknown-column", ["sample", "{f}/model.synth", "-n", "5", "-c", "nope=1", "-o", "{f}/out.csv"], 1, "nope"),
    (
        "sample-unknown-value",
        ["sample", "{f}/model.synth", "-n", "5", "-c", "income=rich", "-o", "{f}/out.csv"],
        1,
        "rich",
    ),
    (
        "sample-malformed-condition",
        ["sample", "{f}/model.synth", "-n", "5", "-c", "income", "-o", "{f}/out.csv"],
        2,
        "COLUMN=VALUE",
    ),
    ("sample-unknown-extension", ["sample", "{f}/model.synth", "-n", "5", "-o", "{f}/out.xyz"], 1, ".csv"),
    (
        "sample-unwritable-folder",
        ["sample", "{f}/model.synth", "-n", "5", "-o", "{f}/data.csv/out.csv"],
        1,
        "Cannot write",
    ),
    ("sample-missing-model", ["sample", "{f}/nope.synth", "-n", "5", "-o", "{f}/out.csv"], 1, "No model file"),
    ("sample-empty-model", ["sample", "{f}/empty.synth", "-n", "5", "-o", "{f}/out.csv"], 1, "empty.synth"),
    ("sample-truncated-model", ["sample", "{f}/truncated.synth", "-n", "5", "-o", "{f}/out.csv"], 1, "truncated.synth"),
    ("sample-junk-model", ["sample", "{f}/junk.synth", "-n", "5", "-o", "{f}/out.csv"], 1, "junk.synth"),
    ("sample-data-as-model", ["sample", "{f}/data.csv", "-n", "5", "-o", "{f}/out.csv"], 1, "data.csv"),
    ("score-lacking-column", ["score", "{f}/model.synth", "{f}/lacking.csv", "-o", "{f}/out.csv"], 1, "score"),
    (
        "score-bad-id-column",
        ["score", "{f}/model.synth", "{f}/data.csv", "-o", "{f}/out.csv", "--only-score", "--id-column", "nope"],
        2,
        "nope",
    ),
    ("evaluate-mismatched", ["evaluate", "{f}/data.csv", "{f}/lacking.csv", "--json", "{f}/out.json"], 1, "score"),
    (
        "evaluate-missing-target",
        ["evaluate", "{f}/data.csv", "{f}/data.csv", "--target", "nope", "--json", "{f}/out.json"],
        1,
        "nope",
    ),
    (
        "balance-continuous-target",
        ["balance", "{f}/continuous.csv", "--target", "label", "-o", "{f}/out.csv"],
        1,
        "continuous",
    ),
    (
        "balance-single-class",
        ["balance", "{f}/single.csv", "--target", "label", "-o", "{f}/out.csv"],
        1,
        "single class",
    ),
    ("balance-missing-target", ["balance", "{f}/data.csv", "--target", "nope", "-o", "{f}/out.csv"], 1, "nope"),
    ("inspect-missing-file", ["inspect", "{f}/nope.csv"], 1, "not found"),
    ("sample-newer-format", ["sample", "{f}/newer.synth", "-n", "5", "-o", "{f}/out.csv"], 1, "Upgrade synthgan"),
    ("score-sequence-model", ["score", "{f}/timegan.synth", "{f}/data.csv", "-o", "{f}/out.csv"], 2, "table models"),
    ("fit-one-row", ["fit", "{f}/one.csv", "--epochs", "1", "-o", "{f}/out.synth"], 1, "1 row"),
    ("evaluate-retyped-column", ["evaluate", "{f}/data.csv", "{f}/retyped.csv", "--json", "{f}/out.json"], 1, "'age'"),
    ("unknown-command", ["fti"], 2, "fit"),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[case[0] for case in CLI_CASES])
def test_cli_bad_input(case, files, capsys):
    _, argv, code, named = case
    args = [arg.replace("{f}", str(files)) for arg in argv]
    before = set(os.listdir(files))
    assert run(args) == code
    err = capsys.readouterr().err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert "Traceback" not in err and lines, err
    assert sum(line.startswith("Error:") for line in lines) == 1, err
    assert named.lower() in err.lower(), err
    assert set(os.listdir(files)) == before  # no output, no temp file left


@pytest.fixture(scope="module")
def fitted(table):
    return Synthesizer("argan", **QUICK).fit(table)


def _api_cases():
    return [
        ("load-none", lambda s, t: Synthesizer.load(None), ParameterError, "path"),
        ("load-missing", lambda s, t: Synthesizer.load("no/such/model.synth"), ModelFileError, "No model file"),
        ("sample-negative", lambda s, t: s.sample(-1), ParameterError, "n must"),
        ("sample-float", lambda s, t: s.sample(2.5), ParameterError, "n must"),
        ("sample-bool", lambda s, t: s.sample(True), ParameterError, "n must"),
        ("sample-huge", lambda s, t: s.sample(10**12), ParameterError, "GiB"),
        ("sample-seed-text", lambda s, t: s.sample(5, seed="abc"), ParameterError, "seed"),
        ("sample-seed-negative", lambda s, t: s.sample(5, seed=-1), ParameterError, "seed"),
        ("sample-seed-huge", lambda s, t: s.sample(5, seed=2**70), ParameterError, "seed"),
        ("fit-seed-negative", lambda s, t: Synthesizer("argan", seed=-1).fit(t), ParameterError, "seed"),
        ("fit-unknown-param", lambda s, t: Synthesizer("argan", nope=1).fit(t), ParameterError, "nope"),
        ("fit-bad-param-type", lambda s, t: Synthesizer("argan", epochs="x").fit(t), ParameterError, "epochs"),
        ("fit-unknown-model", lambda s, t: Synthesizer("nope").fit(t), ParameterError, "nope"),
        ("fit-not-a-table", lambda s, t: Synthesizer("argan", **QUICK).fit([1, 2, 3]), DataError, "DataFrame"),
        ("fit-empty-table", lambda s, t: Synthesizer("argan", **QUICK).fit(t.iloc[:0]), DataError, "empty"),
        (
            "fit-infinities",
            lambda s, t: Synthesizer("argan", **QUICK).fit(t.assign(score=np.inf)),
            DataError,
            "infinite",
        ),
        (
            "fit-unknown-discrete",
            lambda s, t: Synthesizer("argan", **QUICK).fit(t, discrete_columns=["nope"]),
            SchemaError,
            "nope",
        ),
        ("condition-unknown-column", lambda s, t: s.sample(5, conditions={"nope": 1}), ConditionError, "nope"),
        ("condition-unknown-value", lambda s, t: s.sample(5, conditions={"income": "rich"}), ConditionError, "rich"),
        ("condition-not-a-mapping", lambda s, t: s.sample(5, conditions="income"), ConditionError, "mapping"),
        ("condition-range-reversed", lambda s, t: s.sample(5, conditions={"age": (50, 20)}), ConditionError, "age"),
        (
            "condition-unreachable-range",
            lambda s, t: s.sample(5, conditions={"age": (500, 600)}),
            ConditionError,
            "age",
        ),
        ("condition-bad-numeric", lambda s, t: s.sample(5, conditions={"age": "old"}), ConditionError, "age"),
        ("impute-lacking-column", lambda s, t: s.impute(t.drop(columns="age")), DataError, "age"),
        ("impute-not-a-table", lambda s, t: s.impute("rows"), DataError, "DataFrame"),
        ("score-not-a-table", lambda s, t: s.anomaly_scores([1, 2]), DataError, "DataFrame"),
        ("score-lacking-column", lambda s, t: s.anomaly_scores(t.drop(columns="age")), DataError, "age"),
        ("save-onto-a-folder", lambda s, t: s.save("."), OutputError, "is a folder"),
        (
            "balance-continuous",
            lambda s, t: balance(t, target="score", model="argan", **QUICK),
            DataError,
            "continuous",
        ),
        ("balance-single-class", lambda s, t: balance(t.assign(label=1), target="label", **QUICK), DataError, "single"),
        ("balance-sequence-model", lambda s, t: balance(t, target="label", model="timegan"), ParameterError, "table"),
        ("fit-all-null-column", lambda s, t: Synthesizer("argan", **QUICK).fit(t.assign(e=np.nan)), DataError, "'e'"),
        (
            "fit-mixed-types",
            lambda s, t: Synthesizer("argan", **QUICK).fit(t.assign(m=[1, "a"] * (len(t) // 2))),
            DataError,
            "mixes value types",
        ),
        (
            "fit-duplicate-names",
            lambda s, t: Synthesizer("argan", **QUICK).fit(pd.concat([t, t[["age"]]], axis=1)),
            DataError,
            "Duplicate",
        ),
        ("fit-one-row", lambda s, t: Synthesizer("argan", **QUICK).fit(t.iloc[:1]), DataError, "1 row"),
        (
            "fit-too-wide-for-argan",
            lambda s, t: Synthesizer("argan", **QUICK).fit(WIDE),
            ParameterError,
            "square of the columns",
        ),
        (
            "condition-continuous-ctgan",
            lambda s, t: Synthesizer("ctgan", epochs=1, verbose=False).fit(t).sample(5, conditions={"score": 0.1}),
            ConditionError,
            "not a discrete column",
        ),
        ("chunk-size-zero", lambda s, t: s.sample_chunks(5, chunk_size=0), ParameterError, "chunk_size"),
        (
            "images-of-mixed-shapes",
            lambda s, t: Synthesizer("dcgan", epochs=1).fit([np.zeros((8, 8)), np.zeros((9, 9))]),
            DataError,
            "different shapes",
        ),
        (
            "sequences-too-short",
            lambda s, t: Synthesizer("timegan", sequence_length=6).fit(PANEL.iloc[:3], time_column="time"),
            DataError,
            "sequence_length=6",
        ),
        (
            "sequences-missing-time",
            lambda s, t: Synthesizer("timegan", sequence_length=6).fit(
                PANEL.assign(time=PANEL["time"].where(PANEL.index != 3)), time_column="time"
            ),
            DataError,
            "missing value",
        ),
    ]


WIDE = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 2_000)), columns=[f"c{i}" for i in range(2_000)])
PANEL = pd.DataFrame({"time": pd.date_range("2024", periods=20, freq="h"), "v": np.arange(20.0)})


API_CASES = _api_cases()


@pytest.mark.parametrize("case", API_CASES, ids=[case[0] for case in API_CASES])
def test_api_bad_input(case, fitted, table):
    _, call, error, named = case
    before = table.copy()
    with pytest.raises(error) as raised:
        call(fitted, table)
    assert isinstance(raised.value, SynthganError)
    assert named.lower() in str(raised.value).lower(), str(raised.value)
    pd.testing.assert_frame_equal(table, before)


def test_discrete_columns_given_as_one_name_is_that_column(table):
    fitted = Synthesizer("argan", **QUICK).fit(table, discrete_columns="label")
    assert fitted.transformer_.schema["label"].kind.value == "categorical"


@pytest.mark.parametrize("name", ["Größe 体重 🎉", "--output", "-n", "a,b", "1"])
def test_unusual_column_names_round_trip_through_the_cli(name, table, tmp_path):
    data, model, out = tmp_path / "in.csv", tmp_path / "m.synth", tmp_path / "out.csv"
    table.rename(columns={"income": name}).to_csv(data, index=False)
    assert run(["fit", str(data), "--epochs", "1", "--quiet", "-o", str(model)]) == 0
    assert run(["sample", str(model), "-n", "20", "-o", str(out)]) == 0
    assert pd.read_csv(out).columns.tolist() == pd.read_csv(data).columns.tolist()


def test_timegan_refuses_conditions_by_name(sequence_panel):
    fast = {"sequence_length": 6, "iterations": 2, "batch_size": 16, "hidden_dim": 8, "num_layers": 1, "verbose": False}
    fitted = Synthesizer("timegan", **fast).fit(sequence_panel, time_column="time", entity_column="patient")
    with pytest.raises(ConditionError, match="takes no conditions"):
        fitted.sample(2, conditions={"state": 1})
