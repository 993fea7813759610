"""Published documents, each in the format asked for: what the report commands write."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from openlfr.reporting.record import LABELS, RULE, DeploymentRecord
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
        rule=RULE,
        generated_at=generated_at,
    )
