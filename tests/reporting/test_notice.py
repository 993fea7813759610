"""The public notice from a real store on each backend: what is announced, how to raise a
concern, the past records, and nothing of a watchlist or an alert beyond their counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from openlfr.errors import LfrError
from openlfr.reporting.notice import Announcement, notice_of
from openlfr.reporting.publish import notice_documents
from openlfr.services import deployments, records
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.domain.factories import application
from tests.services.conftest import REPORTED_SUBJECTS, Clock, reported_deployment

CONTACT = "Write to LFR Concerns, Ashbury Police, or call 0100 555 0199"


def test_the_notice_announces_coming_deployments_and_publishes_past_records(
    store: Store, engine: Engine, clock: Clock
) -> None:
    past = reported_deployment(store, engine, clock)
    starts, ends = clock.now + timedelta(hours=1), clock.now + timedelta(hours=6)
    coming = deployments.request(
        store, "pat", application(location="Ashbury Market Square", starts_at=starts, ends_at=ends)
    )
    deployments.authorise(store, "olu", coming.id or 0)
    n = notice_of(records.notice_facts(store, "ada"), CONTACT, clock.now)
    assert n.announced == [Announcement("crime_hotspot", "Ashbury Market Square", starts, ends,
                                        live=False)]  # fmt: skip
    assert [r.deployment for r in n.past] == [past.id] and n.past[0].alerts == 6
    documents = notice_documents(n)
    published = json.loads(documents["notice.json"])
    assert published["concerns_contact"] == CONTACT
    assert published["announced"][0]["location"] == "Ashbury Market Square"
    page = documents["notice.html"]
    assert CONTACT in page and "Ashbury Market Square" in page and "<script" not in page
    everything = "".join(documents.values())
    # Nothing of the watchlists (their criteria) and no one's name or case.
    leaks = [c[k] for c in REPORTED_SUBJECTS.values() for k in ("name", "case_reference")]
    assert [x for x in [*leaks, "wanted_by_court", "Failed to appear"] if x in everything] == []


def test_a_notice_says_how_to_raise_a_concern_or_is_not_made(store: Store) -> None:
    facts = records.notice_facts(store, "ada")
    with pytest.raises(LfrError, match="must say how to raise a concern: set concerns_contact"):
        notice_of(facts, " ", store.now())
