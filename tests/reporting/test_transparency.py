"""Transparency reports: totals worked out by hand, charts inline, and no personal data in any
format, from a real store on each backend."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta

from openlfr.domain.alert import Adjudication as A
from openlfr.reporting.equitability import equitability_of
from openlfr.reporting.publish import (
    deployment_document,
    equitability_document,
    transparency_document,
)
from openlfr.reporting.record import record_of, totals_of, transparency_of
from openlfr.reporting.render import Format
from openlfr.services import records
from openlfr.services.records import AlertFacts, DeploymentFacts
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.domain.factories import NOW, deployment
from tests.services.conftest import REPORTED_SUBJECTS, Clock, lfw, photo, reported_deployment


def facts(ident: int, faces_seen: int | None, *verdicts: A) -> DeploymentFacts:
    d = replace(deployment(), id=ident, started_at=NOW, close_requested_at=NOW + timedelta(hours=2))
    return DeploymentFacts(d, [AlertFacts(NOW, v, None, None, "male", "white") for v in verdicts],
                           faces_seen)  # fmt: skip


def test_totals_add_up_and_leave_deployments_without_counts_out_of_the_rate_over_faces() -> None:
    t = totals_of(
        [
            record_of(facts(1, 1000, A.CONFIRMED_FALSE, A.CONFIRMED_TRUE)),
            record_of(facts(2, None, A.CONFIRMED_FALSE, A.CONFIRMED_FALSE)),
            record_of(facts(3, 3000, A.UNADJUDICATED)),
        ]
    )
    assert (t.deployments, t.deployments_without_counts, t.duration_minutes) == (3, 1, 360)
    assert t.faces_seen == 4000 and t.false_alert_rate_over_faces == 1 / 4000
    assert t.counted["alerts"] == 5 and t.counted["unconfirmed_false"] == 3
    assert t.false_alert_rate_over_alerts == 3 / 5
    none = totals_of([record_of(facts(4, None))])
    assert none.faces_seen is None and none.false_alert_rate_over_faces is None


def test_the_report_has_its_records_totals_and_charts_inline(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = reported_deployment(store, engine, clock)
    day = (d.started_at or NOW).date()
    t = transparency_of(day, day, records.facts_between(store, "ada", day, day))
    html = transparency_document(t, Format.HTML, NOW)
    assert html.count("<svg") == 2 and "<script" not in html and "<img" not in html
    assert "1 deployment(s) went live in this period, for\n180 minutes" in html
    lines = transparency_document(t, Format.CSV, NOW).splitlines()
    assert len(lines) == 3 and lines[2].startswith("total,,,,,,,180,,,2000,6,1,1,1,1,1,1,")
    empty = transparency_of(day, day, [])
    assert "No deployment went live in this period." in transparency_document(
        empty, Format.HTML, NOW
    )


def test_no_name_image_or_template_of_anyone_appears_in_any_format(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = reported_deployment(store, engine, clock)
    day = (d.started_at or NOW).date()
    documents = []
    for fmt in Format:
        record = record_of(records.deployment_facts(store, "ada", d.id or 0))
        documents.append(deployment_document(record, fmt, NOW))
        found = records.facts_between(store, "olu", day, day)
        documents.append(transparency_document(transparency_of(day, day, found), fmt, NOW))
        documents.append(equitability_document(equitability_of(day, day, found), fmt, NOW))
    published = "\n".join(documents)
    forbidden = [c[key] for c in REPORTED_SUBJECTS.values() for key in ("name", "case_reference")]
    forbidden += ["Failed to appear", "Aaron", "Angelina", "1970-01-01"]
    for person in REPORTED_SUBJECTS:
        image = lfw(person).read_bytes()
        template = engine.analyse([photo(person)])[0][0].embedding.astype("float32").tobytes()
        for data in (image[201:225], template[:24]):  # at multiples of 3: base64 aligns
            forbidden += [data.hex(), base64.b64encode(data).decode()[:-4], data.decode("latin-1")]
    assert [f for f in forbidden if f in published] == []
