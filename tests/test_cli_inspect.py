"""``synthgan inspect``: a table that fits an 80-column terminal, and the same schema as JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from synthgan.cli.app import app, run


@pytest.fixture(scope="module")
def table_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {
            "a_rather_long_column_name_for_a_terminal": rng.integers(0, 5, n),
            "weight [kg]": rng.normal(70, 12, n).round(1),
            "salary": rng.integers(10_000, 2_500_000, n).astype(float),
            "days_poor_health": np.where(rng.random(n) < 0.7, 0, rng.integers(1, 31, n)),
            "visited": pd.Timestamp("2016-01-11 17:00") + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
            "city": np.where(rng.random(n) < 0.1, None, rng.choice(["Oslo", "Lima"], n)),
        }
    )
    path = tmp_path_factory.mktemp("inspect") / "people.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("width", [80, 100])
def test_table_fits_the_terminal(table_file, width):
    result = CliRunner(env={"COLUMNS": str(width)}).invoke(app, ["inspect", str(table_file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    text = result.output
    assert "people.csv: 300 rows x 6 columns" in text
    assert "weight [kg]" in text  # brackets are text, not rich markup
    assert "2,498,758" in text and ".0 " not in text  # thousands separators, integers without ".0"
    assert "2016-01-11" in text and "T17:00:00" not in text  # dates, not raw ISO stamps
    assert "14.7%" in text  # nulls share of 'city'
    assert "days_poor_health:" in text and "point mass" in text  # notes listed below the table


def test_json_is_the_schema(table_file):
    result = CliRunner().invoke(app, ["inspect", str(table_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 300
    columns = {column["name"]: column for column in data["columns"]}
    assert columns["days_poor_health"]["kind"] == "integer"
    assert columns["days_poor_health"]["point_masses"] == [0]
    assert columns["visited"]["kind"] == "datetime"
    assert columns["city"]["null_share"] > 0
    assert columns["weight [kg]"]["decimals"] == 1


def test_discrete_option_and_dataset_names(table_file):
    result = CliRunner().invoke(app, ["inspect", str(table_file), "--json", "--discrete", "days_poor_health"])
    columns = {column["name"]: column["kind"] for column in json.loads(result.output)["columns"]}
    assert columns["days_poor_health"] == "categorical"
    named = CliRunner().invoke(app, ["inspect", "adult", "--json"])
    assert json.loads(named.output)["rows"] == 32_561


def test_bad_input_is_one_clear_line(tmp_path, capsys):
    path = tmp_path / "empty_column.csv"
    path.write_text("a,b\n1,\n2,\n")
    assert run(["inspect", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: Column 'b' is empty") and len(err.strip().splitlines()) == 1
