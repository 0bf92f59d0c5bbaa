"""Evaluation: is a synthetic table faithful, useful, private and fair? One call, one report.

``evaluate(real, synthetic, holdout=..., target=..., sensitive=[...])`` returns an
:class:`EvaluationReport` (``.score``, ``.to_dict()``, ``.to_json()``, ``.to_html()``). This package reads
only the schema helpers of :mod:`synthgan.data`, numpy, pandas and scikit-learn; it knows nothing about
models or training, so it judges any synthetic table, whatever produced it.
"""

from synthgan.evaluation.comparison import compare_columns, describe_columns
from synthgan.evaluation.evaluate import evaluate
from synthgan.evaluation.inputs import SECTIONS, Settings
from synthgan.evaluation.metrics import Metric, Section, Verdict
from synthgan.evaluation.report import FIGURES, HEADLINE_KEYS, EvaluationReport

__all__ = [
    "FIGURES",
    "HEADLINE_KEYS",
    "SECTIONS",
    "EvaluationReport",
    "Metric",
    "Section",
    "Settings",
    "Verdict",
    "compare_columns",
    "describe_columns",
    "evaluate",
]
