"""The public notice, served by the console as `lfr report notice` wrote it, with no login."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from openlfr.api.app import create_app
from openlfr.reporting.notice import Announcement, Notice
from openlfr.reporting.publish import notice_documents
from openlfr.services.unit_of_work import Store
from tests.api.conftest import LOCAL


def test_the_notice_is_served_to_anyone_as_published(store: Store) -> None:
    with TestClient(create_app(store), base_url=LOCAL) as client:
        missing = client.get("/notice")
        assert missing.status_code == 404 and "No public notice" in missing.text
        assert client.get("/notice.json").status_code == 404
        when = datetime(2027, 3, 13, 11, tzinfo=UTC)
        made = Notice(
            when, "concerns@ashbury.police.example",
            [Announcement("wanted offenders", "Ashbury High Street", when, when, live=False)],
            [],
        )  # fmt: skip
        folder = store.settings.notice_folder
        folder.mkdir(parents=True)
        for name, text in notice_documents(made).items():
            (folder / name).write_text(text, encoding="utf-8")
        page = client.get("/notice")  # no session, no token
        assert page.status_code == 200 and "Ashbury High Street" in page.text
        policy = page.headers["content-security-policy"]
        # Its own inline style may apply; still no script but the console's own, never framed.
        assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self'" in policy
        assert page.headers["x-frame-options"] == "DENY"
        published = client.get("/notice.json")
        assert json.loads(published.text)["concerns_contact"] == "concerns@ashbury.police.example"
