"""synthgan: learn a real table and generate faithful, useful, private synthetic data with GANs."""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from synthgan import datasets
from synthgan.errors import (
    ConditionError,
    DataError,
    ModelFileError,
    NotFittedError,
    OutputError,
    ParameterError,
    SchemaError,
    SynthganError,
    TrainingError,
)

if TYPE_CHECKING:  # what __getattr__ below returns, as type checkers and IDEs should see it
    from synthgan.balancing import balance
    from synthgan.evaluation import evaluate, evaluate_images, evaluate_sequences
    from synthgan.models import available_models
    from synthgan.synthesizer import Synthesizer

try:
    __version__ = version("synthgan")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

load_dataset = datasets.load


def __getattr__(name: str):
    """Import the heavy parts (torch, matplotlib) only when they are first used."""
    if name == "Synthesizer":
        from synthgan.synthesizer import Synthesizer

        return Synthesizer
    if name == "available_models":
        from synthgan.models import available_models

        return available_models
    if name == "balance":
        from synthgan.balancing import balance

        return balance
    if name == "evaluate":
        from synthgan.evaluation import evaluate

        return evaluate
    if name == "evaluate_images":
        from synthgan.evaluation import evaluate_images

        return evaluate_images
    if name == "evaluate_sequences":
        from synthgan.evaluation import evaluate_sequences

        return evaluate_sequences
    raise AttributeError(f"module 'synthgan' has no attribute {name!r}")


__all__ = [
    "ConditionError",
    "DataError",
    "ModelFileError",
    "NotFittedError",
    "OutputError",
    "ParameterError",
    "SchemaError",
    "Synthesizer",
    "SynthganError",
    "TrainingError",
    "__version__",
    "available_models",
    "balance",
    "datasets",
    "evaluate",
    "evaluate_images",
    "evaluate_sequences",
    "load_dataset",
]
