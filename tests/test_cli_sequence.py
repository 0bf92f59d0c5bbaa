"""``synthgan fit --model timegan`` and ``synthgan sample`` for sequences, run in-process."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from synthgan import Synthesizer
from synthgan.cli.app import app, run

FIT = ["--model", "timegan", "--time-column", "time", "--entity-column", "patient", "--static-columns", "sex"]
SMALL = ["--sequence-length", "6", "--iterations", "3", "--batch-size", "16", "--quiet"]


@pytest.fixture(scope="module")
def data_file(tmp_path_factory, sequence_panel):
    path = tmp_path_factory.mktemp("cli_sequence") / "panel.csv"
    sequence_panel.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_file(data_file):
    path = data_file.parent / "panel.synth"
    result = CliRunner().invoke(app, ["fit", str(data_file), *FIT, *SMALL, "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "Fitted timegan on 90 rows: 75 windows of 6 steps, 3 features" in result.output
    return path


def test_sample_counts_sequences_and_numbers_them(model_file, data_file, tmp_path):
    out = tmp_path / "fake.csv"
    result = CliRunner().invoke(app, ["sample", str(model_file), "--rows", "4", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 sequences of 6 steps (24 rows, column 'patient' numbers them)" in result.output
    fake, real = pd.read_csv(out), pd.read_csv(data_file)
    assert list(fake.columns) == list(real.columns) and len(fake) == 24
    assert fake["patient"].nunique() == 4
    stamps = pd.to_datetime(fake["time"])
    assert (stamps.groupby(fake["patient"]).diff().dropna() == pd.Timedelta(hours=1)).all()


def test_sample_streams_chunks_with_distinct_ids(model_file, tmp_path, monkeypatch):
    from synthgan.families.sequence import SequenceSynthesizer

    monkeypatch.setattr(SequenceSynthesizer, "block_size", 2)  # two sequences of 6 steps per block
    out = tmp_path / "fake.parquet"
    result = CliRunner().invoke(app, ["sample", str(model_file), "-n", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    fake = pd.read_parquet(out)
    assert fake["patient"].unique().tolist() == [f"synthetic-{i}" for i in range(5)]
    pd.testing.assert_frame_equal(fake, Synthesizer.load(model_file).sample(5))


def test_sequence_options_are_checked(data_file, model_file, tmp_path, capsys):
    out = str(tmp_path / "m.synth")
    assert run(["fit", str(data_file), *FIT, *SMALL, "--epochs", "3", "-o", out]) == 2
    assert "trains for --iterations" in capsys.readouterr().err
    assert run(["fit", str(data_file), "--time-column", "time", "--quiet", "-o", out]) == 2
    assert "--time-column only apply to sequence models" in capsys.readouterr().err
    assert run(["sample", str(model_file), "-n", "2", "-c", "sex=F", "-o", str(tmp_path / "x.csv")]) == 2
    assert "--condition is for table models" in capsys.readouterr().err
    assert run(["fit", str(data_file), "--model", "timegan", "--time-column", "when", *SMALL, "-o", out]) == 1
    assert "time_column='when' is not a column" in capsys.readouterr().err


def test_gaps_option(sequence_panel, tmp_path, capsys):
    gappy = sequence_panel.drop(index=[10, 40]).reset_index(drop=True)
    data = tmp_path / "gappy.csv"
    gappy.to_csv(data, index=False)
    out = str(tmp_path / "gappy.synth")
    assert run(["fit", str(data), *FIT, *SMALL, "-o", out]) == 1
    assert "jumps from 2024-05-01 09:00:00 to 2024-05-01 11:00:00 of entity 'P00'" in capsys.readouterr().err
    assert run(["fit", str(data), *FIT, *SMALL, "--gaps", "split", "-o", out]) == 0  # 2 x (5 + 14) + 25 windows
    assert "Fitted timegan on 88 rows: 63 windows" in capsys.readouterr().out
