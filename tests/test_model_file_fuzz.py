"""Mutated model files of every family either load and generate valid items or raise ModelFileError.

The seeded mutations come from benchmarks/fuzz_model_files.py, whose 10,000-case run (in child
processes, counting crashes) is the measured figure; here 500 cases run in this process.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import fuzz_model_files as fuzz

from synthgan import Synthesizer
from synthgan.errors import ModelFileError


@pytest.fixture(scope="module")
def model_files(tmp_path_factory) -> dict[str, Path]:
    return fuzz.build_model_files(tmp_path_factory.mktemp("models"))


def test_500_mutated_files_load_validly_or_are_refused(model_files, tmp_path):
    results = fuzz.run_cases(model_files, seed=1, start=0, count=500, folder=tmp_path)
    failures = [r for r in results if r["outcome"] not in ("loaded", "refused")]
    assert failures == [], failures[:5]
    kinds = Counter(r["kind"] for r in results)
    assert set(kinds) == set(fuzz.KINDS)  # every mutation kind was tried
    outcomes = Counter(r["outcome"] for r in results)
    assert outcomes["refused"] > 250 and outcomes["loaded"] > 10  # both paths really taken
    assert max(r["seconds"] for r in results) < fuzz.CASE_SECONDS


def test_a_tensor_claiming_a_trillion_elements_is_refused_before_allocation(model_files, tmp_path):
    header, body = fuzz.split_file(model_files["argan"].read_bytes())
    name = fuzz.tensor_names(header)[0]
    header[name] = {**header[name], "shape": [10**6, 10**6]}
    lie = tmp_path / "huge.synth"
    lie.write_bytes(fuzz.join_file(header, body))
    with pytest.raises(ModelFileError, match=r"claims shape \[1000000, 1000000\]"):
        Synthesizer.load(lie)


def test_header_errors_name_where_the_header_is_wrong(model_files, tmp_path):
    header, body = fuzz.split_file(model_files["ctgan"].read_bytes())
    meta = json.loads(header["__metadata__"]["synthgan"])
    meta["transformer"]["schema"]["columns"][2]["null_share"] = 7
    edited = tmp_path / "edited.synth"
    edited.write_bytes(fuzz.join_file(fuzz.with_meta(header, meta), body))
    with pytest.raises(ModelFileError, match="transformer/schema/columns/2/null_share"):
        Synthesizer.load(edited)


def test_parameters_too_large_to_build_are_refused(model_files, tmp_path):
    header, body = fuzz.split_file(model_files["argan"].read_bytes())
    meta = json.loads(header["__metadata__"]["synthgan"])
    meta["params"]["hidden"] = 10**9  # a network of 10^9-wide heads must not be built
    edited = tmp_path / "wide.synth"
    edited.write_bytes(fuzz.join_file(fuzz.with_meta(header, meta), body))
    with pytest.raises(ModelFileError, match="'hidden' must be <= 16384"):
        Synthesizer.load(edited)


def test_non_finite_weights_with_a_fixed_checksum_are_refused(model_files, tmp_path):
    import numpy as np

    original = model_files["dcgan"].read_bytes()
    header, body = fuzz.split_file(original)
    meta = json.loads(header["__metadata__"]["synthgan"])
    names = fuzz.tensor_names(header)
    tensors = {n: body[slice(*header[n]["data_offsets"])] for n in names}
    name = next(n for n in names if header[n]["dtype"] == "F32" and header[n]["shape"])
    values = np.frombuffer(tensors[name], dtype=np.float32).copy()
    values[0] = np.nan
    tensors[name] = values.tobytes()
    edited = tmp_path / "nan.synth"
    edited.write_bytes(fuzz.rebuilt(header, body, tensors, meta))
    with pytest.raises(ModelFileError, match="NaN or infinite"):
        Synthesizer.load(edited)
