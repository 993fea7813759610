"""A reader at close (issue 28, finding 7): another process holding a read snapshot of the
SQLite file while a deployment closes. The close waits for it within a deadline, then says
the truth: shredded, or pending and finished by housekeeping; never an error for a close that
happened. (PostgreSQL rewrites its tables instead of a WAL: tests/services/test_governance.)"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openlfr.api import create_app
from openlfr.domain.deployment import State
from openlfr.services import deployments, housekeeping, shredding
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import bearer
from tests.services.conftest import Clock, live_deployment, log, raw_bytes, staffed_store
from tests.services.test_governance import leftovers, sealed_values

# A second process that reads the database and holds its snapshot until told to let go.
READER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM data_keys").fetchone()
print("reading", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    store = staffed_store(tmp_path, None, clock)
    yield store
    store.close()


class Reader:
    """The second process, reading: ``release()`` ends its read transaction and the process."""

    def __init__(self, store: Store) -> None:
        database = store.db.engine.url.database or ""
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, database],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdout.readline() == "reading\n"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("done\n")
        self.process.stdin.flush()
        assert self.process.wait(30) == 0


def until(condition: Callable[[], bool], within: float = 60.0) -> None:
    give_up = time.monotonic() + within
    while not condition():
        assert time.monotonic() < give_up, "the condition never held"
        time.sleep(0.02)


def state(store: Store, ident: int) -> State:
    return deployments.get(store, "pat", ident).state


def test_a_close_waits_for_a_reader_and_shreds_once_it_is_gone(
    sqlite_store: Store, engine: Engine, clock: Clock
) -> None:
    store = sqlite_store
    d = live_deployment(store, engine, clock)
    ident = d.id or 0
    secrets = sealed_values(store, ident)
    reader = Reader(store)
    closing: dict[str, object] = {}

    def close() -> None:
        try:
            closing["closed"] = deployments.close(store, "omar", ident)
        except Exception as exc:  # what the close would have said instead, for the assertion
            closing["error"] = exc

    thread = threading.Thread(target=close)
    thread.start()
    # The close is under way (requested, waiting on the reader) when the reader lets go.
    until(lambda: any(e.action == "deployment.close_requested" for e in log(store)))
    assert thread.is_alive()
    reader.release()
    thread.join(120)
    assert "error" not in closing, closing.get("error")
    assert state(store, ident) == State.CLOSED and not shredding.pending(store)
    assert leftovers(secrets, raw_bytes(store)) == 0
    assert not any(e.action == "database.shredding_pending" for e in log(store))


def test_a_reader_past_the_deadline_leaves_the_shredding_pending_and_housekeeping_finishes_it(
    sqlite_store: Store, engine: Engine, clock: Clock
) -> None:
    store = sqlite_store
    store.db.shred_patience = 1.0
    d = live_deployment(store, engine, clock)
    ident = d.id or 0
    secrets = sealed_values(store, ident)
    reader = Reader(store)
    try:
        with TestClient(create_app(store, engine), base_url="http://127.0.0.1") as api:
            closed = api.post(f"/api/v1/deployments/{ident}/close", headers=bearer(store, "omar"))
        # No error: the close happened, and the answer says the shredding is pending.
        assert closed.status_code == 200 and closed.json()["state"] == "closed"
        assert closed.headers["shredding"] == "pending" and shredding.pending(store)
        entry = log(store)[-1]
        assert (entry.actor, entry.action, entry.target) == (
            "system", "database.shredding_pending", f"deployment {ident}"
        )  # fmt: skip
        assert json.loads(entry.detail)["finished_by"] == "housekeeping"
        # The truth: the old pages are still in the file while the reader holds them.
        assert leftovers(secrets, raw_bytes(store)) > 0
        assert housekeeping.run(store).shredded is False  # the reader is still there
        assert shredding.pending(store)
    finally:
        reader.release()
    assert housekeeping.run(store).shredded is True
    assert log(store)[-1].action == "database.shredded" and not shredding.pending(store)
    assert leftovers(secrets, raw_bytes(store)) == 0
    assert housekeeping.run(store).shredded is False  # nothing left to finish
    # The close is not run again, and says so plainly.
    with pytest.raises(Exception, match="closed"):
        deployments.close(store, "omar", ident)
