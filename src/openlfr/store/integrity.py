"""Row MACs and row history: every governed row is signed, and every write of one is recorded
in the audit entry of the action that made it.

Every table that decides lawfulness or holds its evidence (``COVERED``: users and their
passwords and sessions, cameras, deployments, subjects and their reference images, compiled
watchlists, alerts and their images and latencies, the cameras' counts, and the wrapped data
keys) has a ``mac`` column: an HMAC-SHA256, under the installation's integrity key (a data key
wrapped by the master key), of the table's name and every other column of the row, id
included. Someone with the database but not the master key cannot make one, so an edited,
inserted or swapped row no longer matches: it is refused wherever openlfr reads it.

A MAC alone cannot tell an old copy of a row from the row: so each action's audit entry lists
the rows it wrote with their new MACs, or "" for a row it deleted (``audit_rows``, hashed into
the entry). ``rows_verdict`` holds every row to the latest entry that wrote it: a row put back
from an earlier copy, one with no entry, and one deleted outside openlfr are each named with
their entry. Rows are written only through this module (``insert``, ``update``, ``delete``)
or the ORM (tracked at flush); anything else writing a covered table is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, attributes

from openlfr.constant_time import same
from openlfr.jsonable import jsonable
from openlfr.store.tables import (
    RowEditedError,
    alert_biometrics,
    alert_latencies,
    alerts,
    audit_rows,
    camera_counts,
    cameras,
    credentials,
    data_keys,
    deployments,
    reference_images,
    subjects,
    tokens,
    users,
    watchlist_entries,
)

__all__ = ["RowEditedError"]

COVERED = (
    users, credentials, tokens, cameras, deployments, subjects, reference_images,
    watchlist_entries, alerts, alert_biometrics, alert_latencies, camera_counts, data_keys,
)  # fmt: skip
BY_NAME = {t.name: t for t in COVERED}
# The tables signed since migration 0011 (their rows from before it are signed when the store
# first opens after the upgrade, by ``adopt``); their bytes enter a MAC by digest.
SIGNED_SINCE_0011 = (
    reference_images, watchlist_entries, alert_biometrics, alert_latencies, camera_counts,
    data_keys,
)  # fmt: skip
DIGESTED = {t.name for t in SIGNED_SINCE_0011}
KEY = "integrity"  # where a session keeps the integrity key (Session.info)
_WRITTEN = "rows written"  # where a session keeps the rows it wrote (see _written)
_LEDGER = "ledger"  # the execution option of this module's own writes

# Columns added to covered tables since migration 0008, with the value a migration gives every
# row already there. A column is left out of a row's MAC while it holds that value, so rows
# MACed before it existed still match after the upgrade; any other value is covered, and
# setting it back changes the MAC too (the column drops out of it).
ADDED_LATER: dict[str, dict[str, Any]] = {
    "alerts": {"disposal": None, "disposal_note": "", "disposal_recorded_by": None,
               "disposal_recorded_at": None, "version": 1},
    "deployments": {"watchlist_composition": None},
}  # fmt: skip


def mac(key: bytes, table: sa.Table, values: dict[str, Any]) -> str:
    """The MAC of a row of ``table`` with these column ``values`` (``mac`` itself left out, and
    columns ``ADDED_LATER`` while they hold the value they were added with). Images and
    templates enter it as their SHA-256 (in the tables signed since migration 0011)."""
    later = ADDED_LATER.get(table.name, {})
    digested = table.name in DIGESTED
    fields = {
        c.name: _digest(v) if digested and isinstance(v, bytes) else jsonable(v)
        for c in table.columns
        for v in [values[c.name]]
        if c.name != "mac" and not (c.name in later and v == later[c.name])
    }
    body = json.dumps([table.name, fields], sort_keys=True, ensure_ascii=False)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _digest(value: bytes) -> str:
    return "sha256:" + hashlib.sha256(value).hexdigest()


def holds(key: bytes, table: sa.Table, values: dict[str, Any]) -> bool:
    tag = values.get("mac")
    return isinstance(tag, str) and same(tag, mac(key, table, values))


def row_id(table: sa.Table, values: dict[str, Any]) -> str:
    """How the audit log names a row: its primary key (a JSON list where it has several
    columns: a camera's counts are per deployment, camera and hour)."""
    key = [jsonable(values[c.name]) for c in table.primary_key.columns]
    return str(key[0]) if len(key) == 1 else json.dumps(key, ensure_ascii=False)


def check(key: bytes, table: sa.Table, values: dict[str, Any]) -> None:
    """Refuse a row that does not match its MAC, naming it."""
    if not holds(key, table, values):
        raise RowEditedError(
            f"{table.name} row {row_id(table, values)} was changed outside openlfr (its MAC "
            "does not match): nothing is done with it; an auditor runs lfr audit verify"
        )


def checked(session: Session, table: sa.Table, rows: Iterable[Any]) -> list[Any]:
    """``rows`` of ``table`` read with Core, refused unless each matches its MAC and is as the
    audit log last recorded it."""
    rows = list(rows)
    key = session.info.get(KEY)
    if key is not None:
        values = [dict(row._mapping) for row in rows]
        for v in values:
            check(key, table, v)
        current(session, table, values)
    return rows


def current(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Refuse any of ``rows`` (column values) not as the audit log last recorded it: an earlier
    copy put back (its MAC still matches) or a row the log never saw. Rows this transaction
    wrote are recorded when it ends, so they are taken as they are."""
    wrote = session.info.get(_WRITTEN, {})
    held = {row_id(table, v): v.get("mac") for v in rows}
    held = {i: tag for i, tag in held.items() if (table.name, i) not in wrote}
    ids = sorted(held)
    last: dict[str, tuple[int, str]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        found = session.execute(
            sa.select(audit_rows.c.row, audit_rows.c.seq, audit_rows.c.digest)
            .where(audit_rows.c.tbl == table.name, audit_rows.c.row.in_(chunk))
            .order_by(audit_rows.c.seq)
        )
        last.update((r.row, (r.seq, r.digest)) for r in found)
    for ident in ids:
        tag, entry = held[ident], last.get(ident)
        if entry is None or not (isinstance(tag, str) and same(entry[1], tag)):
            said = "never recorded" if entry is None else f"not as audit entry {entry[0]} left it"
            raise RowEditedError(
                f"{table.name} row {ident} is {said} (an earlier copy put back, or a row added "
                "outside openlfr): nothing is done with it; an auditor runs lfr audit verify"
            )


def current_objects(session: Session, objs: Iterable[Any]) -> None:
    """Refuse any of the covered ORM objects ``objs`` (their MACs were checked as they loaded)
    not as the audit log last recorded it: a user deactivated, then an earlier copy of their
    row put back; a verdict undone so. For identities, and for what is published."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for obj in objs:
        table = _table_of(obj)
        assert table is not None, f"{type(obj).__name__} is not a covered row"
        by_table.setdefault(table.name, []).append(_values(table, obj))
    for name, rows in by_table.items():
        current(session, BY_NAME[name], rows)


def key_of(table: sa.Table) -> sa.Column[Any]:
    """The primary key of ``table`` where it is a single column."""
    [key] = table.primary_key.columns
    return key


def _where(table: sa.Table, values: dict[str, Any]) -> Any:
    return sa.and_(*(c == values[c.name] for c in table.primary_key.columns))


# Writes: each covered row written is checked first (an edited or replayed row is refused,
# not laundered), tagged after, and remembered for the action's audit entry.


def insert(session: Session, table: sa.Table, **values: Any) -> Any:
    """Insert a row of ``table``; returns its primary key (a single column's value)."""
    made = session.execute(
        table.insert().values(**values).returning(*table.primary_key.columns),
        execution_options={_LEDGER: True},
    ).one()
    _tag(session, table, dict(made._mapping))
    return made[0]


def update(session: Session, table: sa.Table, where: Any, **values: Any) -> int:
    """Update the rows of ``table`` matching ``where``; returns how many."""
    rows = _current_rows(session, table, where)
    for row in rows:
        session.execute(
            table.update().where(_where(table, row)).values(**values),
            execution_options={_LEDGER: True},
        )
        _tag(session, table, row)
    return len(rows)


def delete(session: Session, table: sa.Table, where: Any) -> int:
    """Delete the rows of ``table`` matching ``where``; returns how many."""
    rows = _current_rows(session, table, where)
    for row in rows:
        session.execute(table.delete().where(_where(table, row)), execution_options={_LEDGER: True})
        _remember(session, table, row)
    return len(rows)


def _current_rows(session: Session, table: sa.Table, where: Any) -> list[dict[str, Any]]:
    rows = [dict(r._mapping) for r in session.execute(sa.select(table).where(where))]
    for row in rows:
        check(session.info[KEY], table, row)
    current(session, table, rows)
    return rows


def _tag(session: Session, table: sa.Table, key: dict[str, Any]) -> str:
    """(Re)write the MAC of ``table``'s row with primary key ``key``; returns it."""
    row = session.execute(sa.select(table).where(_where(table, key))).one()
    tag = mac(session.info[KEY], table, dict(row._mapping))
    session.execute(
        table.update().where(_where(table, key)).values(mac=tag),
        execution_options={_LEDGER: True},
    )
    _remember(session, table, key)
    return tag


def _written(session: Session) -> dict[tuple[str, str], tuple[sa.Table, Any]]:
    """The rows this transaction wrote: {(table name, row id): (table, primary key where)}."""
    return session.info.setdefault(_WRITTEN, {})


def _remember(session: Session, table: sa.Table, values: dict[str, Any]) -> None:
    _written(session)[(table.name, row_id(table, values))] = (table, _where(table, values))


def written(session: Session) -> list[tuple[str, str, str]]:
    """The rows this transaction wrote, as (table, row id, MAC now, or "" if deleted), in a
    fixed order; forgotten once read (they go into the action's audit entry)."""
    session.flush()
    found = []
    for (name, ident), (table, where) in sorted(_written(session).items(), key=lambda i: i[0]):
        tag = session.execute(sa.select(table.c.mac).where(where)).scalar()
        found.append((name, ident, tag or ""))
    session.info.pop(_WRITTEN, None)
    return found


def adopt(session: Session) -> list[tuple[str, str, str]]:
    """Every governed row as it stands, as (table, row id, MAC), for the entry that starts the
    record of rows; rows of tables signed since migration 0011 are signed first."""
    key = session.info[KEY]
    found = []
    for table in COVERED:
        for ident, values, problem in list(_stored_rows(session, table)):
            tag = values["mac"]
            if tag is None and problem is None and table in SIGNED_SINCE_0011:
                tag = mac(key, table, values)
                session.execute(
                    table.update().where(_where(table, values)).values(mac=tag),
                    execution_options={_LEDGER: True},
                )
            found.append((table.name, ident, tag or ""))
    return sorted(found)


# What lfr audit verify says of the rows.


@dataclass(frozen=True)
class RowFinding:
    """A covered row that is not as the audit log last left it."""

    table: str
    row: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.problem}"


def rows_verdict(
    session: Session, key: bytes, recorded: dict[tuple[str, str], tuple[int, str]]
) -> list[RowFinding]:
    """Every covered row held to its MAC and to ``recorded``, the latest entry that wrote it
    ({(table, row id): (entry, MAC or "" if deleted)}): rows edited, put back, added or
    deleted outside openlfr."""
    found: list[RowFinding] = []
    left = dict(recorded)
    for table in COVERED:
        for ident, values, problem in _stored_rows(session, table):
            entry = left.pop((table.name, ident), None)
            if problem is None and not holds(key, table, values):
                problem = "changed outside openlfr (its MAC does not match)"
            if problem is None and entry is None:
                problem = "no audit entry wrote it (added outside openlfr)"
            elif problem is None and entry is not None and not same(entry[1], values["mac"]):
                problem = f"not as audit entry {entry[0]} left it (an earlier copy put back?)"
            if problem is not None:
                found.append(RowFinding(table.name, ident, problem))
    for (name, ident), (seq, digest) in sorted(left.items()):
        if digest:
            found.append(
                RowFinding(name, ident, f"deleted outside openlfr (audit entry {seq} wrote it)")
            )
    return found


def _stored_rows(
    session: Session, table: sa.Table
) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """Each stored row of ``table`` as (row id, values, None), or with the reason a value in
    it cannot be read as openlfr writes it."""
    raw = sa.select(*(sa.type_coerce(c, sa.types.NullType()).label(c.name) for c in table.c))
    dialect = session.get_bind().dialect
    result = session.execute(raw)
    # Each column's own reading, applied row by row so that one bad value names its row.
    driver_types = [d[1] for d in result.cursor.description]  # type: ignore[attr-defined]
    processors = {
        c.name: c.type._cached_result_processor(dialect, t)
        for c, t in zip(table.c, driver_types, strict=True)
    }
    for row in result:
        values = dict(row._mapping)
        try:
            values = {k: (p(v) if p else v) for k, v in values.items() for p in [processors[k]]}
        except (RowEditedError, ValueError, LookupError) as exc:
            yield row_id(table, values), values, f"holds a value openlfr does not write ({exc})"
            continue
        ident = row_id(table, values)
        yield ident, values, None


# The ORM's writes and loads.


@event.listens_for(Session, "do_orm_execute")
def _refuse_unrecorded(state: ORMExecuteState) -> None:
    """A write to a covered table that would bypass its MAC and the audit log's record of it."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in BY_NAME and not state.execution_options.get(_LEDGER):
        raise RuntimeError(
            f"a write to {table.name} outside store.integrity: it would go unsigned and "
            "unrecorded (use integrity.insert, update or delete)"
        )


@event.listens_for(Session, "before_flush")
def _check_before_write(session: Session, _context: Any, _instances: Any) -> None:
    """An object about to be changed or deleted must be the row the log last recorded."""
    if session.info.get(KEY) is None:
        return
    for obj in [*session.dirty, *session.deleted]:
        table = _table_of(obj)
        if table is not None and (obj in session.deleted or session.is_modified(obj)):
            current(session, table, [_values(table, obj)])


@event.listens_for(Session, "after_flush")
def _tag_flushed(session: Session, _context: Any) -> None:
    """Give every covered row written by this flush its MAC (ids are known by now)."""
    if session.info.get(KEY) is None:
        return
    for obj in [*session.new, *session.dirty]:
        table = _table_of(obj)
        if table is not None and (obj in session.new or session.is_modified(obj)):
            tag = _tag(session, table, _values(table, obj))
            attributes.set_committed_value(obj, "mac", tag)
    for obj in session.deleted:
        table = _table_of(obj)
        if table is not None:
            _remember(session, table, _values(table, obj))


@event.listens_for(Mapper, "load")
def _verify_loaded(obj: Any, context: Any) -> None:
    """Refuse a covered row loaded by the ORM that does not match its MAC."""
    key = context.session.info.get(KEY)
    table = _table_of(obj)
    if key is not None and table is not None:
        check(key, table, _values(table, obj))


def _values(table: sa.Table, obj: Any) -> dict[str, Any]:
    return {c.name: getattr(obj, c.name, None) for c in table.columns}


def _table_of(obj: Any) -> sa.Table | None:
    table = getattr(sa.inspect(obj).mapper, "local_table", None)
    return table if table is not None and table.name in BY_NAME else None
