"""Commands stopped by a real signal mid-write leave no output file and no temporary file behind.

SIGINT and SIGTERM print one line and remove the temporary file on the way out; SIGKILL cannot be
caught, so the next write to the same output removes what the killed process left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synthgan import Synthesizer

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

CLI = [sys.executable, "-c", "from synthgan.cli import main; main()"]


@pytest.fixture(scope="module")
def model_file(adult, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "adult.synth"
    table = adult.sample(1_000, random_state=0).reset_index(drop=True)
    Synthesizer("argan", epochs=1, refine_epochs=1, seed=0, verbose=False).fit(table).save(path)
    return path


def temporaries(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f".{name}.*.tmp"))


def start_writing(command: list[str], folder: Path, name: str) -> subprocess.Popen:
    """Start ``command`` and return once its temporary output holds data (it is mid-write)."""
    process = subprocess.Popen(CLI + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(path.stat().st_size > 0 for path in temporaries(folder, name) if path.exists()):
            return process
        if process.poll() is not None:
            raise AssertionError(f"finished before it could be stopped: {process.communicate()}")
        time.sleep(0.05)
    process.kill()
    raise AssertionError("no temporary output appeared within 120 s")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sample_stopped_mid_write_leaves_nothing(model_file, tmp_path, stop):
    out = tmp_path / "rows.csv"
    process = start_writing(["sample", str(model_file), "--rows", "5000000", "-o", str(out)], tmp_path, out.name)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + stop
    assert err.strip().splitlines() == [f"Error: stopped by {stop.name}; no file was left half-written."]
    assert not out.exists() and temporaries(tmp_path, out.name) == []


def test_sample_killed_mid_write_is_cleaned_by_the_next_run(model_file, tmp_path):
    out = tmp_path / "rows.parquet"
    process = start_writing(["sample", str(model_file), "--rows", "5000000", "-o", str(out)], tmp_path, out.name)
    process.kill()
    process.communicate(timeout=60)
    assert not out.exists() and len(temporaries(tmp_path, out.name)) == 1  # SIGKILL cannot be caught
    again = subprocess.run([*CLI, "sample", str(model_file), "--rows", "50", "-o", str(out)], capture_output=True)
    assert again.returncode == 0, again.stderr
    assert out.exists() and temporaries(tmp_path, out.name) == []


def test_fit_stopped_while_training_leaves_no_model_file(adult, tmp_path):
    data = tmp_path / "adult.csv"
    adult.iloc[:3_000].to_csv(data, index=False)
    out = tmp_path / "model.synth"
    command = ["fit", str(data), "--epochs", "500", "--quiet", "-o", str(out)]
    process = subprocess.Popen(CLI + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(12)  # imports, reading, and into the training loop
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().splitlines() == ["Error: stopped by SIGINT; no file was left half-written."]
    assert list(tmp_path.iterdir()) == [data]


def test_a_running_writers_temporary_file_is_not_removed(tmp_path):
    from synthgan.files import atomic_path, remove_stale_temporaries

    target = tmp_path / "out.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("partial")
        assert remove_stale_temporaries(target) == []  # its process (this one) still runs
        assert tmp.exists()
    dead = tmp_path / ".out.csv.999999999.abc.tmp"  # no process has that id
    dead.write_text("left by a killed run")
    assert remove_stale_temporaries(target) == [dead] and not dead.exists()
