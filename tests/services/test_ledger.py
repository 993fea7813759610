"""Rows held to the audit log, by an insider with the database but not the master key: earlier
copies of rows put back, rows moved, counts inflated, evidence and keys deleted, times stored
in another form (issue 28, findings 1 to 5; the guards' definitions are in store/test_audit).
Each attack is refused where the row is read, and named by ``lfr audit verify``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from openlfr.domain.alert import Adjudication, Outcome
from openlfr.domain.roles import User
from openlfr.reporting.render import Format
from openlfr.services import alerts, audit, deployments, identity, records, reports, users
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import RowEditedError
from openlfr.store.keys import KeyStoreError
from openlfr.store.passwords import fast_digest
from openlfr.store.tables import alerts as alert_rows
from openlfr.store.tables import credentials, tokens
from openlfr.store.tables import users as user_rows
from openlfr.vision.engine import Engine
from tests.domain.factories import application
from tests.services.conftest import (
    Clock,
    enrol,
    findings,
    live_alert,
    live_deployment,
    reported_deployment,
)
from tests.services.test_integrity import tamper

PASSWORD = "a long enough test password"


def copy_row(store: Store, table: sa.Table, where: Any) -> dict[str, Any]:
    """An insider's copy of a row as it stands, MAC included."""
    with store.db.engine.connect() as connection:
        return dict(connection.execute(sa.select(table).where(where)).one()._mapping)


def put_back(store: Store, table: sa.Table, row: dict[str, Any]) -> None:
    """The insider writes the copy back over the row, every column as it was."""
    key = sa.and_(*(c == row[c.name] for c in table.primary_key.columns))
    with store.db.engine.begin() as connection:
        connection.execute(table.update().where(key).values(**row))


def user_with_password(store: Store, name: str) -> None:
    added = users.add_user(store, "root", name, ["planner"])
    identity.login(store, name, added.one_time_password, PASSWORD)


def test_a_session_logged_out_then_put_back_is_refused(store: Store) -> None:
    user_with_password(store, "kim")
    session = identity.login(store, "kim", PASSWORD)
    kept = copy_row(store, tokens, tokens.c.digest == fast_digest(session.token))
    identity.logout(store, session.token)
    put_back(store, tokens, kept)
    with pytest.raises(RowEditedError, match=r"tokens row \d+ is not as audit entry \d+ left it"):
        identity.authenticate(store, session.token)
    assert f"tokens {kept['id']}" in findings(store)


def test_a_deactivated_user_put_back_active_is_refused(store: Store) -> None:
    user_with_password(store, "kim")
    kept = copy_row(store, user_rows, user_rows.c.name == "kim")
    users.set_active(store, "root", "kim", False)
    put_back(store, user_rows, kept)
    with pytest.raises(RowEditedError, match=r"users row \d+ is not as audit entry"):
        identity.login(store, "kim", PASSWORD)
    assert f"users {kept['id']}" in findings(store)


def test_a_reset_password_put_back_does_not_log_in(store: Store) -> None:
    user_with_password(store, "kim")
    with store.reading() as session:
        kim = session.scalars(sa.select(User).where(user_rows.c.name == "kim")).one()
    kept = copy_row(store, credentials, credentials.c.user_id == kim.id)
    identity.reset_password(store, "root", "kim")
    put_back(store, credentials, kept)
    with pytest.raises(RowEditedError, match=r"credentials row \d+ is not as audit entry"):
        identity.login(store, "kim", PASSWORD)
    assert f"credentials {kim.id}" in findings(store)


