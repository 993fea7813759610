"""Published documents, each in the format asked for: what the report commands write."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from openlfr.reporting import charts
from openlfr.reporting.equitability import EXPLAINED, Equitability, rows
from openlfr.reporting.notice import Notice
from openlfr.reporting.record import LABELS, RATES, RULE, DeploymentRecord, Transparency, totals_row
from openlfr.reporting.render import Format, as_csv, as_html, as_json


def deployment_document(r: DeploymentRecord, fmt: Format, generated_at: datetime) -> str:
    """One deployment's record as CSV (one row), JSON or HTML."""
    if fmt == Format.CSV:
        return as_csv([asdict(r)])
    if fmt == Format.JSON:
        return as_json(r)
    return as_html(
        "deployment.html",
        title=f"Live facial recognition deployment record: {r.name}",
        record=r,
        labels=LABELS,
        rates=RATES,
        rule=RULE,
        generated_at=generated_at,
    )


def transparency_document(t: Transparency, fmt: Format, generated_at: datetime) -> str:
    """The records of a period and their totals: CSV (a row per deployment and a total row),
    JSON, or HTML with charts, ready to publish."""
    total = totals_row(t.totals)
    if fmt == Format.CSV:
        return as_csv([*(asdict(r) for r in t.records), total])
    if fmt == Format.JSON:
        return as_json(
            {"from": t.first, "to": t.last, "deployments": t.records, "totals": t.totals,
             "rule": RULE}
        )  # fmt: skip
    return as_html(
        "transparency.html",
        title=f"Live facial recognition: transparency report, {t.first} to {t.last}",
        report=t,
        columns=[asdict(r) for r in t.records] + [total],
        labels=LABELS,
        rates=RATES,
        charts=[charts.alerts_by_kind(t.records),
                charts.false_alerts_per_thousand_faces(t.records)] if t.records else [],
        rule=RULE,
        generated_at=generated_at,
    )  # fmt: skip


def equitability_document(e: Equitability, fmt: Format, generated_at: datetime) -> str:
    """Alerts by group beside the watchlist's composition, for the period, each month and
    each deployment: CSV (a row per scope and group), JSON, or HTML with a chart."""
    if fmt == Format.CSV:
        return as_csv(rows(e))
    if fmt == Format.JSON:
        return as_json({"from": e.first, "to": e.last, "scopes": e.scopes, "rule": EXPLAINED})
    overall = e.scopes[0].groups
    return as_html(
        "equitability.html",
        title=f"Live facial recognition: alerts by group, {e.first} to {e.last}",
        report=e,
        chart=charts.shares_by_group(overall) if overall else "",
        rule=EXPLAINED,
        generated_at=generated_at,
    )


def notice_documents(n: Notice) -> dict[str, str]:
    """The public notice as a page and as JSON, by file name."""
    page = as_html(
        "notice.html",
        title="Live facial recognition: public notice",
        notice=n,
        columns=[asdict(r) for r in n.past],
        labels=LABELS,
        rates=RATES,
        rule=RULE,
        generated_at=n.generated_at,
    )
    return {"notice.html": page, "notice.json": as_json(asdict(n) | {"rule": RULE})}
