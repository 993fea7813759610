"""The audit log: append-only, chained under a key, anchored by a published head.

Each entry's hash is an HMAC-SHA256, under the installation's audit key (a
data key wrapped by the master key), of its own fields and the previous
entry's hash: changing, removing or reordering any entry breaks every hash
after it, and someone with the database but not the master key cannot
recompute them. Removing the last entries leaves a shorter chain that holds:
``head`` gives a signed (HMAC) record of the last entry to publish or escrow,
and ``verify`` against it finds a log cut short or rewritten before it. The
log is written in the same transaction as the action it records, and each
entry lists the governed rows that action wrote, with their MACs
(``store.integrity``): ``verify`` holds every row to the latest entry that
wrote it. The database refuses UPDATE and DELETE on the log and its row lists
(triggers, which ``verify`` checks by their definitions). Writers are
serialised (SQLite: the write lock; PostgreSQL: an advisory lock) so the chain
never forks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.constant_time import same
from openlfr.store import integrity
from openlfr.store.integrity import RowFinding
from openlfr.store.tables import audit_log, audit_rows

Row = tuple[str, str, str]  # a row an entry wrote: table, row id, its MAC ("" if deleted)

GENESIS = "0" * 64
_LOCK = 0x6F6C6672  # "olfr": the advisory lock that serialises appends on PostgreSQL


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    outcome: str
    detail: str  # canonical JSON
    prev_hash: str
    hash: str
    rows: tuple[Row, ...] = ()  # the governed rows its action wrote

    def expected_hash(self, key: bytes) -> str:
        fields = [str(self.seq), self.at, self.actor, self.action, self.target, self.outcome]
        hashed: list[object] = [*fields, self.detail, self.prev_hash]
        if self.rows:  # entries from before rows were recorded hash as they did
            hashed.append([list(r) for r in self.rows])
        body = json.dumps(hashed, ensure_ascii=False)
        return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """The last entry of the log at some moment, signed under the audit key: published or
    escrowed, it lets ``verify`` find a log later cut short or rewritten before it."""

    seq: int
    hash: str
    tag: str

    @staticmethod
    def signed(seq: int, hash_: str, key: bytes) -> Head:
        return Head(seq, hash_, _tag(seq, hash_, key))

    def genuine(self, key: bytes) -> bool:
        return same(self.tag, _tag(self.seq, self.hash, key))


def _tag(seq: int, hash_: str, key: bytes) -> str:
    return hmac.new(key, f"openlfr audit head {seq} {hash_}".encode(), hashlib.sha256).hexdigest()


def _fit(value: str, column: sa.Column[Any]) -> str:
    """``value`` as it can be stored in ``column``: cut to its width (marked as cut) and any
    NUL character spelt out, so a refusal of a name no backend can store is still recorded."""
    value = value.replace("\x00", "\\x00")  # as text: no backend stores the character
    width = getattr(column.type, "length", None)
    return value if width is None or len(value) <= width else value[: width - 1] + "…"


def append(
    session: Session,
    key: bytes,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    outcome: str = "done",
    detail: dict[str, Any] | None = None,
    rows: list[Row] | None = None,
) -> Entry:
    """Add an entry to the log in ``session``'s transaction, chained under ``key``; ``at`` is
    the action's time, ``rows`` the governed rows the action wrote."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    last = session.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    text = json.dumps(detail or {}, sort_keys=True, default=str, ensure_ascii=False)
    when = at.astimezone(UTC).isoformat(timespec="microseconds")
    c = audit_log.c
    actor, action, target = _fit(actor, c.actor), _fit(action, c.action), _fit(target, c.target)
    draft = Entry(seq, when, actor, action, target, outcome, text, prev, "", tuple(rows or ()))
    entry = replace(draft, hash=draft.expected_hash(key))
    fields = {k: v for k, v in entry.__dict__.items() if k != "rows"}
    session.execute(audit_log.insert().values(**fields))
    if entry.rows:
        listed = [{"seq": seq, "tbl": t, "row": r, "digest": d} for t, r, d in entry.rows]
        session.execute(audit_rows.insert(), listed)
    return entry


def entries(session: Session, since: int = 1) -> Iterator[Entry]:
    """The entries from ``since`` on, in order, each with the rows it wrote."""
    logged = session.execute(
        sa.select(audit_log).where(audit_log.c.seq >= since).order_by(audit_log.c.seq)
    )
    written = session.execute(
        sa.select(audit_rows)
        .where(audit_rows.c.seq >= since)
        .order_by(audit_rows.c.seq, audit_rows.c.tbl, audit_rows.c.row)
    )
    pending = next(written, None)
    for r in logged:
        rows = []
        while pending is not None and pending.seq <= r.seq:
            if pending.seq == r.seq:  # a row list of no entry is caught by the entry's hash
                rows.append((pending.tbl, pending.row, pending.digest))
            pending = next(written, None)
        yield Entry(**r._mapping, rows=tuple(rows))


