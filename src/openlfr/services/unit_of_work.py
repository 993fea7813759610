"""The unit of work every governance service runs in: one transaction, its audit entry, the
keys and the clock.

``Store.action`` is the one way a service changes anything: it runs the work
in one transaction with the audit entry that records it; if a rule refuses,
the work is rolled back and the refusal itself is audited. The queries live in
``openlfr.store.repositories``; the tables and migrations in ``openlfr.store``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.config import Settings
from openlfr.domain.errors import NotFound, Unauthenticated
from openlfr.domain.roles import SYSTEM, User
from openlfr.errors import LfrError
from openlfr.store import audit, integrity
from openlfr.store.db import Database, StoreError
from openlfr.store.keys import AUDIT, INSTALLATION, INTEGRITY, DataKeys, MasterKeys, seal, unseal
from openlfr.store.repositories import Users
from openlfr.store.tables import audit_log, audit_rows, data_keys

T = TypeVar("T")

log = logging.getLogger(__name__)

STORE_PATIENCE = 60.0  # seconds a writer that must not lose its work waits for the database


def fetch(session: Session, cls: type[T], ident: int) -> T:
    """The ``cls`` with id ``ident``, or a refusal naming it."""
    found = session.get(cls, ident)
    if found is None:
        raise NotFound(f"there is no {cls.__name__.lower()} {ident}")
    return found


def acting(session: Session, actor: str) -> User:
    """The user named ``actor``, who must exist."""
    found = Users(session).named(actor)
    if found is None:
        raise Unauthenticated(f"there is no user named {actor}: an admin adds users")
    return found


@dataclass
class Act:
    """One audited action in progress: its session, and what the audit entry will say."""

    session: Session
    keys: DataKeys
    actor: str
    target: str
    now: datetime  # the action's time, from the store's clock
    detail: dict[str, Any] = field(default_factory=dict)

    def user(self) -> User:
        """The acting user, who must exist."""
        return acting(self.session, self.actor)

    def get(self, cls: type[T], ident: int) -> T:
        return fetch(self.session, cls, ident)

    def insert(self, table: sa.Table, **values: Any) -> Any:
        """Insert a row of a covered table with Core, signed and recorded for the audit entry
        (the ORM's writes are, by themselves); returns its primary key."""
        return integrity.insert(self.session, table, **values)

    def update(self, table: sa.Table, where: Any, **values: Any) -> None:
        """Update the rows of a covered table matching ``where``, each checked against its MAC
        and the audit log first (an edited or replayed row is refused, not laundered)."""
        integrity.update(self.session, table, where, **values)

    def insert_sealed(
        self, table: sa.Table, scope: str, values: dict[str, Any], secrets: dict[str, bytes]
    ) -> Any:
        """Insert a row of ``table`` with its ``secrets`` columns sealed under ``scope``'s key and
        bound to that row and column (AES-GCM associated data): a sealed value copied into
        another row or column, by anyone with the database file, no longer opens. Returns the
        row's key."""
        row = self.insert(table, **values, **dict.fromkeys(secrets, b""))
        sealed = {c: self.seal(scope, table, row, c, v) for c, v in secrets.items()}
        self.update(table, integrity.key_of(table) == row, **sealed)
        return row

    def seal(self, scope: str, table: sa.Table, row: Any, column: str, plain: bytes) -> bytes:
        """``plain`` sealed under ``scope``'s key, bound to ``table``'s ``row`` and ``column``."""
        return seal(self.keys.get(scope, create=True), plain, _binding(scope, table, row, column))

    def unseal(self, scope: str, table: sa.Table, row: Any, column: str, sealed: bytes) -> bytes:
        """Open the value of ``column`` in ``table``'s row ``row``, sealed by ``insert_sealed``."""
        return unseal(self.keys.get(scope), sealed, _binding(scope, table, row, column))


def _binding(scope: str, table: sa.Table, row: Any, column: str) -> str:
    return f"{scope}/{table.name}/{row}/{column}"


class Store:
    """The governance store of one installation (settings name its database and master key)."""

    def __init__(
        self, settings: Settings, clock: Callable[[], datetime] | None = None, create: bool = False
    ) -> None:
        """Open the store ``settings`` name; ``create`` makes it first if there is none (only
        ``lfr init`` does: a mistyped database URL or a lost key file must not become a new
        empty store)."""
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        if self.settings.database_url is None:
            self.settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.db = Database(self.settings.database)
        secret = self.settings.master_key
        beside = self.settings.data_dir / "master.key"
        if secret is None and beside.exists() and not self.settings.key_file.exists():
            raise StoreError(
                f"the master key {beside} lies in the data folder, beside the database it "
                f"protects: move it to {self.settings.key_file} (or set master_key_file)"
            )
        empty = self._holds_no_data_keys()
        if empty and not create:
            raise StoreError(
                f"there is no openlfr store in {self.db.engine.url!r} yet: lfr init NAME makes "
                "it, with NAME its first admin (or check database_url and data_dir)"
            )
        self.master = MasterKeys.load(
            secret.get_secret_value() if secret else None,
            self.settings.key_file,
            create=empty and not self.settings.key_file.exists(),
        )
        self._open_ledger()

    def _holds_no_data_keys(self) -> bool:
        with self.db.transaction(reads_only=True) as session:
            return not session.scalar(sa.select(sa.func.count()).select_from(data_keys))

    def _open_ledger(self) -> None:
        """Make the installation's keys with a new store (a log with no entries), and start
        recording the rows each entry writes: on a new store, or on one from before rows were
        recorded, one entry lists every governed row as it stands."""
        with self.db.transaction() as session:
            keys = DataKeys(session, self.master, self.now())
            if session.scalar(sa.select(audit_log.c.seq).limit(1)) is None:
                for scope in INSTALLATION:
                    if session.scalar(sa.select(data_keys.c.scope).where(
                            data_keys.c.scope == scope)) is None:  # fmt: skip
                        keys.make(scope)
            session.info[integrity.KEY] = keys.get(INTEGRITY)
            if session.scalar(sa.select(audit_rows.c.seq).limit(1)) is None:
                rows = integrity.adopt(session)
                detail = {"rows": len(rows)}
                audit.append(session, keys.get(AUDIT), self.now(), SYSTEM, "audit.rows_recorded",
                             "governed rows", "done", detail, rows)  # fmt: skip

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def action(self, actor: str, name: str, target: str) -> Iterator[Act]:
        """Run an action and its audit entry in one transaction; audit a refusal on its own."""
        try:
            with self.db.transaction() as session:
                now = self.now()
                act = Act(session, DataKeys(session, self.master, now), actor, target, now)
                session.info[integrity.KEY] = act.keys.get(INTEGRITY)
                yield act
                key, rows = act.keys.get(AUDIT), integrity.written(session)
                audit.append(session, key, act.now, actor, name, act.target, "done", act.detail,
                             rows)  # fmt: skip
        except LfrError as exc:  # a refusal, or data that does not open
            self.refused(actor, name, target, str(exc))
            raise

    def refused(self, actor: str, name: str, target: str, reason: str) -> None:
        """Audit a refusal of action ``name`` on its own (nothing else is written)."""
        with self.db.transaction() as session:
            key = DataKeys(session, self.master, self.now()).get(AUDIT)
            detail = {"reason": reason}
            audit.append(session, key, self.now(), actor, name, target, "refused", detail)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads that are not biometric (those go through ``action``)."""
        with self.db.transaction(reads_only=True) as session:
            keys = DataKeys(session, self.master, self.now())
            session.info[integrity.KEY] = keys.get(INTEGRITY)
            yield session

    def retrying(self, what: str, work: Callable[[], T], patience: float = STORE_PATIENCE) -> T:
        """``work()`` (one transaction), tried again while the database does not answer: a
        PostgreSQL server restarting or failing over, SQLite's write lock held past its 30 s
        timeout. The pause between tries doubles from 0.5 s to 8 s, each logged with ``what``;
        after ``patience`` seconds the database's error goes up."""
        give_up, pause = time.monotonic() + patience, 0.5
        while True:
            try:
                return work()
            except sa.exc.OperationalError as exc:
                if time.monotonic() + pause > give_up:
                    raise
                why = " ".join(str(exc.orig).split())  # a driver's message can be multi-line
                log.warning("%s: the database did not answer (%s); trying again in %.1f s",
                            what, why, pause)  # fmt: skip
                time.sleep(pause)
                pause = min(2 * pause, 8.0)

    def close(self) -> None:
        self.db.dispose()
