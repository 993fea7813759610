"""The audit chain: appended in the action's transaction, refused edits, tampering found."""

import itertools

import pytest
import sqlalchemy as sa

from openlfr.store import audit
from openlfr.store.db import Database
from tests.domain.factories import NOW

KEY = bytes(range(32))  # the installation's audit key (a data key in real use)


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


def fill(db: Database, n: int) -> None:
    for i in range(n):
        with db.transaction() as session:
            audit.append(
                session, KEY, NOW, "olu", "deployment.authorise", f"deployment {i}", "done",
                {"i": i},
            )  # fmt: skip


def test_chain_links_each_entry_to_the_last(db: Database) -> None:
    fill(db, 5)
    with db.transaction() as session:
        found = list(audit.entries(session))
        verdict = audit.verify(session, KEY, KEY)
    assert [e.seq for e in found] == [1, 2, 3, 4, 5]
    assert found[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(found))
    assert verdict.intact and verdict.checked == 5 and verdict.head == found[-1].hash


def test_entry_rolls_back_with_its_action(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        audit.append(session, KEY, NOW, "olu", "deployment.authorise", "deployment 1")
        raise RuntimeError("the action failed")
    with db.transaction() as session:
        assert list(audit.entries(session)) == []


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_database_refuses_to_change_the_log(db: Database, statement: str) -> None:
    fill(db, 2)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
        session.execute(sa.text(statement))
    with db.transaction() as session:
        assert audit.verify(session, KEY, KEY).checked == 2


def disable_guard(db: Database) -> None:
    """What an attacker with the database's owner rights can do: drop the triggers."""
    with db.engine.begin() as connection:
        for table in ("audit_log", "audit_rows"):
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                connection.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
                connection.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")


@pytest.mark.parametrize(
    ("statement", "broken_at", "reason"),
    [
        (
            "UPDATE audit_log SET target = 'deployment 9' WHERE seq = 3",
            3,
            "does not match its hash",
        ),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "entry 2 is missing"),
        ("DELETE FROM audit_log WHERE seq = 1", 1, "entry 1 is missing"),
    ],
)
def test_tampering_is_found_at_the_first_broken_entry(
    db: Database, statement: str, broken_at: int, reason: str
) -> None:
    fill(db, 4)
    disable_guard(db)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert not verdict.intact
    assert verdict.broken_at == broken_at and reason in verdict.reason
    assert verdict.checked == broken_at - 1


def test_rehashed_entry_still_breaks_the_next_link(db: Database) -> None:
    """Rehashing a changed entry does not help: the next entry points at the old hash."""
    fill(db, 3)
    disable_guard(db)
    with db.transaction() as session:
        e = next(e for e in audit.entries(session) if e.seq == 2)
    forged = audit.Entry(**{**e.__dict__, "actor": "mallory", "hash": ""})
    with db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 2"),
            {"h": forged.expected_hash(KEY)},
        )
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert verdict.broken_at == 3 and "does not follow" in verdict.reason


def test_a_chain_rewritten_without_the_key_does_not_hold(db: Database) -> None:
    """Rewriting an entry and every hash after it, as SHA-256 chains allowed: without the
    audit key the hashes come out wrong at the first entry changed."""
    fill(db, 4)
    disable_guard(db)
    with db.transaction() as session:
        found = list(audit.entries(session))
    prev = found[1].hash
    with db.engine.begin() as connection:
        for e in found[2:]:
            changed = audit.Entry(**{**e.__dict__, "actor": "mallory", "prev_hash": prev})
            prev = changed.expected_hash(b"a guess at the key".ljust(32))
            connection.execute(
                sa.text("UPDATE audit_log SET actor = 'mallory', prev_hash = :p, hash = :h "
                        "WHERE seq = :s"),
                {"p": changed.prev_hash, "h": prev, "s": e.seq},
            )  # fmt: skip
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert verdict.broken_at == 3 and "does not match its hash" in verdict.reason


def test_a_log_cut_short_is_found_against_its_published_head(db: Database) -> None:
    fill(db, 5)
    with db.transaction() as session:
        published = audit.head(session, KEY)
    assert published.seq == 5 and published.genuine(KEY)
    disable_guard(db)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_log WHERE seq > 3")
    with db.transaction() as session:
        alone = audit.verify(session, KEY, KEY)
        against = audit.verify(session, KEY, KEY, published)
    assert alone.broken_at is None, "a shorter chain holds by itself"
    assert against.broken_at == 4
    assert against.reason == "the log ends at entry 3, before the published head's 5"


def test_a_forged_head_is_refused(db: Database) -> None:
    fill(db, 2)
    with db.transaction() as session:
        real = audit.head(session, KEY)
        forged = audit.Head(1, real.hash, real.tag)
        verdict = audit.verify(session, KEY, KEY, forged)
    assert not verdict.intact and "not signed by this installation" in verdict.reason


def test_a_dropped_guard_is_reported(db: Database) -> None:
    fill(db, 2)
    with db.transaction() as session:
        assert audit.verify(session, KEY, KEY).intact
    disable_guard(db)
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert verdict.broken_at is None and verdict.checked == 2
    assert verdict.broken_guards and not verdict.intact


def test_a_guard_replaced_by_one_that_refuses_nothing_is_reported(db: Database) -> None:
    """A same-named trigger that never fires (``WHEN 0``; on PostgreSQL, its function made to
    let every change through) passes a check by name: the definitions are compared."""
    fill(db, 3)
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RETURN OLD; END $$"
            )
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
        connection.exec_driver_sql("DELETE FROM audit_log WHERE seq = 3")  # now let through
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert "audit_log_no_delete (altered)" in verdict.broken_guards or (
        "audit_log_append_only (altered)" in verdict.broken_guards
    )
    assert not verdict.intact


def test_the_row_lists_are_append_only_and_hashed_with_their_entry(db: Database) -> None:
    with db.transaction() as session:
        audit.append(session, KEY, NOW, "olu", "user.add", "user kim", "done", {},
                     [("users", "7", "a" * 64)])  # fmt: skip
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
        session.execute(sa.text("UPDATE audit_rows SET digest = 'b'"))
    disable_guard(db)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_rows SET digest = 'b'")
    with db.transaction() as session:
        verdict = audit.verify(session, KEY, KEY)
    assert verdict.broken_at == 1 and "does not match its hash" in verdict.reason
