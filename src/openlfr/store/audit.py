"""The audit log: append-only and hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so
changing, removing or reordering any entry breaks every hash after it. The
log is written in the same transaction as the action it records; the
database refuses UPDATE and DELETE on it (triggers). Writers are serialised
(SQLite: the write lock; PostgreSQL: an advisory lock) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

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

    def expected_hash(self) -> str:
        fields = [str(self.seq), self.at, self.actor, self.action, self.target, self.outcome]
        body = json.dumps([*fields, self.detail, self.prev_hash], ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


def append(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    outcome: str = "done",
    detail: dict[str, Any] | None = None,
) -> Entry:
    """Add an entry to the log in ``session``'s transaction; ``at`` is the action's time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    last = session.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    text = json.dumps(detail or {}, sort_keys=True, default=str, ensure_ascii=False)
    when = at.astimezone(UTC).isoformat(timespec="microseconds")
    draft = Entry(seq, when, actor, action, target, outcome, text, prev, "")
    entry = Entry(**{**draft.__dict__, "hash": draft.expected_hash()})
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
    head: str = GENESIS  # the last good hash: publish it to anchor the log

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the chain from the first entry; stop at the first entry that does not hold."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for e in entries(session):
        if e.seq != expected_seq:
            return Verdict(checked, expected_seq, f"entry {expected_seq} is missing", prev)
        if e.prev_hash != prev:
            return Verdict(checked, e.seq, "it does not follow the entry before it", prev)
        if e.expected_hash() != e.hash:
            return Verdict(checked, e.seq, "its content does not match its hash", prev)
        prev, expected_seq, checked = e.hash, e.seq + 1, checked + 1
    return Verdict(checked, head=prev)
