"""The API's safeguards, attacked: no session, a wrong role, a forged or missing CSRF token, an
ended or revoked token, guessed passwords, oversized bodies; every refusal that matters is in
the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from openlfr.api import create_app
from openlfr.services import identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import LOCAL, PASSWORD, bearer, everyone, first_login, served
from tests.domain import factories
from tests.services.conftest import Clock, live_alert, log

OPEN = {("/healthz", "GET"), ("/metrics", "GET"), ("/api/v1/session", "POST")}


def guarded_routes(api: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every operation the schema publishes that needs a caller, its path
    parameters filled in."""
    found = []
    for path, operations in api.get("/api/v1/openapi.json").json()["paths"].items():
        filled = path.replace("{ident}", "1").replace("{name}", "pat")
        filled = filled.replace("{token_id}", "1").replace("{which}", "probe")
        found += [(m.upper(), filled) for m in operations if (path, m.upper()) not in OPEN]
    return found


def test_every_route_but_login_health_and_schema_refuses_a_caller_without_a_session(
    api: TestClient,
) -> None:
    routes = guarded_routes(api)
    assert len(routes) > 30
    for method, path in routes:
        answer = api.request(method, path)
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert "not logged in" in answer.json()["detail"]


def test_a_wrong_role_is_refused_by_the_services_own_check_and_audited(
    api: TestClient, store: Store
) -> None:
    omar = bearer(store, "omar")  # an operator may not add users nor cameras
    answer = api.post("/api/v1/users", json={"name": "eve", "roles": ["admin"]}, headers=omar)
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("user omar (operator) may not manage users")
    assert (log(store)[-1].actor, log(store)[-1].outcome) == ("omar", "refused")
    answer = api.post("/api/v1/cameras", json={"name": "x", "source": "rtsp://h/x"}, headers=omar)
    assert answer.status_code == 403
    pat = bearer(store, "pat")  # a planner may not see alerts, nor their images
    assert api.get("/api/v1/alerts", headers=pat).status_code == 403
    assert api.get("/api/v1/alerts/1/images/probe", headers=pat).status_code == 403
    assert [e.action for e in log(store)[-2:]] == ["alert.list", "alert.view_biometrics"]


def test_a_cookie_session_changes_nothing_without_its_csrf_token(
    api: TestClient, store: Store
) -> None:
    root = first_login(api, store, "root")
    body = {"name": "eve", "roles": ["auditor"]}
    missing = api.post("/api/v1/users", json=body)
    forged = api.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "0" * 64})
    latin = api.post("/api/v1/users", json=body, headers=[(b"X-CSRF-Token", b"\xe9" * 64)])
    for answer in (missing, forged, latin):
        assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
    refusals = [e for e in log(store) if e.action == "api.csrf"]
    assert len(refusals) == 3 and {e.actor for e in refusals} == {"root"}
    assert [u["name"] for u in api.get("/api/v1/users").json()].count("eve") == 0
    added = api.post("/api/v1/users", json=body, headers=root.guarded)
    assert added.status_code == 201 and added.json()["one_time_password"]


def test_another_sessions_csrf_token_does_not_do(api: TestClient, store: Store) -> None:
    pat = first_login(api, store, "pat").csrf
    with TestClient(api.app, base_url=LOCAL) as other:
        first_login(other, store, "root")
        answer = other.post("/api/v1/users", json={"name": "eve", "roles": ["admin"]},
                            headers={"X-CSRF-Token": pat})  # fmt: skip
    assert answer.status_code == 403


def test_the_session_cookie_is_httponly_strict_and_secure_beyond_loopback(
    api: TestClient, store: Store
) -> None:
    for base, secure in ((LOCAL, False), ("http://lfr.example.police.uk", True)):
        with TestClient(api.app, base_url=base) as client:
            one_time = identity.reset_password(store, "root", "olu")
            body = {"name": "olu", "password": one_time, "new_password": PASSWORD}
            answer = client.post("/api/v1/session", json=body)
        attributes = answer.headers["set-cookie"].lower().split("; ")
        assert "httponly" in attributes and "samesite=strict" in attributes
        assert ("secure" in attributes) == secure


