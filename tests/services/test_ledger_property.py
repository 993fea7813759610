"""Any tampering with a copy of a populated database is found (issue 28's property): random
sequences of edits, earlier copies of rows put back, values swapped between rows, rows copied
in and rows deleted, applied with SQL to a copy of the SQLite file, are each either named by
``lfr audit verify`` or refused where openlfr reads them."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openlfr.domain.alert import Adjudication, Outcome
from openlfr.errors import LfrError
from openlfr.services import alerts, audit, counts, deployments, identity, users
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import COVERED
from openlfr.vision.engine import Engine
from tests.services.conftest import (
    Clock,
    enrol,
    live_deployment,
    staffed_store,
    start_deployment,
)

TABLES = [t.name for t in COVERED]
PASSWORD = "a long enough test password"


@dataclass(frozen=True)
class Populated:
    """A store's SQLite file at the end of its history, one from midway, and its settings."""

    store: Store
    earlier: Path
    final: Path


@pytest.fixture(scope="module")
def populated(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    """A deployment that ran and closed with adjudicated alerts and counts, a session logged
    out, a user deactivated, and a second deployment live with its watchlist; copied midway
    (alerts not yet adjudicated, the session live) and at the end."""
    folder = tmp_path_factory.mktemp("ledger")
    clock = Clock()
    store = staffed_store(folder, None, clock)
    database = Path(store.db.engine.url.database or "")
    kim = users.add_user(store, "root", "kim", ["planner"]).one_time_password
    session = identity.login(store, "kim", kim, PASSWORD)
    d = live_deployment(store, engine, clock)
    ident = d.id or 0
    raised = [alerts.raise_alert(store, ident, e, "van-1-north", b"crop", 0.9) for e in (1, 2)]
    hour = clock.now.replace(minute=0)
    counts.record_counts(store, ident, "van-1-north", hour, {"tracks": 10, "faces": 30})
    earlier = folder / "earlier.db"
    _copy(store, database, earlier)
    alerts.adjudicate(store, "omar", raised[0].id or 0, Adjudication.CONFIRMED_TRUE,
                      Outcome.ARRESTED)  # fmt: skip
    alerts.adjudicate(store, "omar", raised[1].id or 0, Adjudication.CONFIRMED_FALSE, None)
    counts.record_counts(store, ident, "van-1-north", hour, {"tracks": 5, "faces": 9})
    identity.logout(store, session.token)
    users.set_active(store, "root", "kim", False)
    deployments.close(store, "omar", ident)
    clock.now = Clock().now  # a second deployment, in a window of its own
    enrol(store, engine, "Aaron_Peirsol")
    start_deployment(store, clock)
    final = folder / "final.db"
    _copy(store, database, final)
    yield Populated(store, earlier, final)
    store.close()


def _copy(store: Store, database: Path, to: Path) -> None:
    """The file as a whole, the write-ahead log emptied into it first."""
    store.db.engine.dispose()
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(database, to)


def rows(connection: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    connection.row_factory = sqlite3.Row
    return [dict(r) for r in connection.execute(f"SELECT rowid AS _rowid, * FROM {table}")]


def changed(value: Any) -> Any:
    """Another value of the same kind: what an insider would write instead."""
    if isinstance(value, bool) or (value in (0, 1) and isinstance(value, int)):
        return 1 - int(value)
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.25
    if isinstance(value, bytes):
        return value[:-1] + bytes([value[-1] ^ 1]) if value else b"\x01"
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    return "x"  # NULL: filled


# One tampering: (kind, table, a row, another row, a column), the numbers taken modulo what
# the table holds.
Step = tuple[str, str, int, int, int]
tampering = st.tuples(
    st.sampled_from(["edit", "put back", "swap", "copy in", "delete"]),
    st.sampled_from(TABLES),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
)


def tamper(connection: sqlite3.Connection, earlier: sqlite3.Connection, step: Step) -> None:
    kind, table, i, j, k = step
    held = rows(connection, table)
    if not held:
        return
    row = held[i % len(held)]
    columns = [c for c in row if c != "_rowid"]
    where, key = "rowid = ?", row["_rowid"]
    if kind == "edit":
        column = columns[k % len(columns)]
        connection.execute(f"UPDATE {table} SET {column} = ? WHERE {where}",
                           (changed(row[column]), key))  # fmt: skip
    elif kind == "put back":
        before = [r for r in rows(earlier, table) if r["_rowid"] == key]
        if before:
            values = {c: before[0][c] for c in columns}
            assignments = ", ".join(f"{c} = :{c}" for c in values)
            connection.execute(f"UPDATE {table} SET {assignments} WHERE rowid = :_r",
                               {**values, "_r": key})  # fmt: skip
    elif kind == "swap":
        other = held[j % len(held)]
        column = columns[k % len(columns)]
        for a, b in ((row, other), (other, row)):
            connection.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                               (b[column], a["_rowid"]))  # fmt: skip
    elif kind == "copy in":
        values = {c: row[c] for c in columns}
        first = columns[0]  # the primary key, or its first column
        values[first] = changed(row[first]) if not isinstance(row[first], int) else 10**6 + i
        marks = ", ".join(f":{c}" for c in values)
        connection.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(values)}) VALUES ({marks})",
                           values)  # fmt: skip
    else:
        connection.execute(f"DELETE FROM {table} WHERE {where}", (key,))


def dump(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    with sqlite3.connect(path) as connection:
        return [(t, sorted(map(tuple, connection.execute(f"SELECT * FROM {t}")), key=repr))
                for t in TABLES]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(tampering, min_size=1, max_size=3))  # fmt: skip
def test_any_tampering_is_found_or_refused(populated: Populated, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        copy = data / "openlfr.db"
        shutil.copyfile(populated.final, copy)
        with sqlite3.connect(copy) as connection, sqlite3.connect(populated.earlier) as earlier:
            connection.execute("PRAGMA foreign_keys = OFF")  # as an insider's sqlite3 has it
            for step in steps:
                with contextlib.suppress(sqlite3.IntegrityError):  # the database refused it
                    tamper(connection, earlier, step)
        if dump(copy) == dump(populated.final):
            return  # the steps changed nothing (a value swapped with its equal, say)
        settings_ = populated.store.settings.model_copy(update={"data_dir": data})
        try:
            store = Store(settings_)
            try:
                verdict = audit.verify(store, "ada")
            finally:
                store.close()
        except LfrError:
            return  # refused where it was read (the auditor's own row, a key)
        assert not verdict.intact and verdict.rows, steps
