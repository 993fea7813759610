"""The API's safeguards, attacked: no session, a wrong role, a forged or missing CSRF token, an
ended or revoked token, guessed passwords, oversized bodies; every refusal that matters is in
the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openlfr.api import create_app
from openlfr.api.security import COOKIE
from openlfr.errors import LfrError
from openlfr.services import counts, deployments, identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import LOCAL, PASSWORD, bearer, everyone, first_login, served
from tests.domain import factories
from tests.services.conftest import Clock, live_alert, live_deployment, log

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
    asked = ({"days": 1, "password": PASSWORD}, {"password": PASSWORD})
    made = [api.post("/api/v1/tokens", json=body, headers=pat) for body in asked]
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
    assert isinstance(api.app, FastAPI)
    clock.advance(minutes=1)
    api.app.state.token_attempts.summarise()  # as the server does each minute
    refused = [e for e in log(store) if e.action == "user.authenticate"]
    assert [(e.target, e.outcome) for e in refused] == [("address testclient", "refused")]
    assert "4 refused from testclient" in refused[0].detail


def test_a_token_lasts_no_longer_than_api_token_days(api: TestClient, store: Store) -> None:
    body = {"days": 400, "password": PASSWORD}
    answer = api.post("/api/v1/tokens", json=body, headers=bearer(store, "pat"))
    assert answer.status_code == 400 and "api_token_days" in answer.json()["detail"]


def test_a_token_needs_the_password_again_not_a_session_alone(
    api: TestClient, store: Store
) -> None:
    pat = bearer(store, "pat")
    assert api.post("/api/v1/tokens", json={}, headers=pat).status_code == 422
    answer = api.post("/api/v1/tokens", json={"password": "a guess at it"}, headers=pat)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "that is not the password of pat: no token made"
    assert api.get("/api/v1/tokens", headers=pat).json() == []


def test_a_login_ends_the_session_of_the_cookie_it_replaces(api: TestClient, store: Store) -> None:
    first_login(api, store, "omar")
    held = api.cookies.get(COOKIE)
    elsewhere = identity.login(store, "omar", PASSWORD).token  # another client's session
    answer = api.post("/api/v1/session", json={"name": "omar", "password": PASSWORD})
    assert answer.status_code == 200 and api.cookies.get(COOKIE) != held
    with pytest.raises(LfrError, match="this session has ended"):
        identity.authenticate(store, str(held))
    assert identity.authenticate(store, elsewhere) == "omar"
    assert api.get("/api/v1/me").json()["user"] == "omar"


def test_a_wrong_password_makes_the_name_wait_and_the_refusal_says_how_long(
    api: TestClient, store: Store, clock: Clock
) -> None:
    """Not a lock anyone can set: the right password logs in once the wait is over."""
    first_login(api, store, "omar")
    api.cookies.clear()
    wrong = {"name": "omar", "password": "not the password at all"}
    right = {"name": "omar", "password": PASSWORD}
    assert api.post("/api/v1/session", json=wrong).status_code == 401
    early = api.post("/api/v1/session", json=right)
    assert early.status_code == 429 and early.headers["Retry-After"] == "1"
    assert early.json()["detail"] == "1 wrong passwords for omar in a row: try again in 1 s"
    assert [(e.action, e.outcome) for e in log(store)[-2:]] == [
        ("user.login", "refused"),
        ("user.login_early", "refused"),
    ]
    clock.advance(seconds=1)
    assert api.post("/api/v1/session", json=right).status_code == 200


def test_the_console_login_form_says_the_wait(api: TestClient, store: Store, clock: Clock) -> None:
    first_login(api, store, "omar")
    api.cookies.clear()
    wrong = api.post("/login", data={"name": "omar", "password": "not the password at all"})
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    early = api.post("/login", data={"name": "omar", "password": PASSWORD})
    assert early.status_code == 429 and "try again in 1 s" in early.text
    clock.advance(seconds=1)
    answer = api.post("/login", data={"name": "omar", "password": PASSWORD},
                      follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/console"


def test_wrong_passwords_from_one_address_make_it_wait_audited_a_minute_at_a_time(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """Guesses across names: each name waits after its own wrong password, and the address
    after a few; its refusals are one audit entry, not one a request."""
    with TestClient(create_app(store, engine), base_url=LOCAL) as api:
        guesses = [{"name": f"name{k}", "password": "guess number one"} for k in range(40)]
        answers = [api.post("/api/v1/session", json=g) for g in guesses]
        assert [a.status_code for a in answers] == [401] * 6 + [429] * 34
        assert answers[-1].headers["Retry-After"] == "1"
        assert "too many failed tries from testclient" in answers[-1].json()["detail"]
        clock.advance(seconds=1)
        assert api.post("/api/v1/session", json=guesses[0]).status_code == 401
        assert api.post("/api/v1/session", json=guesses[1]).status_code == 429  # now 2 s
        logged = log(store)
    after = log(store)[len(logged) :]  # the server stopped: what it had not yet audited
    assert [(e.action, e.target) for e in after] == [("user.login", "address testclient")]
    assert "35 refused from testclient" in after[0].detail


def test_bogus_bearer_tokens_make_their_address_wait_audited_a_minute_at_a_time(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """300 bogus tokens once wrote 300 permanent audit entries in 2.1 s."""
    pat = bearer(store, "pat")
    before = len(log(store))
    with TestClient(create_app(store, engine), base_url=LOCAL) as api:
        answers = [api.get("/api/v1/me", headers={"Authorization": f"Bearer bogus-{k}"})
                   for k in range(300)]  # fmt: skip
        assert [a.status_code for a in answers] == [401] * 11 + [429] * 289
        assert answers[-1].headers["Retry-After"] == "1"
        assert len(log(store)) == before  # nothing yet: a summary a minute
        assert api.get("/api/v1/me", headers=pat).status_code == 429  # the address waits
        clock.advance(seconds=1)
        assert api.get("/api/v1/me", headers=pat).json()["user"] == "pat"
    after = log(store)[before:]
    assert [(e.action, e.target, e.outcome) for e in after] == [
        ("user.authenticate", "address testclient", "refused")
    ]
    assert "301 refused from testclient" in after[0].detail
    assert "this session has ended" in after[0].detail  # the first refusal's reason


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


@pytest.mark.parametrize("path", ["/api/v1/session", "/api/v1/me/password", "/login"])
def test_a_login_body_of_more_than_a_few_kilobytes_is_refused_before_it_is_read(
    api: TestClient, path: str
) -> None:
    """Anyone may post a login: six 120 MB ones at once once took the server to 1.4 GB."""
    padded = {"name": "pat", "password": "x" * 5000}
    declared = api.post(path, json=padded)
    assert declared.status_code == 413 and "at most 4,096 bytes" in declared.json()["detail"]

    form = api.post(path, data={"name": "pat", "password": "x" * 5000})
    assert form.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"name=pat&password="
        for _ in range(1000):
            yield b"x" * 1000

    kind = "application/x-www-form-urlencoded" if path == "/login" else "application/json"
    streamed = api.post(path, content=chunks(), headers={"Content-Type": kind})
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
    """Served by uvicorn as ``lfr serve`` does, behind a proxy on this machine (configured in
    trusted_proxies) that ends TLS and passes Host, X-Forwarded-Proto and X-Forwarded-For: the
    browser's Origin is the public HTTPS address, which the login's check must take as this
    server's; the cookie is secure; another site is still refused."""
    store.settings.trusted_proxies = ["127.0.0.1"]
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


