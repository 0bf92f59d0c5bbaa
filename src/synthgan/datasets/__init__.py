"""Datasets by name: the embedded Adult table, and every dataset in ``../shared/datasets`` when present.

The package ships one small real table (UCI Adult, 32,561 rows) so that the demo and the docs work
offline on a fresh machine. Tests and benchmarks also read the larger public datasets of the
project's shared folder; that folder is found through ``SYNTHGAN_DATASETS`` or by walking up from
the current directory, and the package works without it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from synthgan.errors import DataError

__all__ = ["available", "info", "load", "shared_datasets_dir"]

EMBEDDED = "adult"


def shared_datasets_dir() -> Path | None:
    """Return the shared datasets folder if one is reachable, else ``None``.

    ``SYNTHGAN_DATASETS`` wins; otherwise ``shared/datasets`` or ``../shared/datasets`` is looked for
    from the current directory upwards.
    """
    env = os.environ.get("SYNTHGAN_DATASETS")
    if env:
        path = Path(env)
        return path if (path / "datasets.json").is_file() else None
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        for candidate in (folder / "shared" / "datasets", folder.parent / "shared" / "datasets"):
            if (candidate / "datasets.json").is_file():
                return candidate
    return None


@cache
def _manifest(folder: str) -> dict[str, dict]:
    entries = json.loads((Path(folder) / "datasets.json").read_text())["datasets"]
    return {entry["name"]: entry for entry in entries}


_ALIASES = {
    "brfss": "diabetes_binary_brfss2015",
    "diabetes": "diabetes_binary_brfss2015",
    "pima": "pima_indians_diabetes",
    "credit": "default_of_credit_card_clients",
    "credit_default": "default_of_credit_card_clients",
    "bank": "bank_marketing",
    "shoppers": "online_shoppers_intention",
    "magic": "magic_gamma_telescope",
    "stocks": "stock_data",
    "energy": "appliances_energy",
    "optdigits": "optdigits_8x8",
}


def available() -> list[str]:
    """Names that :func:`load` accepts right now (the embedded one plus any shared ones)."""
    names = {EMBEDDED}
    folder = shared_datasets_dir()
    if folder is not None:
        names.update(
            name for name, entry in _manifest(str(folder)).items() if entry.get("file", "").endswith(".csv.gz")
        )
    return sorted(names)


def info(name: str) -> dict:
    """The manifest entry of a shared dataset (target, task, column lists), or a minimal one for Adult."""
    name = _ALIASES.get(name, name)
    folder = shared_datasets_dir()
    if folder is not None and name in _manifest(str(folder)):
        return dict(_manifest(str(folder))[name])
    if name == EMBEDDED:
        return {"name": "adult", "target": "income", "task_type": "classification", "kind": "tabular"}
    raise DataError(f"Unknown dataset {name!r}. Available: {', '.join(available())}.")


def load(name: str = EMBEDDED) -> pd.DataFrame:
    """Load a dataset by name as a fresh DataFrame.

    ``"adult"`` always works (it ships with the package; values are stripped and ``?`` read as missing).
    Other names (``"diabetes_binary_brfss2015"`` or the alias ``"brfss"``, ``"pima"``, ``"credit"``, ...)
    need the shared datasets folder.
    """
    name = _ALIASES.get(name, name)
    if name == EMBEDDED:
        with resources.as_file(resources.files(__package__) / "adult.csv.gz") as path:
            return _read_adult(path)
    folder = shared_datasets_dir()
    if folder is None:
        raise DataError(
            f"Dataset {name!r} is not embedded and no shared datasets folder was found. "
            "Set SYNTHGAN_DATASETS to the folder holding datasets.json, or use 'adult'."
        )
    manifest = _manifest(str(folder))
    if name not in manifest or not manifest[name].get("file", "").endswith(".csv.gz"):
        raise DataError(f"Unknown dataset {name!r}. Available: {', '.join(available())}.")
    path = folder / manifest[name]["file"]
    if name == "adult":
        return _read_adult(path)
    parse_dates = [c for c in manifest[name].get("datetime", [])] or None
    return pd.read_csv(path, parse_dates=parse_dates)


def _read_adult(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, skipinitialspace=True, na_values="?")
