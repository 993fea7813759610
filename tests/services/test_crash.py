"""Kill the process in the middle of raising an alert and of closing a deployment."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from openlfr.domain.deployment import State
from openlfr.domain.errors import DomainError
from openlfr.services import alerts, audit, deployments, housekeeping
from openlfr.services.unit_of_work import Store
from openlfr.store.tables import (
    alert_biometrics,
    data_keys,
    watchlist_entries,
)
from openlfr.store.tables import (
    alerts as alert_rows,
)
from openlfr.vision.engine import Engine
from tests.conftest import REPO
from tests.services.conftest import Clock, count, live_deployment, log


def crash(store: Store, clock: Clock, sql: str, n: int, operation: str, deployment: int) -> None:
    """Run ``operation`` in another process, killed at the n-th statement starting with sql."""
    url = store.db.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "tests.services.crashing", str(store.settings.data_dir),
         str(store.settings.key_file), url,
         clock.now.isoformat(), sql, str(n), operation, str(deployment)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr


def scopes(store: Store) -> set[str]:
    with store.reading() as session:
        return set(session.scalars(sa.select(data_keys.c.scope)))


@pytest.mark.parametrize(
    ("sql", "n"),
    [("INSERT INTO ALERTS", 1), ("INSERT INTO ALERT_BIOMETRICS", 1), ("INSERT INTO AUDIT_LOG", 1)],
    ids=["before the alert row", "before its biometrics", "before its audit entry"],
)
def test_killed_while_raising_an_alert_leaves_no_trace(
    store: Store, engine: Engine, clock: Clock, sql: str, n: int
) -> None:
    d = live_deployment(store, engine, clock)
    entries = len(log(store))
    crash(store, clock, sql, n, "raise", d.id or 0)
    assert count(store, alert_rows) == 0 and count(store, alert_biometrics) == 0
    assert len(log(store)) == entries and audit.verify(store, "ada").intact
    # The deployment carries on: the next alert is raised whole.
    a = alerts.raise_alert(store, d.id or 0, 1, "van-1-north", b"crop", 0.9)
    assert alerts.view_biometrics(store, "omar", a.id or 0)[0] == b"crop"


@pytest.mark.parametrize(
    ("sql", "n"),
    [
        ("DELETE FROM WATCHLIST_ENTRIES", 1),
        ("DELETE FROM DATA_KEYS", 1),
        ("UPDATE DEPLOYMENTS", 3),  # after the close request's row and its MAC
        ("INSERT INTO AUDIT_LOG", 2),
    ],
    ids=["destroying the watchlist", "destroying the key", "marking it closed", "auditing it"],
)
def test_killed_while_closing_the_close_completes_on_restart(
    store: Store, engine: Engine, clock: Clock, sql: str, n: int
) -> None:
    d = live_deployment(store, engine, clock)
    assert d.id is not None
    crash(store, clock, sql, n, "close", d.id)
    interrupted = deployments.get(store, "pat", d.id)
    assert interrupted.state == State.LIVE and interrupted.close_requested_by == "omar"
    with pytest.raises(DomainError, match="not live"):  # no alert once a close is requested
        alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.9)
    assert count(store, watchlist_entries) == 2 and f"deployment:{d.id}" in scopes(store)

    assert housekeeping.run(store).closed == [d.id]  # what every restart runs first
    closed = deployments.get(store, "pat", d.id)
    assert closed.state == State.CLOSED and closed.closed_at == clock.now
    assert count(store, watchlist_entries) == 0 and f"deployment:{d.id}" not in scopes(store)
    assert [e.action for e in log(store)].count("deployment.close") == 1
    assert audit.verify(store, "ada").intact


def test_killed_before_the_close_request_commits_stays_live(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    crash(store, clock, "UPDATE DEPLOYMENTS", 1, "close", d.id or 0)
    assert housekeeping.run(store).closed == []
    assert deployments.get(store, "pat", d.id or 0).state == State.LIVE
    assert deployments.close(store, "omar", d.id or 0).state == State.CLOSED
