"""The report's figures, each returned as a base64-encoded PNG.

matplotlib is imported only here and only when a report is rendered. Figures are built with
``matplotlib.figure.Figure`` on the Agg canvas directly, so no pyplot global state (or GUI backend) is
ever touched, whatever the caller's matplotlib configuration is.
"""

from __future__ import annotations

import base64
import io
import textwrap

import numpy as np

__all__ = [
    "class_histogram",
    "column_overlay",
    "column_scores",
    "dcr_histograms",
    "fairness_rates",
    "heatmaps",
    "pca_scatter",
]

REAL, SYNTHETIC, HOLDOUT = "#1f5a96", "#e8743b", "#5aa05a"
DPI = 96
MAX_BARS = 10
LABEL_CHARS = 14


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)


def _short(label, limit: int = LABEL_CHARS) -> str:
    text = "(missing)" if label is None else str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_overlay(item: dict) -> str:
    """Real vs synthetic distribution of one column: density histogram or category shares."""
    figure = _figure(3.5, 2.5)
    ax = figure.add_subplot()
    if item["categories"] is not None:
        _category_bars(ax, item)
    else:
        _histogram(ax, item)
    metric = "KS" if item["metric"] == "KSComplement" else "TV"
    score = item["score"]
    ax.set_title(
        f"{_short(item['column'], 28)}  ·  {metric} {score:.3f}" if score == score else item["column"],
        fontsize=9,
        loc="left",
    )
    _style(ax)
    return _png(figure)


def _histogram(ax, item: dict) -> None:
    real = item["real"][~np.isnan(item["real"])]
    synthetic = item["synthetic"][~np.isnan(item["synthetic"])]
    both = np.concatenate([real, synthetic])
    if len(both) == 0:
        ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        return
    distinct = np.unique(both)
    if item["kind"] == "integer" and len(distinct) <= 40:
        bins = np.append(distinct, distinct[-1] + 1) - 0.5
    elif item["kind"] == "integer":  # whole-number bins, so counts do not alias into spikes
        low, high = np.floor(np.percentile(both, [0.5, 99.5]))
        width = max(1.0, np.ceil((high - low + 1) / 40))
        bins = np.arange(low, high + width + 1, width) - 0.5
    else:
        low, high = np.percentile(both, [0.5, 99.5])
        if high <= low:
            low, high = both.min() - 0.5, both.max() + 0.5
        bins = np.linspace(low, high, 41)
    if len(real):
        ax.hist(real, bins=bins, density=True, histtype="stepfilled", color=REAL, alpha=0.35, label="real")
        ax.hist(real, bins=bins, density=True, histtype="step", color=REAL, linewidth=1.2)
    if len(synthetic):
        ax.hist(synthetic, bins=bins, density=True, histtype="step", color=SYNTHETIC, linewidth=1.6, label="synthetic")
    else:
        ax.plot([], [], color=SYNTHETIC, label="synthetic: no values")
    ax.set_yticks([])
    ax.set_ylabel("density", fontsize=8)
    if item["kind"] == "datetime":
        import pandas as pd
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: pd.Timestamp(int(x)).strftime("%Y-%m-%d")))
    ax.legend(fontsize=7, frameon=False)


def _category_bars(ax, item: dict) -> None:
    categories = item["categories"]
    shown = min(MAX_BARS, len(categories))
    real = np.bincount(item["real"], minlength=len(categories)).astype(float)
    synthetic = np.bincount(item["synthetic"], minlength=len(categories)).astype(float)
    real_shares = real / max(real.sum(), 1)
    synthetic_shares = synthetic / max(synthetic.sum(), 1)
    labels = [_short(c) for c in categories[:shown]]
    heights_real = list(real_shares[:shown])
    heights_synthetic = list(synthetic_shares[:shown])
    if len(categories) > shown:
        labels.append("other")
        heights_real.append(real_shares[shown:].sum())
        heights_synthetic.append(synthetic_shares[shown:].sum())
    x = np.arange(len(labels))
    ax.bar(x - 0.2, heights_real, width=0.4, color=REAL, alpha=0.85, label="real")
    ax.bar(x + 0.2, heights_synthetic, width=0.4, color=SYNTHETIC, alpha=0.85, label="synthetic")
    ax.set_xticks(x, labels, rotation=35 if len(labels) > 3 else 0, ha="right" if len(labels) > 3 else "center")
    ax.set_ylabel("share", fontsize=8)
    ax.legend(fontsize=7, frameon=False)


def column_scores(rows: list[dict], limit: int = 60) -> str:
    """Horizontal bars of every column's shape score, worst at the top."""
    rows = sorted((r for r in rows if r["score"] == r["score"]), key=lambda r: r["score"])[:limit]
    figure = _figure(6.4, 0.9 + 0.22 * max(len(rows), 1))
    ax = figure.add_subplot()
    colors = [REAL if r["metric"] == "KSComplement" else SYNTHETIC for r in rows]
    y = np.arange(len(rows))
    ax.barh(y, [r["score"] for r in rows], color=colors, alpha=0.85)
    ax.set_yticks(y, [_short(r["column"], 24) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("score (1 = same distribution)", fontsize=8)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=REAL, label="KSComplement (numeric)"),
            Patch(color=SYNTHETIC, label="TVComplement (discrete)"),
        ],
        fontsize=7,
        frameon=False,
        loc="lower right",
    )
    _style(ax)
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
    return _png(figure)


