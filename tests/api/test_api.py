"""A deployment from application to adjudication through the API alone, each step the same
service the CLI calls; uploads checked by content; the schema, health and metrics."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from PIL import Image

from openlfr.domain.alert import Adjudication, Outcome
from openlfr.services import alerts, users
from openlfr.services.unit_of_work import Store
from openlfr.store.tables import reference_images, subjects
from openlfr.vision.engine import Engine
from openlfr.web.pages import ALERTS_SHOWN
from tests.api.conftest import bearer, everyone, first_login
from tests.domain.factories import application
from tests.services.conftest import Clock, count, lfw, live_alert, log, record

V1 = "/api/v1"


def enrol(
    api: TestClient, wendy: dict[str, str], name: str, *images: tuple[str, bytes]
) -> httpx.Response:
    """POST a subject record and its images as a console's form would (multipart)."""
    files = [("images", (filename, data, "application/octet-stream")) for filename, data in images]
    form = {"record": json.dumps(record(name), default=str),
            "sources": ["custody_image"] * len(images)}  # fmt: skip
    return api.post(f"{V1}/subjects", data=form, files=files, headers=wendy)


def test_a_deployment_from_application_to_adjudication(
    api: TestClient, store: Store, clock: Clock
) -> None:
    who = everyone(store)
    photo = lfw("Aaron_Eckhart").read_bytes()
    enrolled = enrol(api, who["wendy"], "Aaron_Eckhart", ("aaron.jpg", photo))
    assert enrolled.status_code == 201, enrolled.text
    fields = json.loads(json.dumps(application(), default=str))
    d = api.post(f"{V1}/deployments", json=fields, headers=who["pat"]).json()
    steps = [
        ("olu", "put", f"{V1}/deployments/{d['id']}/threshold", {"value": 0.6}),
        ("olu", "post", f"{V1}/deployments/{d['id']}/authorise", None),
        ("pat", "post", f"{V1}/deployments/{d['id']}/watchlist", None),
        ("olu", "post", f"{V1}/deployments/{d['id']}/approve", None),
    ]
    for user, method, path, body in steps:
        answer = api.request(method, path, json=body, headers=who[user])
        assert answer.status_code == 200, (path, answer.text)
    early = api.post(f"{V1}/deployments/{d['id']}/start", json={"signs_up": True},
                     headers=who["omar"])  # fmt: skip
    assert early.status_code == 409 and "may go live only between" in early.json()["detail"]
    clock.advance(hours=2)
    started = api.post(f"{V1}/deployments/{d['id']}/start", json={"signs_up": True},
                       headers=who["omar"])  # fmt: skip
    assert started.json()["state"] == "live" and started.json()["threshold"] == 0.6
    raised = alerts.raise_alert(store, d["id"], 1, "van-1-north", photo, 0.71)
    listed = api.get(f"{V1}/alerts", params={"deployment": d["id"]}, headers=who["omar"]).json()
    assert [a["id"] for a in listed] == [raised.id] and listed[0]["subject_name"] == "Aaron Eckhart"
    probe = api.get(f"{V1}/alerts/{raised.id}/images/probe", headers=who["omar"])
    assert probe.content == photo and probe.headers["content-type"] == "image/jpeg"
    assert probe.headers["cache-control"] == "no-store"
    assert log(store)[-1].action == "alert.view_biometrics"
    verdict = {"verdict": "confirmed_true", "outcome": "arrested", "version": 1}
    judged = api.post(f"{V1}/alerts/{raised.id}/adjudication", json=verdict, headers=who["omar"])
    assert judged.status_code == 200 and judged.json()["adjudicated_by"] == "omar"
    assert judged.json()["version"] == 2
    disposal = {"disposal": "charged"}
    url = f"{V1}/alerts/{raised.id}/disposal"
    assert api.post(url, json=disposal, headers=who["ada"]).status_code == 403
    recorded = api.post(url, json=disposal, headers=who["omar"])
    assert recorded.status_code == 200 and recorded.json()["disposal"] == "charged"
    closed = api.post(f"{V1}/deployments/{d['id']}/close", headers=who["omar"]).json()
    assert closed["state"] == "closed"
    late = api.post(f"{V1}/alerts/{raised.id}/adjudication", json=verdict, headers=who["omar"])
    assert late.status_code == 409
    correction = {"verdict": "confirmed_false", "outcome": "not_engaged", "reason": "CCTV",
                  "version": 3}  # fmt: skip
    corrected = api.post(f"{V1}/alerts/{raised.id}/correction", json=correction,
                         headers=who["ada"])  # fmt: skip
    assert corrected.status_code == 200 and corrected.json()["corrected_by"] == "ada"
    unarrested = api.post(url, json={"disposal": "cautioned"}, headers=who["omar"])
    assert unarrested.status_code == 409 and "led to no arrest" in unarrested.json()["detail"]
    verified = api.post(f"{V1}/audit/verify", headers=who["ada"]).json()
    assert verified["intact"] and verified["checked"] == len(log(store)) - 1


