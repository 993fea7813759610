"""The identification and equitability study as one self-contained HTML file, and as JSON.

The HTML holds its plots as inline SVG (matplotlib) and its style inline:
nothing is fetched when it is opened. It holds figures only, never a face:
the data sets behind it are for research and may not be republished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from openlfr.evaluation.equitability import GroupComparison
from openlfr.evaluation.study import BINS, Study
from openlfr.reporting.charts import svg
from openlfr.reporting.render import as_html


def study_json(
    studies: Sequence[Study], about: dict[str, str], detection: Sequence[GroupComparison] = ()
) -> str:
    """Every figure of ``studies`` and of ``detection`` (miss rates by group), with ``about``
    (command, machine, date), as JSON."""
    figures = {
        "about": about,
        "studies": [asdict(s) for s in studies],
        "detection": [asdict(c) for c in detection],
    }
    return json.dumps(figures, indent=1) + "\n"


def _plot() -> tuple[Figure, Axes]:
    """A figure of its own (no pyplot: no global state, no display needed)."""
    figure = Figure(figsize=(6, 4))
    return figure, figure.subplots()


def det_plot(study: Study) -> str:
    """FNIR against FPIR (log scale) over the threshold sweep, both ways of counting FPIR."""
    figure, ax = _plot()
    fnir = [p.fnir for p in study.curve]
    for label, fpir in (
        ("overlap set aside", [p.fpir for p in study.curve]),
        ("as measured", [p.fpir_as_measured for p in study.curve]),
    ):
        ax.plot(np.maximum(fpir, 1e-5), fnir, label=label)
    ax.set(xscale="log", xlabel="FPIR (strangers)", ylabel="FNIR (mated probes)", xlim=(1e-5, 1))
    ax.set_title(f"DET, watchlist of {study.watchlist_size:,}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return svg(figure)


def rates_plot(study: Study, metric: str, attribute: str) -> str:
    """``metric`` by the groups of ``attribute`` against threshold, with 95% intervals."""
    rows = [c for c in study.groups if (c.metric, c.attribute) == (metric, attribute)]
    figure, ax = _plot()
    for group in [r.group for r in rows[0].rates] if rows else []:
        found = [(c.threshold, next(r for r in c.rates if r.group == group)) for c in rows]
        t = [x for x, _ in found]
        ax.plot(t, [r.rate for _, r in found], marker=".", label=group)
        ax.fill_between(t, [r.low for _, r in found], [r.high for _, r in found], alpha=0.15)
    if study.threshold is not None:
        ax.axvline(study.threshold, color="grey", linestyle="--", label="default threshold")
    ax.set(xlabel="threshold", ylabel=metric, title=f"{metric} by {attribute}")
    if metric == "FPIR":
        ax.set_yscale("symlog", linthresh=1e-3)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return svg(figure)


def histogram_plot(title: str, counts: dict[str, list[int]]) -> str:
    """Score distributions of ``counts`` (group -> counts in BINS), each as shares of its group."""
    figure, ax = _plot()
    centres = (BINS[:-1] + BINS[1:]) / 2
    for group, c in counts.items():
        total = max(1, sum(c))
        ax.plot(centres, np.array(c) / total, label=f"{group} ({total:,})")
    ax.set(xlabel="score", ylabel="share of the group", title=title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return svg(figure)


def at_threshold(study: Study, threshold: float | None) -> list[GroupComparison]:
    """The group comparisons at the grid threshold nearest ``threshold``."""
    if threshold is None or not study.groups:
        return []
    grid = sorted({c.threshold for c in study.groups})
    nearest = min(grid, key=lambda t: abs(t - threshold))
    return [c for c in study.groups if c.threshold == nearest]


def study_html(
    studies: Sequence[Study], about: dict[str, str], detection: Sequence[GroupComparison] = ()
) -> str:
    """The report of ``studies`` (one per watchlist size) and of ``detection`` as one
    self-contained HTML page."""
    sections = []
    for study in studies:
        pairs = sorted({(c.metric, c.attribute) for c in study.groups})
        sections.append({
            "study": study,
            "det": det_plot(study),
            "rates": [rates_plot(study, m, a) for m, a in pairs],
            "histograms": [histogram_plot(t, c) for t, c in study.histograms.items()],
            "at_default": at_threshold(study, study.threshold),
        })  # fmt: skip
    return as_html("study.html", about=about, sections=sections, detection=detection)
