"""The errors synthgan raises on purpose.

Every message names the column or parameter at fault and says what to do, so that users never
have to read a traceback from deep inside pandas or torch. The CLI maps these to one line on stderr.
"""

from __future__ import annotations


class SynthganError(Exception):
    """Base class of every error synthgan raises for bad input or state."""


class DataError(SynthganError, ValueError):
    """The input table (or array) cannot be used as it is."""


class SchemaError(SynthganError, ValueError):
    """A schema override or inferred schema is inconsistent with the data."""


class ParameterError(SynthganError, ValueError):
    """A model or function parameter has an invalid value."""


class NotFittedError(SynthganError, RuntimeError):
    """A method that needs a fitted object was called before `fit`."""


class ModelFileError(SynthganError, OSError):
    """A model file is missing, truncated, corrupted, foreign or from a newer format."""


class OutputError(SynthganError, OSError):
    """An output (a model file, a table, a report) cannot be written where it was asked for."""


class TrainingError(SynthganError, RuntimeError):
    """Training diverged (NaN or exploding loss) or could not proceed."""


class ConditionError(SynthganError, ValueError):
    """A sampling condition names an unknown column or value, or cannot be reached."""
