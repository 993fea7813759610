"""Rows edited outside openlfr, by someone with the database but not the master key: each
attack from the hardening issue, on each backend. ``audit verify`` lists the edited rows, and
no action builds on one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openlfr.domain.alert import Adjudication, Outcome
from openlfr.domain.errors import DomainError
from openlfr.services import alerts, audit, deployments, identity, users
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import RowEditedError
from openlfr.store.passwords import fast_digest
from openlfr.vision.engine import Engine
from tests.services.conftest import Clock, findings, live_alert, live_deployment

PASSWORD = "a long enough test password"
STORED = "%Y-%m-%d %H:%M:%S.%f"  # a time as openlfr stores it on SQLite (UTC)


def tamper(store: Store, statement: str, **values: object) -> None:
    """What an insider does with sqlite3 or psql: SQL straight at the database."""
    with store.db.engine.begin() as connection:
        connection.execute(sa.text(statement), values)


def edited(store: Store) -> tuple[str, ...]:
    return findings(store)


def test_the_honest_lifecycle_leaves_every_row_matching(
    store: Store, engine: Engine, clock: Clock
) -> None:
    deployment_id, alert = live_alert(store, engine, clock)
    alerts.adjudicate(store, "omar", alert.id or 0, Adjudication.CONFIRMED_FALSE, None, "not him")
    deployments.close(store, "omar", deployment_id)
    users.set_active(store, "root", "pat", False)
    verdict = audit.verify(store, "ada", None)
    assert verdict.intact and verdict.rows == ()


def test_an_alert_marked_confirmed_outside_openlfr(
    store: Store, engine: Engine, clock: Clock
) -> None:
    _, alert = live_alert(store, engine, clock)
    tamper(
        store,
        "UPDATE alerts SET adjudication = 'confirmed_true', outcome = 'arrested' WHERE id = :i",
        i=alert.id,
    )
    assert edited(store) == (f"alerts {alert.id}",)
    with pytest.raises(RowEditedError, match=f"alerts row {alert.id} was changed outside"):
        alerts.adjudicate(store, "omar", alert.id or 0, Adjudication.CONFIRMED_FALSE, None, "")
    with pytest.raises(RowEditedError):
        alerts.list_alerts(store, "omar", None)


def test_a_user_given_the_admin_role_outside_openlfr(store: Store) -> None:
    tamper(store, """UPDATE users SET roles = '["admin"]' WHERE name = 'pat'""")
    with pytest.raises(RowEditedError, match=r"users row \d+ was changed outside openlfr"):
        users.add_user(store, "pat", "eve", ["admin"])
    assert [u for u in edited(store) if u.startswith("users")] == ["users 2"]


def test_a_mac_replaced_by_non_ascii_text_is_an_edited_row_not_a_crash(store: Store) -> None:
    tamper(store, "UPDATE users SET mac = :m WHERE name = 'pat'", m="\u00e9" * 64)
    assert [u for u in edited(store) if u.startswith("users")] == ["users 2"]
    with pytest.raises(RowEditedError):
        users.add_user(store, "pat", "eve", ["admin"])


def test_a_live_deployments_window_and_threshold_widened(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    tamper(
        store,
        "UPDATE deployments SET ends_at = :e, threshold = 0.01 WHERE id = :i",
        e="2036-01-01 00:00:00.000000",
        i=d.id,
    )
    assert edited(store) == (f"deployments {d.id}",)
    with pytest.raises(RowEditedError, match=f"deployments row {d.id}"):
        alerts.raise_alert(store, d.id or 0, 1, "van-1-north", b"crop", 0.02)


def test_a_password_digest_copied_onto_the_admin(store: Store) -> None:
    """pat knows their own password; copying its digest onto root's row would let pat log in
    as root."""
    added = users.add_user(store, "root", "kim", ["planner"])
    identity.login(store, "kim", added.one_time_password, PASSWORD)
    tamper(
        store,
        "UPDATE credentials SET digest = (SELECT digest FROM credentials c "
        "JOIN users u ON u.id = c.user_id WHERE u.name = 'kim'), one_time = :f "
        "WHERE user_id = (SELECT id FROM users WHERE name = 'root')",
        f=False,
    )
    with pytest.raises(RowEditedError, match=r"credentials row \d+ was changed outside"):
        identity.login(store, "root", PASSWORD)
    assert [r for r in edited(store) if r.startswith("credentials")] == ["credentials 1"]


def test_a_session_forged_for_the_admin(store: Store, clock: Clock) -> None:
    tamper(
        store,
        "INSERT INTO tokens (user_id, digest, kind, created_at, expires_at) "
        "VALUES (1, :d, 'session', :c, :e)",
        d=fast_digest("lfr_forged"),
        c=clock.now.strftime(STORED),
        e=clock.now.replace(year=clock.now.year + 1).strftime(STORED),
    )
    with pytest.raises(RowEditedError, match=r"tokens row \d+ was changed outside"):
        identity.authenticate(store, "lfr_forged")


def test_an_edited_row_is_refused_not_laundered_by_the_next_change(store: Store) -> None:
    tamper(store, "UPDATE users SET active = :f WHERE name = 'pat'", f=False)
    with pytest.raises(RowEditedError):
        users.set_active(store, "root", "pat", True)
    assert "users 2" in edited(store)
    with pytest.raises(DomainError):  # ada is an auditor, not an admin: refused as before
        users.set_active(store, "ada", "olu", False)


def test_adjudication_values_survive_a_round_trip(
    store: Store, engine: Engine, clock: Clock
) -> None:
    _, alert = live_alert(store, engine, clock)
    done = alerts.adjudicate(
        store, "omar", alert.id or 0, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, ""
    )
    assert done.adjudication == Adjudication.CONFIRMED_TRUE
    assert edited(store) == ()


def test_a_watchlist_composition_edited_outside_openlfr(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    assert d.watchlist_composition == {"male": {"white": 1}, "female": {"white": 1}}
    tamper(store, """UPDATE deployments SET watchlist_composition = '{"male": {"white": 2}}'
                     WHERE id = :i""", i=d.id)  # fmt: skip
    assert edited(store) == (f"deployments {d.id}",)