def test_an_ended_session_and_a_revoked_or_expired_token_are_refused_and_audited(
    api: TestClient, store: Store, clock: Clock
) -> None:
    pat = bearer(store, "pat")  # a new bearer() would end this session: one per test
    made = [api.post("/api/v1/tokens", json=body, headers=pat) for body in ({"days": 1}, {})]
    assert [m.status_code for m in made] == [201, 201]
    day, lasting = ({"Authorization": f"Bearer {m.json()['secret']}"} for m in made)
    assert api.get("/api/v1/me", headers=day).json()["user"] == "pat"
    listed = api.get("/api/v1/tokens", headers=day).json()
    assert [t["id"] for t in listed] == [m.json()["id"] for m in made]
    assert all(t["secret"] is None for t in listed)
    # Only its own user revokes a token.
    olu = bearer(store, "olu")
    assert api.delete(f"/api/v1/tokens/{listed[0]['id']}", headers=olu).status_code == 404
    assert api.delete("/api/v1/session", headers=pat).status_code == 204
    assert api.get("/api/v1/me", headers=pat).status_code == 401  # logged out
    clock.advance(days=1, seconds=1)
    assert api.get("/api/v1/me", headers=day).status_code == 401  # expired
    assert api.get("/api/v1/me", headers=lasting).status_code == 200
    assert api.delete(f"/api/v1/tokens/{listed[1]['id']}", headers=lasting).status_code == 204
    assert api.get("/api/v1/me", headers=lasting).status_code == 401  # revoked
    forged = {"Authorization": "Bearer " + "A" * 43}
    assert api.get("/api/v1/me", headers=forged).status_code == 401
    refused = [e for e in log(store) if e.action == "user.authenticate"]
    assert len(refused) == 4 and all(e.outcome == "refused" for e in refused)


def test_a_token_lasts_no_longer_than_api_token_days(api: TestClient, store: Store) -> None:
    answer = api.post("/api/v1/tokens", json={"days": 400}, headers=bearer(store, "pat"))
    assert answer.status_code == 400 and "api_token_days" in answer.json()["detail"]


def test_repeated_wrong_passwords_lock_the_name_and_are_audited(
    api: TestClient, store: Store, clock: Clock
) -> None:
    first_login(api, store, "omar")
    api.cookies.clear()
    wrong = {"name": "omar", "password": "not the password at all"}
    for _ in range(5):
        assert api.post("/api/v1/session", json=wrong).status_code == 401
    right = {"name": "omar", "password": PASSWORD}
    locked = api.post("/api/v1/session", json=right)
    assert locked.status_code == 401 and "locked after 5 wrong passwords" in locked.json()["detail"]
    assert [e.outcome for e in log(store)[-6:]] == ["refused"] * 6
    clock.advance(minutes=15, seconds=1)
    assert api.post("/api/v1/session", json=right).status_code == 200