def test_a_verdict_put_back_is_neither_built_on_nor_published(
    store: Store, engine: Engine, clock: Clock
) -> None:
    """The log says confirmed false; an earlier copy of the alert says confirmed true, arrested."""
    deployment_id, alert = live_alert(store, engine, clock)
    ident = alert.id or 0
    alerts.adjudicate(store, "omar", ident, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    kept = copy_row(store, alert_rows, alert_rows.c.id == ident)
    deployments.close(store, "omar", deployment_id)
    alerts.correct(store, "ada", ident, Adjudication.CONFIRMED_FALSE,
                   Outcome.ENGAGED_NO_FURTHER_ACTION, "", "not him")  # fmt: skip
    put_back(store, alert_rows, kept)
    assert f"alerts {ident}" in findings(store)
    with pytest.raises(RowEditedError, match=f"alerts row {ident} is not as audit entry"):
        records.deployment_facts(store, "olu", deployment_id)
    with pytest.raises(RowEditedError, match=f"alerts row {ident} is not as audit entry"):
        alerts.correct(
            store, "ada", ident, Adjudication.UNABLE_TO_CONFIRM, Outcome.NOT_ENGAGED, "", "again"
        )


def test_a_photo_moved_to_another_subject_is_refused_at_compile(
    store: Store, engine: Engine
) -> None:
    enrol(store, engine, "Aaron_Eckhart")
    enrol(store, engine, "Angelina_Jolie", sex="female")
    tamper(store, "UPDATE reference_images SET subject_id = 3 - subject_id")
    d = deployments.request(store, "pat", application())
    deployments.authorise(store, "olu", d.id or 0)
    with pytest.raises(RowEditedError, match=r"reference_images row \d+ was changed outside"):
        deployments.compile_watchlist(store, "pat", d.id or 0)
    assert {"reference_images 1", "reference_images 2"} <= set(findings(store))


def test_a_watchlist_entry_moved_on_a_live_deployment_is_not_searched(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    tamper(store, "UPDATE watchlist_entries SET subject_id = 3 - subject_id")
    with pytest.raises(RowEditedError, match=r"watchlist_entries row \d+ was changed outside"):
        alerts.load_watchlist(store, d.id or 0)
    with pytest.raises(RowEditedError, match=r"watchlist_entries row 1 was changed outside"):
        alerts.raise_alert(store, d.id or 0, 1, "van-1-north", b"crop", 0.9)


def test_faces_seen_inflated_is_not_published(store: Store, engine: Engine, clock: Clock) -> None:
    d = reported_deployment(store, engine, clock)
    tamper(store, "UPDATE camera_counts SET tracks = 44000")
    with pytest.raises(RowEditedError, match=r"camera_counts row .* was changed outside"):
        records.deployment_facts(store, "olu", d.id or 0)
    assert [f for f in findings(store) if f.startswith("camera_counts")] != []


def test_alert_images_deleted_before_their_time_are_named(
    store: Store, engine: Engine, clock: Clock
) -> None:
    _, alert = live_alert(store, engine, clock)
    tamper(store, "DELETE FROM alert_biometrics")
    with pytest.raises(RowEditedError, match=f"the images of alert {alert.id} are gone"):
        alerts.view_biometrics(store, "omar", alert.id or 0)
    verdict = store_verdict(store)
    assert f"alert_biometrics {alert.id}: deleted outside openlfr" in verdict


def test_an_alert_key_deleted_before_its_time_is_named(
    store: Store, engine: Engine, clock: Clock
) -> None:
    deployment_id, alert = live_alert(store, engine, clock)
    tamper(store, "DELETE FROM data_keys WHERE scope = :s", s=f"alerts:{deployment_id}")
    with pytest.raises(KeyStoreError, match=f"the key of alerts:{deployment_id} is destroyed"):
        alerts.view_biometrics(store, "omar", alert.id or 0)
    assert f"data_keys alerts:{deployment_id}: deleted outside openlfr" in store_verdict(store)


def store_verdict(store: Store) -> str:
    """What ``lfr audit verify`` says of the rows, a line each."""
    return "\n".join(str(r) for r in audit.verify(store, "ada").rows)


@pytest.mark.parametrize("scope", ["audit", "integrity"])
def test_a_deleted_installation_key_is_never_remade(store: Store, scope: str) -> None:
    tamper(store, "DELETE FROM data_keys WHERE scope = :s", s=scope)
    restore = f"installation's {scope} key is missing .* restore the database from its backup"
    with pytest.raises(KeyStoreError, match=restore):
        users.add_user(store, "root", "kim", ["planner"])
    if scope == "integrity":  # every read checks rows with it: the store does not open
        with pytest.raises(KeyStoreError, match=restore):
            Store(store.settings)
    with store.db.engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT scope FROM data_keys").scalars().all()
    assert scope not in left, "a new key would hide what the old one signed"


def test_a_time_stored_in_another_form_is_found(
    store: Store, engine: Engine, clock: Clock, database_url: str
) -> None:
    """SQLite compares the text it stores: a start time written with an offset drops the
    deployment out of the period reports, though it parses to the same instant."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL stores times as typed values, in one form")
    d = live_deployment(store, engine, clock)
    tamper(store, "UPDATE deployments SET started_at = started_at || '+00:00'")
    assert f"deployments {d.id}: holds a value openlfr does not write" in store_verdict(store)
    with pytest.raises(RowEditedError, match="is not in the form openlfr writes"):
        deployments.get(store, "olu", d.id or 0)
    with pytest.raises(RowEditedError):
        reports.transparency_report(store, "olu", date(2026, 1, 1), date(2027, 12, 31), Format.JSON)