def test_a_disguised_or_truncated_upload_is_refused_and_nothing_kept(
    api: TestClient, store: Store, tmp_path: Path
) -> None:
    wendy = everyone(store)["wendy"]
    photo = lfw("Aaron_Eckhart").read_bytes()
    page = b"<html><script>alert(1)</script></html>"
    cases = [
        # Named by its place, not its file name (which may be the subject's).
        (("aaron.jpg", page), 400, "reference image 1: not an image file"),
        (("aaron.jpg", photo[: len(photo) // 3]), 400, "reference image 1: the image is corrupt"),
        (("aaron.jpg", b""), 400, "reference image 1: the file is empty"),
    ]
    for image, status, reason in cases:
        answer = enrol(api, wendy, "Aaron_Eckhart", image)
        assert answer.status_code == status and reason in answer.json()["detail"]
    # A PNG called .jpg is a PNG: the name does not decide.
    as_png = io.BytesIO()
    Image.open(lfw("Aaron_Eckhart")).save(as_png, "PNG")
    answer = enrol(api, wendy, "Aaron_Eckhart", ("aaron.jpg", as_png.getvalue()))
    assert answer.status_code == 201
    assert count(store, subjects) == 1 and count(store, reference_images) == 1


def test_an_image_over_the_byte_limit_is_refused_naming_it(api: TestClient, store: Store) -> None:
    wendy = everyone(store)["wendy"]
    store.settings.max_image_bytes = 1_000
    photo = lfw("Aaron_Eckhart").read_bytes()
    answer = enrol(api, wendy, "Aaron_Eckhart", ("big.jpg", photo))
    assert answer.status_code == 400
    assert "big.jpg: over the 1,000-byte limit" in answer.json()["detail"]
    assert count(store, subjects) == 0


def test_a_bad_application_is_refused_naming_what_is_wrong(api: TestClient, store: Store) -> None:
    pat = everyone(store)["pat"]
    fields = json.loads(json.dumps(application(), default=str))
    del fields["dpia_ref"]
    missing = api.post(f"{V1}/deployments", json=fields, headers=pat)
    assert missing.status_code == 422 and "dpia_ref" in missing.text
    fields |= {"dpia_ref": "DPIA-1", "ends_at": fields["starts_at"]}
    empty = api.post(f"{V1}/deployments", json=fields, headers=pat)
    assert empty.status_code == 409 and "end" in empty.json()["detail"]


def test_the_schema_health_and_metrics_need_no_login_and_name_no_one(
    api: TestClient, store: Store
) -> None:
    schema = api.get(f"{V1}/openapi.json").json()
    assert schema["info"]["title"] == "openlfr" and f"{V1}/alerts/feed" in schema["paths"]
    assert api.get("/healthz").json()["status"] == "ok"
    metrics = api.get("/metrics")
    assert metrics.status_code == 200 and "lfr_alerts" in metrics.text
    assert "Aaron" not in metrics.text and "wendy" not in metrics.text


def test_alerts_come_a_page_at_a_time_and_only_those_awaiting_a_verdict_show_images(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    ident, first = live_alert(store, engine, clock)
    raised = [first] + [alerts.raise_alert(store, ident, 1, "van-1-north", b"crop", 0.9)
                        for _ in range(ALERTS_SHOWN + 4)]  # fmt: skip
    ids = [a.id for a in raised]
    omar = everyone(store)["omar"]
    page = api.get(f"{V1}/alerts", params={"newest": 3}, headers=omar).json()
    assert [a["id"] for a in page] == ids[-3:]  # the newest, oldest first
    older = api.get(f"{V1}/alerts", params={"newest": 3, "before": ids[-3]}, headers=omar)
    assert [a["id"] for a in older.json()] == ids[-6:-3]
    assert api.get(f"{V1}/alerts", params={"newest": 0}, headers=omar).status_code == 422

    alerts.adjudicate(store, "omar", ids[-1] or 0, Adjudication.CONFIRMED_FALSE,
                      Outcome.NOT_ENGAGED)  # fmt: skip
    browser = first_login(api, store, "omar")
    viewed = len([e for e in log(store) if e.action == "alert.view_biometrics"])
    html = browser.client.get("/console/alerts").text
    cards = re.findall(r'<article class="alert[^"]*" id="alert-(\d+)"', html)
    assert [int(c) for c in cards] == ids[::-1][:ALERTS_SHOWN]
    # Images load for those awaiting a verdict; the one adjudicated links to them instead.
    assert f'src="/api/v1/alerts/{ids[-1]}/images/probe"' not in html
    assert f'<a href="/api/v1/alerts/{ids[-1]}/images/probe">camera</a>' in html
    assert f'src="/api/v1/alerts/{ids[-2]}/images/probe"' in html
    assert len([e for e in log(store) if e.action == "alert.view_biometrics"]) == viewed
    oldest_shown = ids[::-1][ALERTS_SHOWN - 1]
    assert f'href="/console/alerts?before={oldest_shown}"' in html
    rest = browser.client.get("/console/alerts", params={"before": oldest_shown}).text
    cards = re.findall(r'<article class="alert[^"]*" id="alert-(\d+)"', rest)
    assert [int(c) for c in cards] == ids[::-1][ALERTS_SHOWN:] and "Older alerts" not in rest
    assert f'data-after="{ids[-1]}"' in rest  # its feed brings only what is new


def test_a_verdict_from_a_stale_view_is_refused_and_a_change_is_an_amendment(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    """Finding 10 through the API: a second handset's verdict on version 1 after the first's
    is a 409 naming what the alert reads now; changing it is its own call, with a reason."""
    users.add_user(store, "root", "olive", ["operator"])
    who = everyone(store) | {"olive": bearer(store, "olive")}
    _, raised = live_alert(store, engine, clock)
    url = f"{V1}/alerts/{raised.id}"
    first = {"verdict": "confirmed_true", "outcome": "arrested", "version": 1}
    assert api.post(f"{url}/adjudication", json=first, headers=who["omar"]).status_code == 200
    second = {"verdict": "confirmed_false", "version": 1}
    stale = api.post(f"{url}/adjudication", json=second, headers=who["olive"])
    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        f"alert {raised.id} has changed since it was seen (version 1, now 2: confirmed_true, "
        "arrested by omar): nothing recorded; look at it again before deciding"
    )
    unnamed = api.post(f"{url}/adjudication", json={"verdict": "confirmed_false"},
                       headers=who["olive"])  # fmt: skip
    assert unnamed.status_code == 422 and "version" in unnamed.text
    again = api.post(f"{url}/adjudication", json=second | {"version": 2}, headers=who["olive"])
    assert again.status_code == 409 and "amend it with a reason" in again.json()["detail"]
    change = {"verdict": "confirmed_false", "outcome": "engaged_no_further_action",
              "reason": "not him on closer look", "version": 1}  # fmt: skip
    assert api.post(f"{url}/amendment", json=change, headers=who["olive"]).status_code == 409
    amended = api.post(f"{url}/amendment", json=change | {"version": 2}, headers=who["olive"])
    assert amended.status_code == 200, amended.text
    assert amended.json()["adjudication"] == "confirmed_false"
    assert (amended.json()["adjudicated_by"], amended.json()["version"]) == ("olive", 3)
    assert api.get(url, headers=who["omar"]).json()["version"] == 3
