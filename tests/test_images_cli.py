"""``synthgan fit`` and ``synthgan sample`` with image models, run in-process."""

from __future__ import annotations

import csv
import gzip
import struct

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

from synthgan.cli.app import app, run
from synthgan.data.image import read_png

FAST = ["--epochs", "1", "--batch-size", "32", "--quiet"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    data = load_digits()
    images = (data.images[:200] * 15).astype(np.uint8)  # 0-240, as a grayscale PNG holds them
    np.save(folder / "digits.npy", images)
    np.save(folder / "labels.npy", data.target[:200])
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", *images.shape)
    (folder / "digits-idx3-ubyte.gz").write_bytes(gzip.compress(header + images.tobytes()))
    return folder


@pytest.fixture(scope="module")
def model_file(files):
    path = files / "cdcgan.synth"
    args = ["fit", str(files / "digits.npy"), "--model", "cdcgan", "--labels", str(files / "labels.npy")]
    result = CliRunner().invoke(app, [*args, *FAST, "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "Fitted cdcgan on 200 images of 8x8 (1 channel, 10 classes): 1 epochs" in result.output
    return path


def test_sample_writes_pngs_grid_and_labels(model_file, tmp_path):
    out = tmp_path / "sevens"
    args = ["sample", str(model_file), "--rows", "12", "--condition", "label=7", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wrote 12 images of label 7" in result.output
    pngs = sorted(path.name for path in out.glob("*.png"))
    assert pngs == [f"{index:05d}.png" for index in range(12)] + ["grid.png"]
    assert read_png(out / "00000.png").shape == (1, 8, 8)
    assert read_png(out / "grid.png").shape[1] > 8 * 4  # 12 tiles enlarged to be seen
    with (out / "labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["file"] for row in rows] == pngs[:-1] and {row["label"] for row in rows} == {"7"}


def test_a_sample_folder_fits_again_with_its_labels(model_file, tmp_path):
    out = tmp_path / "mixed"
    assert run(["sample", str(model_file), "--rows", "40", "-o", str(out)]) == 0
    again = tmp_path / "again.synth"
    args = ["fit", str(out), "--model", "cdcgan", "--labels", str(out / "labels.csv"), *FAST, "-o", str(again)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "on 40 images of 8x8" in result.output  # grid.png is not one of them


def test_fit_dcgan_from_gzipped_idx(files, tmp_path):
    path = tmp_path / "dcgan.synth"
    args = ["fit", str(files / "digits-idx3-ubyte.gz"), "-m", "dcgan", *FAST, "-o", str(path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = tmp_path / "free"
    assert run(["sample", str(path), "--rows", "3", "-o", str(out)]) == 0
    with (out / "labels.csv").open() as handle:
        assert [row["label"] for row in csv.DictReader(handle)] == ["", "", ""]  # dcgan learns no labels


def test_image_errors_are_one_line(model_file, files, tmp_path, capsys):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "old.png").write_bytes(b"")
    assert run(["sample", str(model_file), "--rows", "2", "-o", str(tmp_path / "busy")]) == 1
    assert capsys.readouterr().err.startswith("Error: ") and not (tmp_path / "busy" / "00000.png").exists()
    assert run(["sample", str(model_file), "--rows", "2", "-c", "label=12", "-o", str(tmp_path / "x")]) == 1
    assert "label has no value '12'" in capsys.readouterr().err and not (tmp_path / "x").exists()
    assert run(["fit", str(files / "digits.npy"), "-m", "cdcgan", *FAST, "-o", str(tmp_path / "m")]) == 2
    assert "--labels FILE" in capsys.readouterr().err
    table_args = ["fit", str(files / "digits.npy"), "-m", "cdcgan", "--target", "y", "-o", str(tmp_path / "m")]
    assert run(table_args) == 2
    assert "--target applies to tables" in capsys.readouterr().err
    assert run(["fit", str(files / "digits.npy"), "-m", "ctgan", "--labels", "l.npy", "-o", str(tmp_path / "m")]) == 2
    assert "--labels is for image models" in capsys.readouterr().err
    assert run(["fit", str(files / "missing.npy"), "-m", "dcgan", "-o", str(tmp_path / "m")]) == 1
    assert capsys.readouterr().err.startswith("Error: File not found")
    (tmp_path / "t.csv").write_text("a,b\n1,x\n2,y\n")
    assert run(["balance", str(tmp_path / "t.csv"), "--target", "b", "-m", "dcgan", "-o", str(tmp_path / "b.csv")]) == 2
    assert "dcgan' is a model of images" in capsys.readouterr().err


def test_models_lists_the_image_models_one_line_each():
    result = CliRunner().invoke(app, ["models"])
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "dcgan" in lines and "cdcgan" in lines and len(lines["cdcgan"]) <= 80
    params = CliRunner().invoke(app, ["models", "--params", "cdcgan"])
    assert "spectral_norm" in params.output and "width" in params.output
