"""Evaluation: is synthetic data faithful, useful, private and fair? One call, one report.

``evaluate(real, synthetic, holdout=..., target=..., sensitive=[...])`` judges a table and returns an
:class:`EvaluationReport` (``.score``, ``.to_dict()``, ``.to_json()``, ``.to_html()``);
``evaluate_sequences(real, synthetic, sequence_length=..., time_column=..., entity_column=...)`` judges
time series with the TimeGAN paper's scores (:class:`SequenceReport`);
``evaluate_images(real, synthetic, real_labels=..., synthetic_labels=...)`` judges images and returns
an :class:`ImageReport`. This package reads only the data helpers of :mod:`synthgan.data`, numpy,
pandas, scikit-learn and (for the post-hoc GRUs and the image judge) torch; it knows nothing about
models or training, so it judges any synthetic data, whatever produced it.
"""

from synthgan.evaluation.comparison import compare_columns, describe_columns
from synthgan.evaluation.evaluate import evaluate
from synthgan.evaluation.images import ImageReport, evaluate_images
from synthgan.evaluation.inputs import SECTIONS, Settings
from synthgan.evaluation.metrics import Metric, Section, Verdict
from synthgan.evaluation.report import FIGURES, HEADLINE_KEYS, EvaluationReport
from synthgan.evaluation.sequences import SequenceReport, evaluate_sequences

__all__ = [
    "FIGURES",
    "HEADLINE_KEYS",
    "SECTIONS",
    "EvaluationReport",
    "ImageReport",
    "Metric",
    "Section",
    "SequenceReport",
    "Settings",
    "Verdict",
    "compare_columns",
    "describe_columns",
    "evaluate",
    "evaluate_images",
    "evaluate_sequences",
]