def test_logins_from_one_address_are_throttled_and_audited(api: TestClient, store: Store) -> None:
    wrong = {"name": "nobody", "password": "guess number one"}
    codes = [api.post("/api/v1/session", json=wrong).status_code for _ in range(21)]
    assert codes == [401] * 20 + [429]
    throttled = log(store)[-1]
    assert (throttled.action, throttled.outcome) == ("user.login", "refused")
    assert throttled.target.startswith("address ") and "too many" in throttled.detail


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: TestClient, store: Store) -> None:
    limit = store.settings.max_request_bytes = 100_000
    headers = {**bearer(store, "pat"), "Content-Type": "application/json"}
    declared = api.post("/api/v1/deployments", content=b"x" * (limit + 1), headers=headers)
    assert declared.status_code == 413 and "byte limit" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(limit // 10_000 + 2):
            yield b"x" * 10_000

    streamed = api.post("/api/v1/deployments", content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_every_response_carries_the_security_headers(api: TestClient) -> None:
    for answer in (api.get("/healthz"), api.get("/api/v1/me")):
        h = answer.headers
        assert "script-src 'self'" in h["Content-Security-Policy"]
        assert "'unsafe-inline'" not in h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Frame-Options"] == "DENY" and h["Referrer-Policy"] == "same-origin"
        assert h["Cache-Control"] == "no-store" and h["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header", ["Basic cGF0OnB3", "Bearer", "Token abc"])
def test_a_malformed_authorization_header_is_one_clear_refusal(
    api: TestClient, header: str
) -> None:
    answer = api.get("/api/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401 and "Bearer TOKEN" in answer.json()["detail"]


# (user, method, path, body) where the user's roles do not allow the action.
WRONG_ROLE = [
    ("omar", "POST", "/api/v1/users", {"name": "eve", "roles": ["admin"]}),
    ("pat", "POST", "/api/v1/users/omar/deactivate", None),
    ("ada", "POST", "/api/v1/users/omar/reset", None),
    ("wendy", "POST", "/api/v1/cameras", {"name": "cam", "source": "rtsp://h/cam"}),
    ("olu", "DELETE", "/api/v1/cameras/van-1-north", None),
    ("omar", "POST", "/api/v1/deployments", None),  # the application: filled in below
    ("pat", "POST", "/api/v1/deployments/1/authorise", None),
    ("pat", "PUT", "/api/v1/deployments/1/threshold", {"value": 0.7}),
    ("omar", "POST", "/api/v1/deployments/1/watchlist", None),
    ("pat", "POST", "/api/v1/deployments/1/approve", None),
    ("pat", "POST", "/api/v1/deployments/1/start", {"signs_up": True}),
    ("wendy", "POST", "/api/v1/deployments/1/close", None),
    ("omar", "POST", "/api/v1/deployments/1/cancel", None),
    ("omar", "GET", "/api/v1/subjects", None),
    ("olu", "DELETE", "/api/v1/subjects/1", None),
    ("omar", "POST", "/api/v1/subjects/1/review", {"until": "2027-01-01"}),
    ("wendy", "GET", "/api/v1/alerts", None),
    ("pat", "GET", "/api/v1/alerts/1", None),
    ("ada", "POST", "/api/v1/alerts/1/adjudication", {"verdict": "confirmed_true", "version": 1}),
    (
        "ada",
        "POST",
        "/api/v1/alerts/1/amendment",
        {"verdict": "confirmed_true", "reason": "x", "version": 1},
    ),
    (
        "omar",
        "POST",
        "/api/v1/alerts/1/correction",
        {"verdict": "confirmed_true", "reason": "x", "version": 1},
    ),
    ("pat", "GET", "/api/v1/alerts/1/images/reference", None),
    ("omar", "POST", "/api/v1/audit/verify", None),
    ("wendy", "GET", "/api/v1/audit/entries", None),
    ("pat", "GET", "/api/v1/audit/head", None),
]


def test_every_action_refuses_a_role_that_may_not_do_it_and_audits_it(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    live_alert(store, engine, clock)  # deployment 1, live; subjects 1 and 2; alert 1
    who = everyone(store)
    application = json.loads(json.dumps(factories.application(), default=str))
    for user, method, path, body in WRONG_ROLE:
        sent = application if path == "/api/v1/deployments" else body
        before = len(log(store))
        answer = api.request(method, path, json=sent, headers=who[user])
        assert answer.status_code == 403, (user, method, path, answer.text)
        assert f"user {user} (" in answer.json()["detail"], answer.text
        entries = log(store)[before:]
        assert entries and (entries[-1].actor, entries[-1].outcome) == (user, "refused"), path


def test_a_login_sent_by_another_sites_page_is_refused_and_audited(
    api: TestClient, store: Store
) -> None:
    one_time = identity.reset_password(store, "root", "pat")
    body = {"name": "pat", "password": one_time, "new_password": PASSWORD}
    forged = api.post("/api/v1/session", json=body, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "another site" in forged.json()["detail"]
    assert "set-cookie" not in forged.headers
    assert (log(store)[-1].action, log(store)[-1].target) == (
        "user.login",
        "origin https://evil.example",
    )
    same = api.post("/api/v1/session", json=body, headers={"Origin": LOCAL})
    assert same.status_code == 200


def test_behind_a_tls_proxy_on_this_machine_logins_from_the_public_address_are_accepted(
    store: Store, engine: Engine
) -> None:
    """Served by uvicorn as ``lfr serve`` does, behind a proxy on this machine that ends TLS
    and passes Host, X-Forwarded-Proto and X-Forwarded-For: the browser's Origin is the
    public HTTPS address, which the login's check must take as this server's; the cookie is
    secure; another site is still refused."""
    public = "https://lfr.force.example"
    proxied = {"Host": "lfr.force.example", "X-Forwarded-Proto": "https",
               "X-Forwarded-For": "203.0.113.9"}  # fmt: skip
    with served(create_app(store, engine)) as base:
        one_time = identity.reset_password(store, "root", "pat")
        body = {"name": "pat", "password": one_time, "new_password": PASSWORD}
        forged = httpx.post(f"{base}/api/v1/session", json=body,
                            headers=proxied | {"Origin": "https://evil.example"})  # fmt: skip
        assert forged.status_code == 403
        answer = httpx.post(f"{base}/api/v1/session", json=body,
                            headers=proxied | {"Origin": public})  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert "secure" in answer.headers["set-cookie"].lower().split("; ")