@dataclass(frozen=True)
class Verdict:
    """The result of checking the log and the rows it recorded: how many entries hold, the
    first that does not, the guards and rows that are not as openlfr left them."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    head: str = GENESIS  # the last good hash
    broken_guards: tuple[str, ...] = ()  # the triggers that refuse edits, if gone or altered
    rows: tuple[RowFinding, ...] = ()  # rows not as their last entry left them

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.broken_guards and not self.rows


def verify(session: Session, key: bytes, row_key: bytes, published: Head | None = None) -> Verdict:
    """Walk the chain from the first entry, stopping at the first entry that does not hold;
    then hold every governed row to the latest entry that wrote it (``row_key``: the rows'
    MAC key). With a ``published`` head, the log must reach it and hold the same hash there.
    The database's guards on the log are checked too, by their definitions."""
    guards = broken_guards(session)
    if published is not None and not published.genuine(key):
        return Verdict(0, published.seq, "the published head was not signed by this "
                       "installation's audit key", broken_guards=guards)  # fmt: skip
    recorded: dict[tuple[str, str], tuple[int, str]] = {}
    prev, expected_seq, checked = GENESIS, 1, 0
    broken: tuple[int, str] | None = None
    for e in entries(session):
        if e.seq != expected_seq:
            broken = expected_seq, f"entry {expected_seq} is missing"
        elif e.prev_hash != prev:
            broken = e.seq, "it does not follow the entry before it"
        elif not same(e.expected_hash(key), e.hash):
            broken = e.seq, "its content does not match its hash"
        elif published is not None and e.seq == published.seq and e.hash != published.hash:
            broken = e.seq, "it differs from the published head"
        if broken:
            break
        recorded.update(((t, r), (e.seq, d)) for t, r, d in e.rows)
        prev, expected_seq, checked = e.hash, e.seq + 1, checked + 1
    if broken is None and published is not None and checked < published.seq:
        broken = (
            checked + 1,
            f"the log ends at entry {checked}, before the published head's {published.seq}",
        )
    rows = integrity.rows_verdict(session, row_key, recorded) if broken is None else []
    rows += _stray_rows(session)
    at, reason = broken or (None, "")
    return Verdict(checked, at, reason, prev, guards, tuple(rows))


def _stray_rows(session: Session) -> list[RowFinding]:
    """Rows listed for an entry the log does not hold (they would vouch for a row at read)."""
    query = sa.select(audit_rows).where(~sa.exists().where(audit_log.c.seq == audit_rows.c.seq))
    return [
        RowFinding(r.tbl, r.row, f"listed for audit entry {r.seq}, which is not in the log")
        for r in session.execute(query)
    ]


_APPEND_ONLY = ("audit_log", "audit_rows")  # the tables the database refuses to change


def guard_definitions(dialect: str) -> dict[str, str]:
    """Each trigger that makes the database refuse UPDATE and DELETE on the log, by name, as the
    database reports its definition (SQLite: its CREATE statement; PostgreSQL:
    pg_get_triggerdef, with the function it runs)."""
    if dialect == "postgresql":
        return {
            f"{t}_append_only": f"CREATE TRIGGER {t}_append_only BEFORE DELETE OR UPDATE ON "
            f"public.{t} FOR EACH ROW EXECUTE FUNCTION refuse_change() "
            f"{REFUSE_CHANGE_BODY}"
            for t in _APPEND_ONLY
        }
    return {
        f"{t}_no_{verb.lower()}": f"CREATE TRIGGER {t}_no_{verb.lower()} BEFORE {verb} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
        for t in _APPEND_ONLY
        for verb in ("UPDATE", "DELETE")
    }


REFUSE_CHANGE_BODY = "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END"


def broken_guards(session: Session) -> tuple[str, ...]:
    """The triggers refusing UPDATE and DELETE on the log that are gone, disabled or not as
    openlfr made them (a same-named trigger that refuses nothing), each with what is wrong."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        query = sa.text(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc, t.tgenabled <> 'D' "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid IN ('audit_log'::regclass, 'audit_rows'::regclass)"
        )
    else:
        query = sa.text("SELECT name, sql, 1 FROM sqlite_master WHERE type = 'trigger'")
    present = {name: (" ".join(sql.split()), bool(on)) for name, sql, on in session.execute(query)}
    found = []
    for name, definition in guard_definitions(dialect).items():
        if name not in present:
            found.append(f"{name} (gone)")
        elif present[name][0] != definition:
            found.append(f"{name} (altered)")
        elif not present[name][1]:
            found.append(f"{name} (disabled)")
    return tuple(found)


def head(session: Session, key: bytes) -> Head:
    """The signed head of the log as it stands."""
    last = session.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return Head.signed(last.seq, last.hash, key) if last else Head.signed(0, GENESIS, key)


def latest(session: Session, actions: tuple[str, ...], target: str, limit: int) -> list[Entry]:
    """The last ``limit`` entries of any of ``actions`` on ``target``, newest first."""
    rows = session.execute(
        sa.select(audit_log)
        .where(audit_log.c.action.in_(actions), audit_log.c.target == target)
        .order_by(audit_log.c.seq.desc())
        .limit(limit)
    )
    return [Entry(**r._mapping) for r in rows]
