"""Row MACs: the rows that decide lawfulness carry an HMAC, so an edit outside openlfr shows.

Users and their roles, passwords and sessions, cameras, deployments (what was authorised,
by whom, when), subjects (who may be on a watchlist) and alerts (adjudications)
each hold a ``mac`` column: an HMAC-SHA256, under the installation's integrity key
(a data key wrapped by the master key), of the table's name and every other
column of the row, id included. The software writes it with every change; a row
edited, copied or swapped by someone with the database but not the master key
no longer matches. Such a row is refused wherever openlfr reads it through the
ORM (no action builds on it) and listed by ``lfr audit verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session, attributes

from openlfr.constant_time import same
from openlfr.errors import LfrError
from openlfr.jsonable import jsonable
from openlfr.store.tables import (
    alerts,
    cameras,
    credentials,
    deployments,
    subjects,
    tokens,
    users,
)

COVERED = (users, credentials, tokens, cameras, deployments, subjects, alerts)
KEY = "integrity"  # where a session keeps the integrity key (Session.info)

# Columns added to covered tables since migration 0008, with the value a migration gives every
# row already there. A column is left out of a row's MAC while it holds that value, so rows
# MACed before it existed still match after the upgrade; any other value is covered, and
# setting it back changes the MAC too (the column drops out of it).
ADDED_LATER: dict[str, dict[str, Any]] = {
    "alerts": {"disposal": None, "disposal_note": "", "disposal_recorded_by": None,
               "disposal_recorded_at": None, "version": 1},
    "deployments": {"watchlist_composition": None},
}  # fmt: skip


class RowEditedError(LfrError):
    """A covered row does not match its MAC: it was changed outside openlfr."""


def mac(key: bytes, table: sa.Table, values: dict[str, Any]) -> str:
    """The MAC of a row of ``table`` with these column ``values`` (``mac`` itself left out, and
    columns ``ADDED_LATER`` while they hold the value they were added with)."""
    later = ADDED_LATER.get(table.name, {})
    fields = {
        c.name: jsonable(values[c.name])
        for c in table.columns
        if c.name != "mac" and not (c.name in later and values[c.name] == later[c.name])
    }
    body = json.dumps([table.name, fields], sort_keys=True, ensure_ascii=False)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def holds(key: bytes, table: sa.Table, values: dict[str, Any]) -> bool:
    tag = values.get("mac")
    return isinstance(tag, str) and same(tag, mac(key, table, values))


def check(key: bytes, table: sa.Table, values: dict[str, Any]) -> None:
    """Refuse a row that does not match its MAC, naming it."""
    if not holds(key, table, values):
        raise RowEditedError(
            f"{table.name} row {_row_id(table, values)} was changed outside openlfr (its MAC "
            "does not match): nothing is done with it; an auditor runs lfr audit verify"
        )


def edited_rows(session: Session, key: bytes) -> list[str]:
    """Every covered row that does not match its MAC, as ``table row-id``."""
    found = []
    for table in COVERED:
        for row in session.execute(sa.select(table)):
            values = dict(row._mapping)
            if not holds(key, table, values):
                found.append(f"{table.name} {_row_id(table, values)}")
    return found


def tag_row(session: Session, key: bytes, table: sa.Table, where: Any) -> None:
    """(Re)write the MAC of the rows of ``table`` matching ``where``, after a Core write."""
    for row in session.execute(sa.select(table).where(where)):
        values = dict(row._mapping)
        pk = key_of(table)
        update = table.update().where(pk == values[pk.name])
        session.execute(update.values(mac=mac(key, table, values)))


def key_of(table: sa.Table) -> sa.Column[Any]:
    """The primary key of ``table``, a single column in every table with a MAC or a seal."""
    [key] = table.primary_key.columns
    return key


def _row_id(table: sa.Table, values: dict[str, Any]) -> Any:
    return values.get(key_of(table).name)


def _values(table: sa.Table, obj: Any) -> dict[str, Any]:
    return {c.name: getattr(obj, c.name, None) for c in table.columns}


def _table_of(obj: Any) -> sa.Table | None:
    table = getattr(sa.inspect(obj).mapper, "local_table", None)
    return table if table is not None and any(table is t for t in COVERED) else None


@event.listens_for(Session, "after_flush")
def _tag_flushed(session: Session, _context: Any) -> None:
    """Give every covered row written by this flush its MAC (ids are known by now)."""
    key = session.info.get(KEY)
    if key is None:
        return
    for obj in [*session.new, *session.dirty]:
        table = _table_of(obj)
        if table is None:
            continue
        tag = mac(key, table, _values(table, obj))
        pk = key_of(table)
        session.execute(table.update().where(pk == getattr(obj, pk.name)).values(mac=tag))
        attributes.set_committed_value(obj, "mac", tag)


@event.listens_for(Mapper, "load")
def _verify_loaded(obj: Any, context: Any) -> None:
    """Refuse a covered row loaded by the ORM that does not match its MAC."""
    key = context.session.info.get(KEY)
    table = _table_of(obj)
    if key is not None and table is not None:
        check(key, table, _values(table, obj))
