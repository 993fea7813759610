"""Published records through the API: the same documents ``lfr report`` writes, in each
format, for an authorising officer or an auditor only, each read audited; and the public
notice published to where the console serves it."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import everyone
from tests.services.conftest import Clock, closed_deployment, log

V1 = "/api/v1/reports"


def test_a_deployment_record_in_each_format(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    ident = closed_deployment(store, engine, clock)
    who = everyone(store)
    url = f"{V1}/deployments/{ident}"
    r = api.get(url, headers=who["ada"]).json()
    assert (r["deployment"], r["alerts"], r["confirmed_false"], r["watchlist_size"]) == (
        ident, 1, 1, 2)  # fmt: skip
    assert log(store)[-1].action == "report.read" and log(store)[-1].actor == "ada"

    as_csv = api.get(url, params={"format": "csv"}, headers=who["olu"])
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"] == f'attachment; filename="deployment-{ident}.csv"'
    [row] = csv.DictReader(io.StringIO(as_csv.text))
    assert row["confirmed_false"] == "1" and row["faces_seen"] == "not available"

    page = api.get(url, params={"format": "html"}, headers=who["ada"])
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<th scope="row">Alerts</th><td>1</td>' in page.text
    policy = page.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self'" in policy
    assert "<script" not in page.text and page.headers["cache-control"] == "no-store"
    for answer in (r, as_csv.text, page.text):  # the records name no one
        assert "Aaron Eckhart" not in json.dumps(answer)


def test_the_period_reports(api: TestClient, store: Store, engine: Engine, clock: Clock) -> None:
    ident = closed_deployment(store, engine, clock)
    ada = everyone(store)["ada"]
    day = clock.now.date().isoformat()
    period = {"from": day, "to": day}
    t = api.get(f"{V1}/transparency", params=period, headers=ada).json()
    assert [d["deployment"] for d in t["deployments"]] == [ident]
    assert t["totals"]["counted"]["confirmed_false"] == 1
    e = api.get(f"{V1}/equitability", params=period, headers=ada).json()
    overall = e["scopes"][0]["groups"]
    assert sum(g["adjudicated_false"] for g in overall) == 1
    page = api.get(f"{V1}/transparency", params=period | {"format": "html"}, headers=ada)
    assert page.status_code == 200 and "<svg" in page.text  # its charts, inline
    none = api.get(f"{V1}/transparency", params={"from": "2020-01-01", "to": "2020-01-31"},
                   headers=ada).json()  # fmt: skip
    assert none["deployments"] == [] and none["totals"]["counted"]["alerts"] == 0


def test_report_refusals_are_one_line(api: TestClient, store: Store) -> None:
    who = everyone(store)
    planner = api.get(f"{V1}/deployments/1", headers=who["pat"])
    assert planner.status_code == 403 and planner.json()["detail"] == (
        "user pat (planner) may not produce deployment records and transparency reports: that "
        "needs the role auditor or authorising_officer"
    )
    assert api.get(f"{V1}/transparency", params={"from": "2026-01-01", "to": "2026-01-31"},
                   headers=who["omar"]).status_code == 403  # fmt: skip
    missing = api.get(f"{V1}/deployments/99", headers=who["ada"])
    assert missing.status_code == 404 and missing.json()["detail"] == "there is no deployment 99"
    backwards = api.get(f"{V1}/equitability", params={"from": "2026-02-01", "to": "2026-01-01"},
                        headers=who["ada"])  # fmt: skip
    assert backwards.status_code == 400 and "ends (2026-01-01) before it starts" in backwards.text
    pdf = api.get(f"{V1}/deployments/1", params={"format": "pdf"}, headers=who["ada"])
    assert pdf.status_code == 422 and "'csv', 'json' or 'html'" in pdf.text
    unknown = api.get(f"{V1}/arrests", params={"from": "2026-01-01", "to": "2026-01-31"},
                      headers=who["ada"])  # fmt: skip
    assert unknown.status_code == 422 and "'transparency' or 'equitability'" in unknown.text
    undated = api.get(f"{V1}/transparency", params={"from": "2026-01-01"}, headers=who["ada"])
    assert undated.status_code == 422 and "to" in undated.text
    assert api.get(f"{V1}/transparency", params={"from": "2026-01-01", "to": "2026-01-31"}
                   ).status_code == 401  # fmt: skip


def test_the_public_notice_is_published_where_the_console_serves_it(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    closed_deployment(store, engine, clock)
    who = everyone(store)
    store.settings.governance.concerns_contact = ""
    silent = api.post(f"{V1}/notice", headers=who["olu"])
    assert silent.status_code == 400 and "concerns_contact" in silent.json()["detail"]
    assert not store.settings.notice_folder.exists()  # refused before anything was written
    store.settings.governance.concerns_contact = "concerns@ashbury.police.example"
    assert api.post(f"{V1}/notice", headers=who["omar"]).status_code == 403
    published = api.post(f"{V1}/notice", headers=who["olu"])
    assert published.status_code == 200, published.text
    folder = store.settings.notice_folder
    assert published.json()["files"] == [str(folder / "notice.html"), str(folder / "notice.json")]
    notice = api.get("/notice.json").json()  # served to anyone, no login
    assert notice["concerns_contact"] == "concerns@ashbury.police.example"
    assert len(notice["past"]) == 1 and notice["past"][0]["confirmed_false"] == 1
    read, published = log(store)[-2:]
    assert (read.action, published.action) == ("report.notice", "report.notice_published")
    assert read.actor == published.actor == "olu"
