"""Model files: safetensors + JSON, and clear errors for anything that is not a good synthgan file."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
import torch
from safetensors.torch import save_file

from synthgan import Synthesizer
from synthgan.errors import ModelFileError


@pytest.fixture(scope="module")
def saved(tmp_path_factory, adult_small):
    path = tmp_path_factory.mktemp("models") / "adult.synth"
    Synthesizer("ctgan", epochs=1, verbose=False).fit(adult_small).save(path)
    return path


def test_file_is_safetensors_with_a_json_header(saved):
    raw = saved.read_bytes()
    header_size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_size])
    meta = json.loads(header["__metadata__"]["synthgan"])
    assert meta["format"] == "synthgan-model" and meta["model"] == "ctgan"
    assert b"pickle" not in raw[: 8 + header_size]


def test_file_gets_the_usual_permissions(saved):
    umask = os.umask(0)
    os.umask(umask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~umask  # not the owner-only mode of a temp file


def test_truncated_file(saved, tmp_path):
    broken = tmp_path / "truncated.synth"
    broken.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(ModelFileError, match="truncated or corrupted"):
        Synthesizer.load(broken)


def test_flipped_weight_bytes_are_detected(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    data[-100] ^= 0xFF
    broken = tmp_path / "flipped.synth"
    broken.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        Synthesizer.load(broken)


def test_foreign_and_garbage_files(tmp_path):
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(foreign))
    with pytest.raises(ModelFileError, match="not a synthgan model"):
        Synthesizer.load(foreign)
    garbage = tmp_path / "garbage.synth"
    garbage.write_bytes(b"not a model at all" * 10)
    with pytest.raises(ModelFileError):
        Synthesizer.load(garbage)
    with pytest.raises(ModelFileError, match="No model file"):
        Synthesizer.load(tmp_path / "missing.synth")


def test_newer_format_is_refused(saved, tmp_path):
    from safetensors import safe_open

    with safe_open(str(saved), framework="pt") as handle:
        header = handle.metadata()
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    meta = json.loads(header["synthgan"])
    meta["format_version"] = 99
    newer = tmp_path / "newer.synth"
    save_file(tensors, str(newer), metadata={"synthgan": json.dumps(meta)})
    with pytest.raises(ModelFileError, match="newer than this synthgan"):
        Synthesizer.load(newer)


def test_save_is_atomic(adult_small, tmp_path, monkeypatch):
    synthesizer = Synthesizer("gan", epochs=1, verbose=False).fit(adult_small)
    target = tmp_path / "model.synth"

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("synthgan.io.save_file", fail)
    with pytest.raises(OSError, match="disk full"):
        synthesizer.save(target)
    assert list(tmp_path.iterdir()) == []


def test_loaded_model_samples_like_the_original(saved):
    model = Synthesizer.load(saved)
    rows = model.sample(50)
    assert isinstance(rows, pd.DataFrame) and len(rows) == 50
