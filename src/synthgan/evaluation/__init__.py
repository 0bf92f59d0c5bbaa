"""Evaluation: is synthetic data faithful, useful, private and fair? One call, one report.

``evaluate(real, synthetic, holdout=..., target=..., sensitive=[...])`` judges a table and returns an
:class:`EvaluationReport` (``.score``, ``.to_dict()``, ``.to_json()``, ``.to_html()``);
``evaluate_images(real, synthetic, real_labels=..., synthetic_labels=...)`` judges images and returns
an :class:`ImageReport`. This package reads only the data helpers of :mod:`synthgan.data`, numpy,
pandas, scikit-learn and (for the image judge, a small CNN) torch; it knows nothing about models or
training, so it judges any synthetic data, whatever produced it.
"""

from synthgan.evaluation.comparison import compare_columns, describe_columns
from synthgan.evaluation.evaluate import evaluate
from synthgan.evaluation.images import ImageReport, evaluate_images
from synthgan.evaluation.inputs import SECTIONS, Settings
from synthgan.evaluation.metrics import Metric, Section, Verdict
from synthgan.evaluation.report import FIGURES, HEADLINE_KEYS, EvaluationReport

__all__ = [
    "FIGURES",
    "HEADLINE_KEYS",
    "SECTIONS",
    "EvaluationReport",
    "ImageReport",
    "Metric",
    "Section",
    "Settings",
    "Verdict",
    "compare_columns",
    "describe_columns",
    "evaluate",
    "evaluate_images",
]
