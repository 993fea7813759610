"""The audit log: append-only, chained under a key, anchored by a published head.

Each entry's hash is an HMAC-SHA256, under the installation's audit key (a
data key wrapped by the master key), of its own fields and the previous
entry's hash: changing, removing or reordering any entry breaks every hash
after it, and someone with the database but not the master key cannot
recompute them. Removing the last entries leaves a shorter chain that holds:
``head`` gives a signed (HMAC) record of the last entry to publish or escrow,
and ``verify`` against it finds a log cut short or rewritten before it. The
log is written in the same transaction as the action it records; the
database refuses UPDATE and DELETE on it (triggers, whose absence ``verify``
reports). Writers are serialised (SQLite: the write lock; PostgreSQL: an
advisory lock) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.constant_time import same
from openlfr.store.tables import audit_log

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

    def expected_hash(self, key: bytes) -> str:
        fields = [str(self.seq), self.at, self.actor, self.action, self.target, self.outcome]
        body = json.dumps([*fields, self.detail, self.prev_hash], ensure_ascii=False)
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
) -> Entry:
    """Add an entry to the log in ``session``'s transaction, chained under ``key``; ``at`` is
    the action's time."""
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
    draft = Entry(seq, when, actor, action, target, outcome, text, prev, "")
    entry = Entry(**{**draft.__dict__, "hash": draft.expected_hash(key)})
    session.execute(audit_log.insert().values(**entry.__dict__))
    return entry


def entries(session: Session, since: int = 1) -> Iterator[Entry]:
    rows = session.execute(
        sa.select(audit_log).where(audit_log.c.seq >= since).order_by(audit_log.c.seq)
    )
    for r in rows:
        yield Entry(**r._mapping)


@dataclass(frozen=True)
class Verdict:
    """The result of checking the chain: how many entries hold, and the first that does not."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    head: str = GENESIS  # the last good hash
    missing_guards: tuple[str, ...] = ()  # the triggers that should refuse edits, if gone
    edited_rows: tuple[str, ...] = ()  # rows whose MAC does not match (store.integrity)

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.missing_guards and not self.edited_rows


def verify(session: Session, key: bytes, published: Head | None = None) -> Verdict:
    """Walk the chain from the first entry; stop at the first entry that does not hold.

    With a ``published`` head, the log must reach it and hold the same hash
    there. The database's guards on the log are checked too.
    """
    missing = missing_guards(session)
    if published is not None and not published.genuine(key):
        return Verdict(0, published.seq, "the published head was not signed by this "
                       "installation's audit key", missing_guards=missing)  # fmt: skip
    prev, expected_seq, checked = GENESIS, 1, 0
    for e in entries(session):
        if e.seq != expected_seq:
            return Verdict(checked, expected_seq, f"entry {expected_seq} is missing", prev, missing)
        if e.prev_hash != prev:
            return Verdict(checked, e.seq, "it does not follow the entry before it", prev, missing)
        if not same(e.expected_hash(key), e.hash):
            return Verdict(checked, e.seq, "its content does not match its hash", prev, missing)
        if published is not None and e.seq == published.seq and e.hash != published.hash:
            return Verdict(checked, e.seq, "it differs from the published head", prev, missing)
        prev, expected_seq, checked = e.hash, e.seq + 1, checked + 1
    if published is not None and checked < published.seq:
        reason = f"the log ends at entry {checked}, before the published head's {published.seq}"
        return Verdict(checked, checked + 1, reason, prev, missing)
    return Verdict(checked, head=prev, missing_guards=missing)


GUARDS = {
    "sqlite": ("audit_log_no_update", "audit_log_no_delete"),
    "postgresql": ("audit_log_append_only",),
}


def missing_guards(session: Session) -> tuple[str, ...]:
    """The triggers refusing UPDATE and DELETE on the log that are gone (or disabled)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        query = sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
            "AND tgenabled <> 'D'"
        )
    else:
        query = sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = set(session.execute(query).scalars())
    return tuple(g for g in GUARDS.get(dialect, ()) if g not in present)


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
