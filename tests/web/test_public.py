"""The public notice, served by the console as it was published, with no login; and not
served once its files are not what was published (edited, put there by hand, an older copy,
a forged publication in the audit log)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from openlfr.api.app import create_app
from openlfr.services import reports
from openlfr.services.unit_of_work import Store
from openlfr.store import audit
from openlfr.store.tables import audit_log
from tests.api.conftest import LOCAL
from tests.services.conftest import log

CONTACT = "concerns@ashbury.police.example"


@pytest.fixture
def public(store: Store) -> Iterator[TestClient]:
    store.settings.governance.concerns_contact = CONTACT
    with TestClient(create_app(store), base_url=LOCAL) as client:
        yield client


def refusals(store: Store) -> list[audit.Entry]:
    return [e for e in log(store) if e.action == "notice.serve"]


def test_the_notice_is_served_to_anyone_as_published(public: TestClient, store: Store) -> None:
    missing = public.get("/notice")
    assert missing.status_code == 404 and "No public notice" in missing.text
    assert public.get("/notice.json").status_code == 404
    reports.publish_notice(store, "olu")
    page = public.get("/notice")  # no session, no token
    assert page.status_code == 200 and CONTACT in page.text
    policy = page.headers["content-security-policy"]
    # Its own inline style may apply; still no script but the console's own, never framed.
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert json.loads(public.get("/notice.json").text)["concerns_contact"] == CONTACT
    [published] = [e for e in log(store) if e.action == reports.PUBLISHED]
    assert published.actor == "olu" and set(json.loads(published.detail)["sha256"]) == {
        "notice.html", "notice.json"}  # fmt: skip


def test_a_notice_edited_on_disk_is_not_served_and_is_reported_once(
    public: TestClient, store: Store
) -> None:
    reports.publish_notice(store, "olu")
    page = store.settings.notice_folder / "notice.html"
    page.write_text(page.read_text().replace(CONTACT, "forger@example.com"))
    for _ in range(3):
        answer = public.get("/notice")
        assert answer.status_code == 503 and "forger" not in answer.text
        assert "not the one the force published" in answer.text
    [refused] = refusals(store)  # once, however many visits
    assert refused.outcome == "refused" and "it was changed since" in refused.detail
    assert public.get("/notice.json").status_code == 200  # the JSON was not touched
    reports.publish_notice(store, "olu")  # published again: served again
    assert public.get("/notice").status_code == 200


def test_a_notice_put_there_by_hand_or_an_older_copy_is_not_served(
    public: TestClient, store: Store, tmp_path: Path
) -> None:
    folder = store.settings.notice_folder
    reports.publish_notice(store, "olu", tmp_path / "elsewhere")  # a copy, not the served one
    shutil.copytree(tmp_path / "elsewhere", folder)
    assert public.get("/notice").status_code == 404  # never published here
    reports.publish_notice(store, "olu")
    older = (folder / "notice.json").read_bytes()
    store.settings.governance.concerns_contact = "new-concerns@ashbury.police.example"
    reports.publish_notice(store, "ada")
    (folder / "notice.json").write_bytes(older)  # the old one put back
    answer = public.get("/notice.json")
    assert answer.status_code == 503 and answer.json() == {
        "detail": "the public notice here is not the one published"}  # fmt: skip


def test_a_forged_publication_in_the_audit_log_is_not_believed(
    public: TestClient, store: Store
) -> None:
    """Someone with the database but not the keys edits the notice and appends a publication
    of their own with its digests: its hash is not made with the audit key."""
    reports.publish_notice(store, "olu")
    page = store.settings.notice_folder / "notice.html"
    page.write_text("<p>No cameras here.</p>")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in page.parent.iterdir()}
    with store.db.transaction() as session:
        last = session.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar_one()
        prev = session.execute(
            sa.select(audit_log.c.hash).where(audit_log.c.seq == last)
        ).scalar_one()
        session.execute(audit_log.insert().values(
            seq=last + 1, at="2026-11-23T12:00:00+00:00", actor="olu", action=reports.PUBLISHED,
            target=reports.SERVED, outcome="done", detail=json.dumps({"sha256": digests}),
            prev_hash=prev, hash="0" * 64))  # fmt: skip
    answer = public.get("/notice")
    assert answer.status_code == 503 and "No cameras" not in answer.text
    [refused] = refusals(store)
    assert "the notice's publication, is not genuine" in refused.detail
