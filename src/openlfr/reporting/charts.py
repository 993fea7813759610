"""Charts of published records, as inline SVG for a self-contained page (matplotlib, no
pyplot: nothing is shown or kept open)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from openlfr.reporting.equitability import Group
from openlfr.reporting.record import DeploymentRecord, false_alerts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The record's alert counts, stacked in this order, with their legend labels and colours.
KINDS = {
    "confirmed_true": ("True, confirmed", "#1b7837"),
    "unconfirmed_true": ("True, not confirmed", "#a6dba0"),
    "confirmed_false": ("False, confirmed", "#b2182b"),
    "unconfirmed_false": ("False, not confirmed", "#f4a582"),
    "unable_to_confirm": ("Could not confirm", "#999999"),
    "unadjudicated": ("Not adjudicated", "#dddddd"),
}

SERIES_COLOURS = {"watchlist": "#777777", "alerts": "#4477aa", "false alerts": "#b2182b"}


def label(r: DeploymentRecord) -> str:
    return f"{r.deployment}: {r.date}"


def alerts_by_kind(records: list[DeploymentRecord]) -> str:
    """Each deployment's alerts as a bar, stacked by verdict and confirmation."""
    fig = _figure()
    ax = fig.subplots()
    names = [label(r) for r in records]
    bottom = [0] * len(records)
    for field, (text, colour) in KINDS.items():
        heights = [getattr(r, field) for r in records]
        ax.bar(names, heights, bottom=bottom, label=text, color=colour)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel("alerts")
    ax.set_title("Alerts by deployment")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    return _bars_svg(fig)


def false_alerts_per_thousand_faces(records: list[DeploymentRecord]) -> str:
    """Each deployment's false alerts per 1,000 faces seen; deployments without counts are
    marked as such, not drawn as 0."""
    fig = _figure()
    ax = fig.subplots()
    names = [label(r) for r in records]
    for i, r in enumerate(records):
        if r.faces_seen:
            ax.bar(names[i], 1000 * false_alerts(r) / r.faces_seen, color="#b2182b")
        else:
            ax.bar(names[i], 0)
            ax.annotate("not available", (i, 0), ha="center", va="bottom", fontsize="small")
    ax.set_ylabel("false alerts per 1,000 faces seen")
    ax.set_title("False alert rate by deployment")
    return _bars_svg(fig)


def _figure() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, 3.6), layout="constrained")


def _bars_svg(fig: Figure) -> str:
    """A bar chart's ``svg``, its bars' names slanted to fit."""
    fig.axes[0].tick_params(axis="x", labelrotation=30, labelsize="small")
    return svg(fig)


def svg(fig: Figure) -> str:
    """``fig`` as an ``<svg>`` element for a page (text kept as text; no metadata, no doctype,
    fixed ids: the same figures give the same file)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "openlfr"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.S)


def shares_by_group(groups: list[Group]) -> str:
    """Each group's share of the watchlist, of the alerts and of the false alerts, side by
    side (the watchlist's left out where its composition was not kept)."""
    fig = _figure()
    ax = fig.subplots()
    series = {
        "alerts": [g.alerts for g in groups],
        "false alerts": [g.adjudicated_false for g in groups],
    }
    if all(g.watchlisted is not None for g in groups):
        series = {"watchlist": [g.watchlisted or 0 for g in groups]} | series
    width = 0.8 / len(series)
    for k, (name, counts) in enumerate(series.items()):
        whole = sum(counts)
        shares = [100 * c / whole if whole else 0 for c in counts]
        ax.bar([i + k * width for i in range(len(groups))], shares, width, label=name,
               color=SERIES_COLOURS[name])  # fmt: skip
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(groups))])
    ax.set_xticklabels([f"{g.sex}, {g.ethnicity}" for g in groups])
    ax.set_ylabel("share (%)")
    ax.set_title("Shares by recorded sex and ethnicity")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    return _bars_svg(fig)