def test_metrics_say_nothing_of_a_deployment_authorised_to_run_without_notice(
    api: TestClient, store: Store, engine: Engine, clock: Clock
) -> None:
    """/metrics needs no login: a deployment the public was not told of must not show there."""
    announced = live_deployment(store, engine, clock)
    unannounced = {"without_notice": True, "without_notice_justification": "Threat to life",
                   "starts_at": clock.now, "ends_at": clock.now + timedelta(hours=4),
                   "cameras": ["van-1-south"]}  # fmt: skip
    d = deployments.request(store, "pat", factories.application(**unannounced))
    assert announced.id is not None and d.id is not None
    deployments.authorise(store, "olu", d.id)
    deployments.compile_watchlist(store, "pat", d.id)
    deployments.approve(store, "olu", d.id)
    deployments.start(store, "omar", d.id, signs_up=False)
    seen = {"frames": 900, "faces": 40, "below_gate": 3, "tracks": 9, "alerts": 2}
    hour = clock.now.replace(minute=0, second=0, microsecond=0)
    for ident, camera in ((announced.id, "van-1-north"), (d.id, "van-1-south")):
        counts.record_counts(store, ident, camera, hour, seen)
    shown = api.get("/metrics")
    assert shown.status_code == 200
    assert f'lfr_alerts{{camera="van-1-north",deployment="{announced.id}"}} 2.0' in shown.text
    assert f'deployment="{d.id}"' not in shown.text and "van-1-south" not in shown.text


def test_forwarded_headers_are_ignored_from_an_address_not_a_trusted_proxy(
    store: Store, engine: Engine
) -> None:
    """Served as ``lfr serve`` does with no trusted_proxies: a caller on this machine who
    claims another address in each login is still throttled as the address it is, and one
    who claims HTTPS is not taken as the public site."""
    with served(create_app(store, engine)) as base:
        codes = [
            httpx.post(f"{base}/api/v1/session",
                       json={"name": f"name{k}", "password": "guess number one"},
                       headers={"X-Forwarded-For": f"198.51.100.{k}"}).status_code
            for k in range(25)
        ]  # fmt: skip
        assert 429 in codes, codes
        claimed = {"Host": "lfr.force.example", "X-Forwarded-Proto": "https",
                   "Origin": "https://lfr.force.example"}  # fmt: skip
        answer = httpx.post(f"{base}/api/v1/session", headers=claimed,
                            json={"name": "pat", "password": "guess number one"})  # fmt: skip
        assert answer.status_code == 403 and "another site" in answer.json()["detail"]
    addresses = {e.target for e in log(store) if e.target.startswith("address ")}
    assert addresses == {"address 127.0.0.1"}
