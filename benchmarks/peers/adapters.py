"""One adapter per synthesizer: the only code that knows a library's API.

This module runs inside each peer's own environment (see ``runner.py``), so it imports nothing at
module level beyond the standard library and pandas/numpy, and imports each library lazily.
Every adapter gets the same thing: the training table, the list of discrete columns and the target,
an epoch count (``None``: the library's own default, what a user gets) and a seed; it fits on CPU
and samples ``n`` rows. Nothing is tuned per dataset.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np
import pandas as pd

# The GAN zoo of ydata-synthetic that the harness measures (its names).
YDATA_MODELS = {"ydata_ctgan": "ctgan", "ydata_wgangp": "wgangp", "ydata_cramer": "cramer"}


class Adapter:
    """fit(train, discrete, target) then sample(n). ``notes`` end up in the result row."""

    library = ""

    def __init__(self, model: str, epochs: int | None, seed: int) -> None:
        self.model = model
        self.epochs = epochs
        self.seed = seed
        self.notes: list[str] = []
        self.epochs_used: Any = epochs
        self.params: dict[str, Any] = {}  # extra model parameters, for the libraries that take them
        self.extra: dict[str, Any] = {}  # what the fitted model reports about itself (e.g. spent privacy)

    def fit(self, train: pd.DataFrame, discrete: list[str], target: str) -> None:
        raise NotImplementedError

    def sample(self, n: int) -> pd.DataFrame:
        raise NotImplementedError


# --------------------------------------------------------------------------- synthgan
class SynthganAdapter(Adapter):
    library = "synthgan"

    def fit(self, train, discrete, target):
        try:
            import synthgan
            from synthgan import Synthesizer
        except Exception as error:  # the engine is not there (yet)
            raise PeerUnavailable(f"synthgan engine not available: {type(error).__name__}: {error}") from error
        name = self.model.removeprefix("synthgan_")
        if name not in synthgan.available_models():
            raise PeerUnavailable(f"synthgan engine not available: no model {name!r} in {synthgan.available_models()}")
        params: dict[str, Any] = {"seed": self.seed, "device": "cpu", "verbose": False}
        if self.epochs is not None:
            params["epochs"] = self.epochs
        params.update(self.params)
        self.synthesizer = Synthesizer(name, **params)
        self.synthesizer.fit(train, discrete_columns=discrete, target=target)
        planned = self.synthesizer.params_.get("epochs")
        history = getattr(self.synthesizer, "history_", None) or []
        self.epochs_used = f"{len(history)} of {planned}" if history and len(history) != planned else planned
        stop = getattr(self.synthesizer, "stop_reason_", None)
        if stop and stop != "all epochs done":
            self.notes.append(f"stopped early: {stop}")
        if getattr(self.synthesizer, "privacy_", None):
            self.extra["privacy"] = self.synthesizer.privacy_

    def sample(self, n):
        return self.synthesizer.sample(n, seed=self.seed)


# --------------------------------------------------------------------------- ctgan package
class CtganPackageAdapter(Adapter):
    library = "ctgan"

    def fit(self, train, discrete, target):
        from ctgan import CTGAN, TVAE

        kwargs: dict[str, Any] = {"enable_gpu": False, "verbose": False}
        if self.epochs is not None:
            kwargs["epochs"] = self.epochs
        cls = TVAE if self.model == "ctgan_pkg_tvae" else CTGAN
        self.synthesizer = cls(**kwargs)
        self.synthesizer.set_random_state(self.seed)
        self.epochs_used = self.synthesizer._epochs if hasattr(self.synthesizer, "_epochs") else self.epochs
        self.synthesizer.fit(train, discrete_columns=discrete)

    def sample(self, n):
        return self.synthesizer.sample(n)


# --------------------------------------------------------------------------- SDV
class SdvAdapter(Adapter):
    library = "sdv"

    def fit(self, train, discrete, target):
        from sdv.metadata import Metadata
        from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer

        # Column kinds from the dataset manifest, the same for every library (no SDV auto-detection
        # of ids or PII that would drop or regenerate columns).
        metadata = Metadata.load_from_dict(
            {
                "tables": {
                    "table": {
                        "columns": {
                            column: {"sdtype": "categorical" if column in discrete else "numerical"}
                            for column in train.columns
                        }
                    }
                }
            }
        )
        cls = {
            "sdv_ctgan": CTGANSynthesizer,
            "sdv_tvae": TVAESynthesizer,
            "sdv_gaussiancopula": GaussianCopulaSynthesizer,
        }[self.model]
        kwargs: dict[str, Any] = {}
        if cls is not GaussianCopulaSynthesizer:
            kwargs["enable_gpu"] = False
            if self.epochs is not None:
                kwargs["epochs"] = self.epochs
        else:
            self.epochs_used = "n/a"
        try:
            self.synthesizer = cls(metadata, **kwargs)
        except TypeError:  # older SDV: cuda instead of enable_gpu
            kwargs.pop("enable_gpu", None)
            kwargs["cuda"] = False
            self.synthesizer = cls(metadata, **kwargs)
        if cls is not GaussianCopulaSynthesizer and self.epochs is None:
            self.epochs_used = getattr(self.synthesizer, "_model_kwargs", {}).get("epochs", "default")
        _seed_everything(self.seed)
        import sdv

        # SDV 2.x single-table synthesizers take {table name: DataFrame}; 1.x took the DataFrame.
        self.synthesizer.fit({"table": train} if int(sdv.__version__.split(".")[0]) >= 2 else train)

    def sample(self, n):
        out = self.synthesizer.sample(num_rows=n)
        return next(iter(out.values())) if isinstance(out, dict) else out


# --------------------------------------------------------------------------- ydata-synthetic
def ydata_import():
    """Import ydata-synthetic 2.0.1, whose package __init__ calls an undefined ``warn``.

    The workaround (reported in the results): define ``builtins.warn`` as ``warnings.warn`` before
    the import, so the name resolves and the call only prints its notice.
    """
    import builtins
    import warnings

    if not hasattr(builtins, "warn"):
        builtins.warn = warnings.warn
    from ydata_synthetic.synthesizers import ModelParameters, TrainParameters
    from ydata_synthetic.synthesizers.regular import RegularSynthesizer

    return ModelParameters, TrainParameters, RegularSynthesizer


class YdataAdapter(Adapter):
    library = "ydata-synthetic"
    DEFAULT_EPOCHS = 300  # ydata's TrainParameters default (epochs=300)

    def fit(self, train, discrete, target):
        self.notes.append("ydata-synthetic 2.0.1 __init__ calls undefined `warn`: harness defines builtins.warn first")
        ModelParameters, TrainParameters, RegularSynthesizer = ydata_import()
        import tensorflow as tf

        tf.keras.utils.set_random_seed(self.seed)
        name = YDATA_MODELS[self.model]
        self.columns = list(train.columns)
        self.discrete = [c for c in discrete if c in train.columns]
        numeric = [c for c in train.columns if c not in self.discrete]
        data = train.copy()
        # ydata one-hot encodes categorical columns with scikit-learn and cannot take missing values:
        # they become an explicit level and are turned back into missing values after sampling.
        self.missing = {}
        for column in self.discrete:
            if data[column].isna().any():
                self.missing[column] = True
                data[column] = data[column].astype(object).where(data[column].notna(), "__missing__")
        if self.missing:
            self.notes.append("missing categorical values passed as an explicit level")
        epochs = self.epochs if self.epochs is not None else self.DEFAULT_EPOCHS
        self.epochs_used = epochs
        if name == "ctgan":
            model_args = ModelParameters(batch_size=500, lr=2e-4, betas=(0.5, 0.9))
            train_args = TrainParameters(epochs=epochs)
        else:  # the settings of ydata's own Adult examples (their final learning rate for WGAN-GP)
            model_args = ModelParameters(batch_size=500, lr=5e-4, betas=(0.5, 0.9), noise_dim=128, layers_dim=128)
            train_args = TrainParameters(epochs=epochs, sample_interval=max(epochs, 1))
        kwargs = {"n_critic": 2} if name in ("wgangp", "cramer") else {}
        self.synthesizer = RegularSynthesizer(modelname=name, model_parameters=model_args, **kwargs)
        with tempfile.TemporaryDirectory() as folder:
            cwd = os.getcwd()
            os.chdir(folder)  # some ydata models write sample files into the working directory
            try:
                self.synthesizer.fit(data=data, train_arguments=train_args, num_cols=numeric, cat_cols=self.discrete)
            finally:
                os.chdir(cwd)

    def sample(self, n):
        out = self.synthesizer.sample(n)
        out = out.iloc[:n].reset_index(drop=True)
        for column in self.missing:
            out[column] = out[column].astype(object).where(out[column].astype(str) != "__missing__", np.nan)
        return out[[c for c in self.columns if c in out.columns]]


# --------------------------------------------------------------------------- synthcity
class SynthcityAdapter(Adapter):
    library = "synthcity"

    def fit(self, train, discrete, target):
        from synthcity.plugins import Plugins

        name = self.model.removeprefix("synthcity_")
        kwargs: dict[str, Any] = {"random_state": self.seed}
        if self.epochs is not None:
            kwargs["n_iter"] = self.epochs
        self.epochs_used = self.epochs if self.epochs is not None else "default (n_iter)"
        self.synthesizer = Plugins().get(name, **kwargs)
        self.synthesizer.fit(train)

    def sample(self, n):
        return self.synthesizer.generate(count=n).dataframe()


# --------------------------------------------------------------------------- mostlyai-engine
class MostlyAdapter(Adapter):
    library = "mostlyai-engine"

    def fit(self, train, discrete, target):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from mostlyai import engine

        self.workspace = tempfile.mkdtemp(prefix="mostlyai-")
        self.columns = list(train.columns)
        data = train.copy()
        for column in discrete:  # categorical columns as strings so numeric codes are not read as numbers
            data[column] = data[column].astype("string")
        self.discrete = discrete
        self.dtypes = train.dtypes
        engine.init_logging()
        _seed_everything(self.seed)
        if hasattr(engine, "set_random_state"):
            engine.set_random_state(self.seed)
        engine.split(workspace_dir=self.workspace, tgt_data=data, model_type="TABULAR")
        privacy = self._privacy()
        engine.analyze(workspace_dir=self.workspace, **privacy)
        engine.encode(workspace_dir=self.workspace)
        # The engine's defaults (max_epochs 100 with early stopping on its own validation split,
        # flexible generation on), as a user gets them.
        kwargs: dict[str, Any] = {"device": "cpu", **privacy}
        if self.epochs is not None:
            kwargs["max_epochs"] = self.epochs
        self.epochs_used = self.epochs if self.epochs is not None else "default (<= 100, early stopping)"
        engine.train(workspace_dir=self.workspace, **kwargs)

    def _privacy(self) -> dict[str, Any]:
        """``dp_epsilon`` (and ``dp_delta``) as the engine's DP configuration, with synthgan's split.

        The engine spends ``value_protection_epsilon`` on its value ranges (analyze) and up to
        ``max_epsilon`` in training, and splits delta equally between the two. For the same total
        epsilon as synthgan's, a tenth goes to the ranges and the rest to training (synthgan's
        dp_data_share default); the noise multiplier and clipping norm stay the engine's defaults.
        """
        epsilon = self.params.get("dp_epsilon")
        if epsilon is None:
            return {}
        config = {
            "max_epsilon": 0.9 * epsilon,
            "value_protection_epsilon": 0.1 * epsilon,
            "delta": self.params.get("dp_delta", 1e-5),
        }
        self.extra["privacy"] = {"target_epsilon": epsilon, **config}
        self.notes.append(f"DP: {config}")
        return {"differential_privacy": config}

    def sample(self, n):
        from mostlyai import engine

        engine.generate(workspace_dir=self.workspace, sample_size=n, device="cpu")
        folder = os.path.join(self.workspace, "SyntheticData")
        out = pd.read_parquet(folder).reset_index(drop=True)
        for column in out.columns:
            if column not in self.discrete:
                continue
            if pd.api.types.is_bool_dtype(self.dtypes[column]):  # comes back as "True" / "False" or bools
                out[column] = out[column].astype(str).str.lower().map({"true": True, "false": False})
            elif pd.api.types.is_numeric_dtype(self.dtypes[column]):
                out[column] = pd.to_numeric(out[column], errors="coerce")
        return out[[c for c in self.columns if c in out.columns]]


# --------------------------------------------------------------------------- test doubles
class DebugAdapter(Adapter):
    """Harness tests only: 'debug_copy' resamples training rows, 'debug_crash' raises,
    'debug_exit' dies without a word, 'debug_sleep' hangs."""

    library = "debug"

    def fit(self, train, discrete, target):
        if self.model == "debug_crash":
            raise RuntimeError("deliberate crash for the harness tests")
        if self.model == "debug_exit":
            os._exit(3)  # dies without writing a result, as a segfault would
        if self.model == "debug_sleep":
            import time

            time.sleep(3600)
        self.train = train

    def sample(self, n):
        return self.train.sample(n, replace=len(self.train) < n, random_state=self.seed).reset_index(drop=True)


class PeerUnavailable(RuntimeError):
    """The library cannot run here (not installed, engine missing): the row says so instead of crashing."""


def _seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def adapter_for(model: str) -> type[Adapter]:
    if model.startswith("synthgan_"):
        return SynthganAdapter
    if model.startswith("ctgan_pkg"):
        return CtganPackageAdapter
    if model.startswith("sdv_"):
        return SdvAdapter
    if model in YDATA_MODELS:
        return YdataAdapter
    if model.startswith("synthcity_"):
        return SynthcityAdapter
    if model.startswith("mostlyai"):
        return MostlyAdapter
    if model.startswith("debug_"):
        return DebugAdapter
    raise KeyError(f"no adapter for model {model!r}")
