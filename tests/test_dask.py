"""Sampling on Dask: partitions of whole seeded blocks, made by worker processes, hold the rows of
one ``sample`` call; ``synthgan sample --dask`` writes them as a Parquet folder.

Runs a 2-worker ``LocalCluster`` on loopback (worker processes, one thread each). The workers load
the model file themselves, so the default block size (100,000 rows) applies: the requests here
span two or three blocks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from synthgan import Synthesizer
from synthgan.cli.app import app, run

dask_dataframe = pytest.importorskip("dask.dataframe", reason="dask is an optional extra: pip install synthgan[dask]")
distributed = pytest.importorskip("distributed", reason="dask is an optional extra: pip install synthgan[dask]")

from synthgan.dask import sample  # noqa: E402


@pytest.fixture(scope="module")
def model_path(tmp_path_factory, adult):
    path = tmp_path_factory.mktemp("dask") / "adult.synth"
    model = Synthesizer("argan", epochs=1, refine_epochs=1, seed=1, verbose=False)
    model.fit(adult.sample(800, random_state=0)).save(path)
    return path


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _plain_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Dask hands text columns back as pyarrow strings (its default); the values are what count."""
    frame = frame.reset_index(drop=True)
    for column in [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), np.nan)
    return frame


@pytest.mark.usefixtures("cluster")
def test_workers_make_the_rows_of_one_sample_call(model_path):
    frame = sample(model_path, 210_000, partitions=2, seed=5)
    assert frame.npartitions == 2
    computed = frame.compute()
    assert computed.index.is_unique and computed.index[-1] == 209_999
    whole = Synthesizer.load(model_path).sample(210_000, seed=5)
    pd.testing.assert_frame_equal(_plain_strings(computed), whole)


@pytest.mark.usefixtures("cluster")
def test_conditions_hold_in_every_partition(model_path):
    computed = sample(model_path, 1_000, conditions={"sex": "Female"}, seed=2).compute()
    assert len(computed) == 1_000 and (computed["sex"] == "Female").all()


def test_cli_writes_one_parquet_file_per_partition(cluster, model_path, tmp_path):
    folder = tmp_path / "rows"
    result = CliRunner().invoke(
        app,
        ["sample", str(model_path), "--rows", "120000", "--seed", "4", "--dask", cluster.scheduler.address,
         "-o", str(folder)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    files = sorted(folder.glob("*.parquet"))
    assert len(files) == 2 and "2 Parquet files" in result.output
    written = pd.read_parquet(folder).reset_index(drop=True)
    pd.testing.assert_frame_equal(_plain_strings(written), Synthesizer.load(model_path).sample(120_000, seed=4))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_cli_names_an_unreachable_scheduler(model_path, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["sample", str(model_path), "-n", "10", "--dask", "tcp://127.0.0.1:9", "-o", str(out)]) == 2
    assert "Cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())
    assert run(["sample", str(model_path), "-n", "10", "--partitions", "2", "-o", str(tmp_path / "x.csv")]) == 2
    assert "--partitions goes with --dask" in capsys.readouterr().err