def pca_scatter(pca: dict) -> str:
    figure = _figure(6.0, 4.4)
    ax = figure.add_subplot()
    ax.scatter(pca["real"][:, 0], pca["real"][:, 1], s=5, alpha=0.35, color=REAL, label="real", linewidths=0)
    ax.scatter(
        pca["synthetic"][:, 0],
        pca["synthetic"][:, 1],
        s=5,
        alpha=0.35,
        color=SYNTHETIC,
        label="synthetic",
        linewidths=0,
    )
    explained = pca["explained"]
    ax.set_xlabel(f"PC 1 ({explained[0]:.0%} of real variance)", fontsize=8)
    ax.set_ylabel(f"PC 2 ({explained[1]:.0%})", fontsize=8)
    legend = ax.legend(fontsize=8, frameon=False, markerscale=3)
    for handle in legend.legend_handles:
        handle.set_alpha(1)
    _style(ax)
    return _png(figure)


def heatmaps(real, synthetic, columns: list[str]) -> str:
    """Association matrices of the real and synthetic tables and their absolute difference."""
    real = real.loc[columns, columns].to_numpy(dtype=float)
    synthetic = synthetic.loc[columns, columns].to_numpy(dtype=float)
    n = len(columns)
    # As wide as the report's content column (about 1,150 px), so labels are not scaled down.
    figure = _figure(11.9, 4.9 if n > 12 else 4.3)
    axes = figure.subplots(1, 3)
    labels = [_short(c, 16) for c in columns]
    panels = (
        (real, "Real", "RdBu_r", -1),
        (synthetic, "Synthetic", "RdBu_r", -1),
        (np.abs(real - synthetic), "|Real − synthetic|", "Reds", 0),
    )
    for ax, (matrix, title, cmap, low) in zip(axes, panels, strict=True):
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, vmin=low, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        size = 8 if n <= 15 else 6.5 if n <= 25 else 5
        ax.set_xticks(range(n), labels, rotation=90, fontsize=size)
        ax.set_yticks(range(n), labels if ax is axes[0] else [""] * n, fontsize=size)
        ax.tick_params(length=0)
        figure.colorbar(image, ax=ax, shrink=0.75)
    return _png(figure)


def dcr_histograms(dcr: dict) -> str:
    figure = _figure(6.4, 3.2)
    ax = figure.add_subplot()
    series = [(dcr["synthetic_to_train"], "synthetic → train", SYNTHETIC)]
    if "synthetic_to_holdout" in dcr:
        series.append((dcr["synthetic_to_holdout"], "synthetic → holdout", HOLDOUT))
    series.append((dcr["reference"], f"{dcr['reference_label']} (real reference)", REAL))
    everything = np.concatenate([s[0] for s in series])
    high = np.percentile(everything, 99) if len(everything) else 1.0
    bins = np.linspace(0, high if high > 0 else 1.0, 50)
    for values, label, color in series:
        ax.hist(
            np.clip(values, 0, bins[-1]),
            bins=bins,
            histtype="step",
            linewidth=1.6,
            color=color,
            label=label,
            density=True,
        )
    ax.set_xlabel("distance to closest record", fontsize=8)
    ax.set_yticks([])
    ax.set_ylabel("density", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    _style(ax)
    return _png(figure)


def fairness_rates(rows: list[dict], title: str) -> str:
    rows = [r for r in rows if r["real_rate"] is not None][: MAX_BARS + 1]
    figure = _figure(5.0, 2.8)
    ax = figure.add_subplot()
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [r["real_rate"] for r in rows], width=0.4, color=REAL, label="real")
    ax.bar(x + 0.2, [r["synthetic_rate"] or 0 for r in rows], width=0.4, color=SYNTHETIC, label="synthetic")
    ax.set_xticks(
        x,
        [_short(r["group"]) for r in rows],
        rotation=35 if len(rows) > 3 else 0,
        ha="right" if len(rows) > 3 else "center",
    )
    ax.set_title("\n".join(textwrap.wrap(title, 60)), fontsize=9, loc="left")
    ax.legend(fontsize=7, frameon=False)
    _style(ax)
    return _png(figure)


def class_histogram(rows: list[dict]) -> str:
    """Share of each class among real images and synthetic ones (as the judge sees them, and as asked)."""
    figure = _figure(min(9.0, 3.0 + 0.45 * len(rows)), 2.8)
    ax = figure.add_subplot()
    x = np.arange(len(rows))
    series = [("real_share", REAL, "real (labels)"), ("synthetic_share", SYNTHETIC, "synthetic (judged)")]
    if rows and "asked_share" in rows[0]:
        series.append(("asked_share", HOLDOUT, "synthetic (asked)"))
    width = 0.8 / len(series)
    for position, (key, color, label) in enumerate(series):
        offset = (position - (len(series) - 1) / 2) * width
        ax.bar(x + offset, [r[key] for r in rows], width=width, color=color, label=label)
    ax.set_xticks(x, [_short(r["class"]) for r in rows])
    ax.set_xlabel("class", fontsize=8)
    ax.set_ylabel("share of images", fontsize=8)
    ax.legend(fontsize=7, frameon=False, ncols=len(series), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    _style(ax)
    return _png(figure)
