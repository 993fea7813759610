"""The API over a staffed store on each backend, driven in process (TestClient on the
loopback address, so cookies are as a local console gets them)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openlfr.api import create_app
from openlfr.api.app import server as served_by
from openlfr.services import identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.services.conftest import STAFF, clock, store

__all__ = ["clock", "store"]  # the services' fixtures, for these tests too

LOCAL = "http://127.0.0.1"
PASSWORD = "correct horse battery staple"  # each user's own, chosen at their first login


@dataclass
class Browser:
    """A client logged in by cookie, as the console is: it sends the CSRF token it was given
    only when a test asks it to."""

    client: TestClient
    csrf: str

    @property
    def guarded(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


@pytest.fixture
def api(store: Store, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(store, engine), base_url=LOCAL) as client:
        yield client


def first_login(client: TestClient, store: Store, name: str) -> Browser:
    """``name`` logs in for the first time through the API (a one-time password from an
    admin, then their own), keeping the session cookie."""
    one_time = identity.reset_password(store, "root", name)
    body = {"name": name, "password": one_time, "new_password": PASSWORD}
    answer = client.post("/api/v1/session", json=body)
    assert answer.status_code == 200, answer.text
    return Browser(client, answer.json()["csrf"])


def bearer(store: Store, name: str) -> dict[str, str]:
    """The Authorization header of a fresh session of ``name`` (logged in through the
    service, as an API client's script would through POST /session)."""
    one_time = identity.reset_password(store, "root", name)
    token = identity.login(store, name, one_time, PASSWORD).token
    return {"Authorization": f"Bearer {token}"}


def everyone(store: Store) -> dict[str, dict[str, str]]:
    """A bearer header for root and each of the staff."""
    return {name: bearer(store, name) for name in ["root", *STAFF]}


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in this process; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = served_by(app, "127.0.0.1", port)  # as `lfr serve` serves it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
