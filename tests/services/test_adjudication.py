"""Verdicts never overwritten (issue 28, findings 10 and 13): a second handset or a stale view
is refused, a verdict changes only by amending it (running) or correcting it (closed), and
every write of an alert bumps its version; on each backend."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.domain.alert import Adjudication, Disposal, Outcome
from openlfr.domain.errors import DomainError
from openlfr.services import alerts, audit, deployments, housekeeping, users
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.services.conftest import Clock, live_alert, log

TRUE, FALSE = Adjudication.CONFIRMED_TRUE, Adjudication.CONFIRMED_FALSE


def stored(store: Store, alert_id: int) -> Any:
    """The alert's row as the database holds it."""
    with store.db.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT adjudication, outcome, adjudicated_by, version FROM alerts "
                    "WHERE id = :i"), {"i": alert_id},
        ).one()  # fmt: skip
    return tuple(row)


def test_a_second_handset_does_not_overwrite_a_verdict(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """Finding 10: two handsets show the alert (version 1); the first says confirmed_true,
    arrested; the second's confirmed_false, posted from its stale view, is refused."""
    users.add_user(store, "root", "olive", ["operator"])
    _, a = live_alert(store, engine, clock)
    ident = a.id or 0
    assert a.version == 1
    alerts.adjudicate(store, "omar", ident, TRUE, Outcome.ARRESTED, seen=1)
    with pytest.raises(DomainError, match=rf"alert {ident} has changed since it was seen "
                       r"\(version 1, now 2: confirmed_true, arrested by omar\)"):  # fmt: skip
        alerts.adjudicate(store, "olive", ident, FALSE, seen=1)
    with pytest.raises(DomainError, match=r"already adjudicated.*amend it with a reason"):
        alerts.adjudicate(store, "olive", ident, FALSE)  # no version named: still refused
    assert (log(store)[-1].action, log(store)[-1].outcome) == ("alert.adjudicate", "refused")
    assert stored(store, ident) == ("confirmed_true", "arrested", "omar", 2)
    assert audit.verify(store, "ada").intact


def test_an_amendment_is_explicit_reasoned_and_audited_before_and_after(
    store: Store, engine: Engine, clock: Clock
) -> None:
    users.add_user(store, "root", "olive", ["operator"])
    deployment_id, a = live_alert(store, engine, clock)
    ident = a.id or 0
    alerts.adjudicate(store, "omar", ident, TRUE, Outcome.NOT_ENGAGED, seen=1)
    with pytest.raises(DomainError, match="changed since it was seen"):
        alerts.amend(store, "olive", ident, FALSE, None, "", "not him", seen=1)
    clock.advance(minutes=3)
    amended = alerts.amend(
        store, "olive", ident, FALSE, Outcome.ENGAGED_NO_FURTHER_ACTION, "", "spoke to him",
        seen=2,
    )  # fmt: skip
    assert (amended.adjudicated_by, amended.version) == ("olive", 3)
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.target) == ("olive", "alert.amend", f"alert {ident}")
    assert json.loads(entry.detail) == {
        "adjudication": "confirmed_true -> confirmed_false",
        "outcome": "not_engaged -> engaged_no_further_action",
        "adjudicated": "omar at 2026-11-23 14:00:00 UTC -> olive at 2026-11-23 14:03:00 UTC",
        "reason": "spoke to him",
    }
    deployments.close(store, "omar", deployment_id)
    with pytest.raises(DomainError, match="adjudication is final: an auditor corrects it"):
        alerts.amend(store, "omar", ident, TRUE, None, "", "on reflection", seen=3)
    assert stored(store, ident) == ("confirmed_false", "engaged_no_further_action", "olive", 3)


def test_every_write_of_an_alert_bumps_its_stored_version(
    store: Store, engine: Engine, clock: Clock
) -> None:
    deployment_id, a = live_alert(store, engine, clock)
    ident = a.id or 0
    alerts.adjudicate(store, "omar", ident, TRUE, Outcome.ARRESTED, seen=1)
    alerts.record_disposal(store, "omar", ident, Disposal.CHARGED)
    deployments.close(store, "omar", deployment_id)
    alerts.correct(store, "ada", ident, TRUE, Outcome.OTHER, "released", "custody record", seen=3)
    clock.advance(days=31)
    assert housekeeping.run(store).purged == [ident]
    assert stored(store, ident)[3] == 5
    assert audit.verify(store, "ada").intact


def test_only_an_adjudicated_alert_is_corrected_and_an_arrest_follows_a_confirmation(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """Finding 13: an auditor gave a verdict nobody gave, and left unable_to_confirm with
    arrested, which the published record counts as an arrest."""
    deployment_id, a = live_alert(store, engine, clock)
    ident = a.id or 0
    arrested = alerts.raise_alert(store, deployment_id, 1, "van-1-north", b"crop", 0.9)
    alerts.adjudicate(store, "omar", arrested.id or 0, TRUE, Outcome.ARRESTED)
    deployments.close(store, "omar", deployment_id)
    with pytest.raises(DomainError, match=f"alert {ident} was never adjudicated"):
        alerts.correct(store, "ada", ident, TRUE, Outcome.ARRESTED, "", "seen on CCTV")
    with pytest.raises(DomainError, match="an arrest follows a confirmed_true verdict only"):
        alerts.correct(store, "ada", arrested.id or 0, Adjudication.UNABLE_TO_CONFIRM, None, "",
                       "the image is poor")  # fmt: skip
    assert stored(store, ident)[:2] == ("unadjudicated", None)
    assert stored(store, arrested.id or 0)[:2] == ("confirmed_true", "arrested")


def test_two_handsets_at_the_same_moment_one_verdict_stands(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """The race: the first verdict's transaction has written the alert and not yet committed
    when the second, decided on the same version, reads it. The second waits for the first
    and is refused; it does not read the old version and overwrite the new."""
    users.add_user(store, "root", "olive", ["operator"])
    _, a = live_alert(store, engine, clock)
    ident = a.id or 0
    first = threading.Event()
    held, go = threading.Event(), threading.Event()

    def hold_the_first(session: Session) -> None:
        if threading.current_thread().name == "first" and not first.is_set():
            first.set()
            held.set()
            go.wait(60)

    results: dict[str, object] = {}

    def post(who: str, verdict: Adjudication) -> None:
        try:
            results[who] = alerts.adjudicate(store, who, ident, verdict, seen=1).adjudication
        except DomainError as exc:
            results[who] = str(exc)

    sa.event.listen(Session, "before_commit", hold_the_first)
    try:
        one = threading.Thread(target=post, args=("omar", TRUE), name="first")
        two = threading.Thread(target=post, args=("olive", FALSE), name="second")
        one.start()
        assert held.wait(60)
        two.start()
        _wait_until_blocked(store, two)
        go.set()
        one.join(60)
        two.join(60)
    finally:
        go.set()
        sa.event.remove(Session, "before_commit", hold_the_first)
    assert results["omar"] == TRUE
    assert "changed since it was seen" in str(results["olive"])
    assert stored(store, ident)[:3] == ("confirmed_true", None, "omar")


def _wait_until_blocked(store: Store, thread: threading.Thread) -> None:
    """Until ``thread``'s transaction waits on the first's lock (PostgreSQL shows it; SQLite's
    second writer waits to begin, which it cannot show: it is let go once it runs)."""
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up and thread.is_alive():
        if store.db.engine.dialect.name == "sqlite":
            return
        with store.db.engine.connect() as connection:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).scalar()
        if waiting:
            return
        time.sleep(0.01)
    pytest.fail("the second handset's transaction never waited for the first's")
