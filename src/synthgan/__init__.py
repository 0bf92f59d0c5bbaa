"""synthgan: learn a real table and generate faithful, useful, private synthetic data with GANs."""

from importlib.metadata import PackageNotFoundError, version

from synthgan import datasets
from synthgan.errors import (
    ConditionError,
    DataError,
    ModelFileError,
    NotFittedError,
    ParameterError,
    SchemaError,
    SynthganError,
    TrainingError,
)

try:
    __version__ = version("synthgan")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

load_dataset = datasets.load

__all__ = [
    "ConditionError",
    "DataError",
    "ModelFileError",
    "NotFittedError",
    "ParameterError",
    "SchemaError",
    "SynthganError",
    "TrainingError",
    "__version__",
    "datasets",
    "load_dataset",
]
