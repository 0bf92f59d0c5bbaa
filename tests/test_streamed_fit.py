"""Fitting argan on tables on disk, read in record batches: Parquet files, folders, globs, datasets, CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pytest
from click.testing import CliRunner

import synthgan.data.source as source_module
import synthgan.families.argan as argan_module
from synthgan import Synthesizer, load_dataset
from synthgan.cli.app import app
from synthgan.data.scan import scan
from synthgan.data.source import open_source
from synthgan.data.token_table import encode_tokens, split_rows
from synthgan.data.tokens import TokenLayout
from synthgan.data.transformer import Transformer
from synthgan.errors import DataError

FAST = {"epochs": 1, "refine": "none", "seed": 5, "verbose": False}


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load_dataset("adult").head(1_500)


def _sample(data) -> pd.DataFrame:
    return Synthesizer("argan", **FAST).fit(data).sample(300, seed=2)


def test_a_table_on_disk_fits_exactly_as_the_same_table_in_memory(adult, tmp_path):
    """A table no longer than the scan's sample is sampled whole: the same model, whatever holds it."""
    adult.to_parquet(tmp_path / "adult.parquet")
    expected = _sample(pd.read_parquet(tmp_path / "adult.parquet"))  # text nulls come back as None
    folder = tmp_path / "parts"
    folder.mkdir()
    for part in range(3):
        adult.iloc[part * 500 : (part + 1) * 500].to_parquet(folder / f"part-{part}.parquet")
    adult.to_csv(tmp_path / "adult.csv", index=False)
    for data in (
        tmp_path / "adult.parquet",
        str(folder),
        str(folder / "part-*.parquet"),
        pads.dataset(str(folder), format="parquet"),
    ):
        pd.testing.assert_frame_equal(_sample(data), expected)
    from_csv = _sample(tmp_path / "adult.csv")  # pyarrow reads a missing text cell as None, pandas as NaN
    pd.testing.assert_frame_equal(
        _none_for_null(from_csv), _none_for_null(_sample(pd.read_csv(tmp_path / "adult.csv")))
    )


