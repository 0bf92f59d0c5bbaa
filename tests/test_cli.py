"""The command line, run in-process: fit, sample, models, inspect, balance, and error handling."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from synthgan import Synthesizer
from synthgan.cli.app import app, run


@pytest.fixture(scope="module")
def data_file(tmp_path_factory, adult):
    path = tmp_path_factory.mktemp("cli") / "adult.csv"
    adult.sample(600, random_state=0).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_file(data_file):
    path = data_file.parent / "adult.synth"
    result = CliRunner().invoke(app, ["fit", str(data_file), "--epochs", "2", "--quiet", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "Fitted argan on 600 rows" in result.output  # argan is the default
    assert "exact rule(s) of the real rows" in result.output
    return path


def test_models_lists_every_model():
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == [
        "argan",
        *("gan", "cgan", "wgan", "wgangp", "dragan", "cramergan", "cwgangp", "ctgan"),
        "timegan",
        *("dcgan", "cdcgan"),
    ]
    params = CliRunner().invoke(app, ["models", "--params", "ctgan"])
    assert "epochs" in params.output and "pac" in params.output


def test_inspect_table_and_json(data_file):
    result = CliRunner().invoke(app, ["inspect", str(data_file)])
    assert result.exit_code == 0 and "capital-gain" in result.output and "point mass" in result.output
    as_json = CliRunner().invoke(app, ["inspect", str(data_file), "--json"])
    schema = json.loads(as_json.output)
    kinds = {column["name"]: column["kind"] for column in schema["columns"]}
    assert kinds["age"] == "integer" and kinds["income"] == "categorical"
    assert "rules" not in schema  # finding rules is asked for


def test_inspect_lists_the_exact_rules(data_file):
    result = CliRunner().invoke(app, ["inspect", str(data_file), "--rules"])
    assert result.exit_code == 0, result.output
    assert "Rules that hold in every row" in result.output
    assert "education-num is a function of education" in result.output
    rules = json.loads(CliRunner().invoke(app, ["inspect", str(data_file), "--rules", "--json"]).output)["rules"]
    assert "education-num is a function of education" in rules


def test_sample_csv_and_parquet_with_conditions(model_file, data_file, tmp_path):
    out = tmp_path / "fake.csv"
    result = CliRunner().invoke(app, ["sample", str(model_file), "--rows", "250", "--output", str(out)])
    assert result.exit_code == 0, result.output
    fake = pd.read_csv(out)
    assert len(fake) == 250 and list(fake.columns) == list(pd.read_csv(data_file).columns)
    parquet = tmp_path / "rich.parquet"
    args = ["sample", str(model_file), "-n", "120", "-c", "income=>50K", "-c", "sex=Female", "-o", str(parquet)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rich = pd.read_parquet(parquet)
    assert len(rich) == 120 and (rich["income"] == ">50K").all() and (rich["sex"] == "Female").all()


def test_sample_streams_the_rows_the_library_samples(model_file, tmp_path, monkeypatch):
    from synthgan.families.table import TableSynthesizer

    monkeypatch.setattr(TableSynthesizer, "block_size", 100)  # 350 rows: four seeded blocks
    out = tmp_path / "many.csv.gz"
    result = CliRunner().invoke(app, ["sample", str(model_file), "--rows", "350", "--seed", "5", "--output", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) == 350 and frame.columns[0] == "age"
    same = tmp_path / "same.csv.gz"
    Synthesizer.load(model_file).sample(350, seed=5).to_csv(same, index=False)
    pd.testing.assert_frame_equal(frame, pd.read_csv(same))


def test_errors_are_one_line_with_exit_codes(model_file, tmp_path, capsys):
    assert run(["fit", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "m.synth")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: File not found") and "Traceback" not in err
    assert run(["sample", str(model_file), "--rows", "5", "-c", "income=rich", "-o", str(tmp_path / "x.csv")]) == 1
    assert "no value 'rich'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()  # nothing half-written
    assert run(["fti"]) == 2
    assert "Did you mean 'fit'?" in capsys.readouterr().err
    assert run(["sample", str(model_file), "--rows", "0", "-o", "x.csv"]) == 2
    assert run(["fit", str(model_file), "--model", "ctgna", "-o", str(tmp_path / "m.synth")]) in (1, 2)
    bad_model = tmp_path / "bad.synth"
    bad_model.write_bytes(b"junk")
    assert run(["sample", str(bad_model), "--rows", "5", "-o", str(tmp_path / "y.csv")]) == 1
    assert "not a readable synthgan model file" in capsys.readouterr().err


def test_unknown_model_is_a_usage_error(data_file, tmp_path, capsys):
    code = run(["fit", str(data_file), "--model", "ctgna", "-o", str(tmp_path / "m.synth")])
    assert code == 2
    assert "Did you mean 'ctgan'?" in capsys.readouterr().err


def test_balance_equalizes_classes(data_file, tmp_path):
    out = tmp_path / "balanced.csv"
    args = ["balance", str(data_file), "--target", "income", "--epochs", "1", "-q", "--output", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    counts = pd.read_csv(out)["income"].value_counts()
    assert counts["<=50K"] == counts[">50K"]
    real = pd.read_csv(data_file)["income"].value_counts()
    many, few, missing = real["<=50K"], real[">50K"], real["<=50K"] - real[">50K"]
    assert f"income before: <=50K: {many}, >50K: {few}" in result.output  # printed before training
    assert f"Generating {missing} of >50K with argan (one conditional model)" in result.output
    assert max(len(line) for line in result.output.splitlines() if not line.startswith("Wrote")) <= 80
    table = [line.split() for line in result.output.splitlines() if line.startswith((">50K", "<=50K"))]
    assert sorted(table) == [["<=50K", f"{many}", "0", f"{many}"], [">50K", f"{few}", f"{missing}", f"{many}"]]


def test_balance_options(data_file, tmp_path, capsys):
    out = tmp_path / "synthetic.csv"
    args = ["balance", str(data_file), "-t", "income", "--model", "wgangp", "--per-class", "--synthetic-only"]
    args += ["--rows-per-class", "200", "--epochs", "1", "--seed", "3", "--batch-size", "100", "-q", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["income"].value_counts().to_dict() == {"<=50K": 200, ">50K": 200}
    assert "Wrote 400 synthetic rows" in result.output and "one model per class" in result.output
    ratio = tmp_path / "ratio.parquet"
    args = ["balance", str(data_file), "-t", "income", "--ratio", "0.5", "--epochs", "1", "-q", "-o", str(ratio)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    many = pd.read_csv(data_file)["income"].value_counts()["<=50K"]
    assert pd.read_parquet(ratio)["income"].value_counts().to_dict() == {"<=50K": many, ">50K": round(many / 2)}
    both = ["balance", str(data_file), "-t", "income", "--ratio", "0.5", "--rows-per-class", "9", "-o", str(out)]
    assert run(both) == 2
    assert "either --rows-per-class or --ratio" in capsys.readouterr().err
    assert run(["balance", str(data_file), "-t", "nope", "-o", str(out)]) == 1
    assert "'nope' is not in the table" in capsys.readouterr().err


def test_demo_runs_the_whole_journey(tmp_path):
    out = tmp_path / "demo"
    args = ["demo", "--output-dir", str(out), "--rows", "1500", "--minutes", "0.05"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("adult.synth", "adult_synthetic.csv", "report.html", "report.json", "real_vs_synthetic.png"):
        assert (out / name).stat().st_size > 0, name
    assert "quality score" in result.output and "stopped: " in result.output
    synthetic = pd.read_csv(out / "adult_synthetic.csv")
    assert len(synthetic) == 1200  # as many rows as the training split
    figures = json.loads((out / "report.json").read_text())
    assert 0 <= figures["score"] <= 1
    assert f"Report:         {out / 'report.html'}" in result.output
    assert (out / "real_vs_synthetic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
