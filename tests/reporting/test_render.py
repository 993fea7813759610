"""Rendering: figures as a reader sees them, CSV with "not available", HTML escaped and
self-contained."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

from openlfr.reporting.publish import deployment_document
from openlfr.reporting.record import record_of
from openlfr.reporting.render import Format, as_csv, cell
from openlfr.services.records import DeploymentFacts
from tests.domain.factories import NOW, deployment


def test_cells_say_not_available_for_none_and_times_in_utc() -> None:
    assert cell(None) == "not available" and cell(0) == "0"
    assert cell(2 / 3) == "0.6667" and cell(NOW) == "2026-11-23 12:00 UTC"
    assert (
        cell(1 / 12000, percent=True) == "0.00833%" and cell(None, percent=True) == "not available"
    )
    assert as_csv([{"a": None, "b": 1.5}]) == "a,b\nnot available,1.5\n"


def test_html_escapes_what_it_is_given_and_fetches_nothing() -> None:
    d = replace(deployment(name="<script>alert(1)</script>"), id=3, started_at=NOW)
    d.close_requested_at = NOW + timedelta(hours=1)
    r = record_of(DeploymentFacts(d, [], None))
    html = deployment_document(r, Format.HTML, NOW)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "http" not in html and "<link" not in html and "src=" not in html
    assert deployment_document(r, Format.CSV, NOW).splitlines()[0] == ",".join(asdict(r))