def _none_for_null(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def _skewed_table(rows: int = 6_000) -> pd.DataFrame:
    random = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "city": random.choice(["Oslo", "Rome", "Lima"], rows),
            "income": random.normal(50_000, 5_000, rows).round(2),
            "visits": random.integers(0, 40, rows),
        }
    )
    frame.loc[rows * 7 // 10, "city"] = "Reykjavik"  # one row of a rare level
    frame.loc[rows * 9 // 10, "income"] = 1_000_000.0  # one extreme value
    frame.loc[[17, rows // 2], "visits"] = None  # two nulls
    return frame


def test_a_streamed_fit_counts_levels_ranges_and_nulls_over_every_row(tmp_path, monkeypatch):
    """With a sample of 200 of 6,000 rows, what only a few rows hold still reaches the model."""
    frame = _skewed_table()
    frame.iloc[:2_500].to_parquet(tmp_path / "a.parquet")
    frame.iloc[2_500:].to_parquet(tmp_path / "b.parquet")
    monkeypatch.setattr(argan_module, "SCAN_SAMPLE_ROWS", 200)
    synthesizer = Synthesizer("argan", **FAST).fit(str(tmp_path))
    schema = synthesizer.schema
    assert synthesizer.training_rows_ == 6_000
    assert "Reykjavik" in schema["city"].categories
    assert schema["income"].maximum == 1_000_000.0 and schema["income"].minimum == frame["income"].min()
    assert schema["visits"].null_share == pytest.approx(2 / 6_000)
    assert synthesizer.transformer_.encoder("visits").has_null
    assert synthesizer.transformer_.encoder("income").knots[-1] == 1_000_000.0
    rows = synthesizer.sample(2_000, seed=0)
    assert set(rows["city"]) <= {"Oslo", "Rome", "Lima", "Reykjavik"}
    assert rows["income"].between(frame["income"].min(), 1_000_000.0).all()


def test_the_scan_and_the_token_file_do_not_depend_on_the_batch_size(tmp_path, monkeypatch):
    frame = _skewed_table(3_000)
    frame.to_parquet(tmp_path / "t.parquet")
    source = open_source(tmp_path / "t.parquet")
    results = []
    for batch_rows in (256, 65_536):
        monkeypatch.setattr(source_module, "BATCH_ROWS", batch_rows)
        summary = scan(source, 300, seed=1)
        transformer = Transformer(continuous="bins", seed=0).fit_scan(summary)
        layout = TokenLayout(transformer.layout)
        split = split_rows(summary.rows, 0.1, np.random.default_rng(0))
        folder = tmp_path / str(batch_rows)
        folder.mkdir()
        tokens = encode_tokens(source.frames(batch_rows), transformer, layout, split, folder)
        results.append((summary.sample, np.asarray(tokens.tokens).copy()))
    pd.testing.assert_frame_equal(results[0][0], results[1][0])
    assert len(results[0][0]) == 300
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_csv_whose_late_rows_change_a_column_type_streams(tmp_path, monkeypatch):
    """pyarrow would type 'code' from the first block as integers and fail on the '?' further on."""
    monkeypatch.setattr(source_module, "CSV_BLOCK_BYTES", 1 << 10)
    frame = pd.DataFrame({"code": [str(i % 7) for i in range(2_000)], "value": np.arange(2_000) * 0.5})
    frame.loc[1_990, "code"] = "?"
    frame.to_csv(tmp_path / "late.csv", index=False)
    read = open_source(tmp_path / "late.csv").read_pandas()
    assert read["code"].iloc[1_990] == "?" and read["value"].dtype == np.float64
    synthesizer = Synthesizer("argan", **FAST).fit(tmp_path / "late.csv")
    assert "?" in synthesizer.schema["code"].categories


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("missing/*.parquet", "No file matches"),
        ("empty-folder", "holds no .parquet file"),
        ("table.xlsx", "Unsupported file type"),
        (42, "Expected a pandas DataFrame, a path"),
    ],
)
def test_bad_sources_say_what_to_do(tmp_path, monkeypatch, data, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "table.xlsx").write_bytes(b"not a table")
    with pytest.raises(DataError, match=words):
        Synthesizer("argan", **FAST).fit(data)


def test_zoo_models_read_a_table_on_disk_whole(adult, tmp_path):
    adult.to_parquet(tmp_path / "adult.parquet")
    options = {"epochs": 1, "seed": 0, "verbose": False}
    from_disk = Synthesizer("ctgan", **options).fit(tmp_path / "adult.parquet").sample(50, seed=0)
    in_memory = Synthesizer("ctgan", **options).fit(pd.read_parquet(tmp_path / "adult.parquet")).sample(50, seed=0)
    pd.testing.assert_frame_equal(from_disk, in_memory)


def test_the_cli_streams_a_folder_of_parquet_files(adult, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for part in range(2):
        adult.iloc[part * 750 : (part + 1) * 750].to_parquet(folder / f"part-{part}.parquet")
    model = tmp_path / "m.synth"
    result = CliRunner().invoke(app, ["fit", str(folder), "--epochs", "1", "--param", "refine=none", "-o", str(model)])
    assert result.exit_code == 0, result.output
    assert "on 1,500 rows x 15 columns (streamed)" in result.output
    refused = CliRunner().invoke(app, ["fit", str(folder), "--model", "ctgan", "--stream", "-o", str(model)])
    assert refused.exit_code != 0 and "--stream is for argan" in refused.output


def test_the_exact_counts_correct_kinds_the_sample_misreads(tmp_path):
    """A sample of 200 of 6,000 rows sees at most 10 codes of 16, names without repeats, one value of a flag."""
    rows = 6_000
    random = np.random.default_rng(1)
    codes = random.integers(0, 10, rows)
    codes[[100, 1_100, 2_100, 3_100, 4_100, 5_100]] = np.arange(14, 20)  # six codes of one row each (16 in all)
    names = np.array([f"person-{i}" for i in range(rows)], dtype=object)
    names[rows - 100 :] = names[:100]  # 100 names twice
    flag = np.zeros(rows, dtype=np.int64)
    flag[3_333] = 1
    frame = pd.DataFrame({"code": codes, "name": names, "flag": flag, "x": random.normal(size=rows)})
    frame.to_parquet(tmp_path / "t.parquet")
    summary = scan(open_source(tmp_path / "t.parquet"), 200, seed=0)
    sample_kinds = {spec.name: spec.kind.value for spec in Transformer().fit(summary.sample).schema}
    assert sample_kinds == {"code": "categorical", "name": "identifier", "flag": "constant", "x": "continuous"}
    schema = Transformer(continuous="bins").fit_scan(summary).schema
    assert {spec.name: spec.kind.value for spec in schema} == {
        "code": "integer",
        "name": "categorical",
        "flag": "categorical",
        "x": "continuous",
    }
    assert schema["code"].maximum == 19 and schema["code"].decimals == 0 and not schema["code"].categories
    assert set(schema["flag"].categories) == {0, 1} and len(schema["name"].categories) == 5_900


def test_a_streamed_fit_shows_its_passes_over_the_rows(adult, tmp_path, capsys):
    adult.to_parquet(tmp_path / "adult.parquet")
    Synthesizer("argan", **{**FAST, "verbose": True}).fit(tmp_path / "adult.parquet")
    shown = capsys.readouterr().err
    assert "reading the table" in shown and "writing tokens" in shown
    assert "1,500 rows" in shown
    Synthesizer("argan", **FAST).fit(tmp_path / "adult.parquet")  # verbose=False: nothing
    assert capsys.readouterr().err == ""
