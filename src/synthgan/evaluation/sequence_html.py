"""Render a :class:`~synthgan.evaluation.sequences.SequenceReport` as one self-contained HTML page.

Same look as the table report (its stylesheet and figure helpers): the TimeGAN paper's two scores,
PCA and t-SNE of real vs synthetic windows, autocorrelation per feature and a few example windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from synthgan.evaluation.html import CSS, _e, _img, _table
from synthgan.evaluation.plots import REAL, SYNTHETIC, _figure, _png, _short, _style, pca_scatter

if TYPE_CHECKING:
    from synthgan.evaluation.sequences import SequenceReport

__all__ = ["render"]

# Features drawn in the autocorrelation and example grids.
MAX_PLOTTED_FEATURES = 12


def render(report: SequenceReport) -> str:
    m, inputs = report.metrics, report.inputs
    scores = [
        {
            "score": "discriminative",
            "value": m["discriminative_score"],
            "better": "↓ lower (0: indistinguishable)",
            "what": f"|accuracy - 0.5| of a post-hoc {inputs['classifier']} classifier, real vs synthetic",
        },
        {
            "score": "predictive (synthetic -> real)",
            "value": m["predictive_score"],
            "better": "↓ lower, near the real figure",
            "what": f"MAE on real windows of a {inputs['predictor']} predictor of {inputs['predicted_feature']!r}, "
            "trained on synthetic",
        },
        {
            "score": "predictive (real -> real)",
            "value": m["predictive_score_real"],
            "better": "reference",
            "what": "the same predictor trained on the real windows",
        },
        {
            "score": "autocorrelation error",
            "value": m["autocorrelation_error"],
            "better": "↓ lower",
            "what": "mean |real - synthetic| of the autocorrelation at lags 1..k, over features",
        },
    ]
    body = [
        "<header><h1>synthgan sequence evaluation</h1>"
        f'<div class="meta"><span><b>real</b> {inputs["real_windows"]:,} windows</span>'
        f"<span><b>synthetic</b> {inputs['synthetic_windows']:,} windows</span>"
        f"<span><b>steps</b> {inputs['sequence_length']}</span>"
        f"<span><b>features</b> {len(inputs['features'])}</span>"
        f"<span><b>seed</b> {inputs['seed']}</span></div></header>",
        f'<section class="card"><h2>Scores</h2>{_table(scores, ["score", "value", "better", "what"])}</section>',
    ]
    art = report.artifacts
    if "pca" in art:
        body.append(
            '<section class="card"><h2>Windows in two dimensions</h2><p class="sub">Each window as its per-step mean '
            "over features (as in the TimeGAN paper); synthetic points should cover the real ones.</p>"
            f'<div class="two"><div><h3>PCA (fitted on real)</h3>{_img(pca_scatter(art["pca"]), "PCA")}</div>'
            f"<div><h3>t-SNE</h3>{_img(_scatter(art['tsne']), 't-SNE')}</div></div></section>"
        )
    acf = report.tables["autocorrelation"]
    rows = [{k: row[k] for k in ("feature", "lag1_real", "lag1_synthetic", "mean_abs_difference")} for row in acf]
    body.append(
        '<section class="card"><h2>Autocorrelation per feature</h2>'
        f"{_img(_autocorrelation(acf[:MAX_PLOTTED_FEATURES]), 'autocorrelation')}{_table(rows)}</section>"
    )
    body.append(
        '<section class="card"><h2>Example windows</h2><p class="sub">Five real and five synthetic windows, '
        f"features scaled to [0, 1].</p>{_img(_examples(art['examples']), 'examples')}</section>"
    )
    timings = ", ".join(f"{k} {v:.1f}" for k, v in inputs["timings_s"].items())
    body.append(f'<p class="sub">Timings (s): {_e(timings)}.</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>synthgan sequence evaluation</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _scatter(points: dict) -> str:
    figure = _figure(6.0, 4.4)
    ax = figure.add_subplot()
    for key, color in (("real", REAL), ("synthetic", SYNTHETIC)):
        ax.scatter(points[key][:, 0], points[key][:, 1], s=5, alpha=0.35, color=color, label=key, linewidths=0)
    legend = ax.legend(fontsize=8, frameon=False, markerscale=3)
    for handle in legend.legend_handles:
        handle.set_alpha(1)
    _style(ax)
    return _png(figure)


def _grid(count: int):
    columns = min(4, count)
    rows = int(np.ceil(count / columns))
    figure = _figure(2.9 * columns, 2.1 * rows)
    return figure, [figure.add_subplot(rows, columns, i + 1) for i in range(count)]


def _autocorrelation(rows: list[dict]) -> str:
    figure, axes = _grid(len(rows))
    for ax, row in zip(axes, rows, strict=True):
        lags = np.arange(1, len(row["real"]) + 1)
        ax.plot(lags, row["real"], color=REAL, marker="o", markersize=3, linewidth=1.2, label="real")
        ax.plot(lags, row["synthetic"], color=SYNTHETIC, marker="o", markersize=3, linewidth=1.2, label="synthetic")
        ax.set_title(_short(row["feature"], 24), fontsize=9, loc="left")
        ax.set_ylim(-1.05, 1.05)
        ax.axhline(0, color="#bbbbbb", linewidth=0.6)
        _style(ax)
    axes[0].legend(fontsize=7, frameon=False)
    return _png(figure)


def _examples(examples: dict) -> str:
    features = examples["features"][:MAX_PLOTTED_FEATURES]
    figure, axes = _grid(len(features))
    for j, (ax, name) in enumerate(zip(axes, features, strict=True)):
        for key, color in (("real", REAL), ("synthetic", SYNTHETIC)):
            for i, window in enumerate(examples[key]):
                ax.plot(window[:, j], color=color, alpha=0.7, linewidth=1.0, label=key if i == 0 else None)
        ax.set_title(_short(name, 24), fontsize=9, loc="left")
        _style(ax)
    axes[0].legend(fontsize=7, frameon=False)
    return _png(figure)
