"""The database: an engine from a URL, migrated to the latest schema on open.

SQLite (the default, a file) is opened with foreign keys on, ``secure_delete``
(deleted rows are overwritten with zeros, so a destroyed key or template is
not left in free pages of the file), write-ahead logging (a transaction's new
pages go to the WAL; unlike a rollback journal it never copies the old ones,
so a key being destroyed is never written to a second file) and
write-locking transactions (so two processes never interleave a
read-then-write such as the audit chain). A transaction that only reads
takes no lock on SQLite (it reads a snapshot beside the writer) and is
read-only on PostgreSQL, which refuses any write in it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.errors import LfrError
from openlfr.store.tables import map_domain

if TYPE_CHECKING:
    from alembic.config import Config


class StoreError(LfrError):
    """The database cannot be reached or opened."""


BUSY_TIMEOUT_MS = 30000  # how long a SQLite writer waits for another's lock
SHRED_PATIENCE = 60.0  # seconds a shredding waits for readers of older snapshots to finish
SHREDDING_PENDING = 1  # the SQLite file's user_version while a shredding is pending


@dataclass
class Shredding:
    """What a ``Database.shredding`` left: ``done`` once no copy of what it deleted is left."""

    done: bool = False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" hook issue BEGIN itself
    cursor = dbapi_connection.cursor()
    pragmas = (
        "foreign_keys = ON",
        "secure_delete = ON",
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
        "journal_mode = WAL",
    )
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _owner_only(path: str | None) -> None:
    """Make the SQLite file (and so its journals, which take its mode) readable by its owner
    only: it holds personal data and wrapped keys."""
    if path and os.path.isdir(path):
        raise StoreError(
            f"database_url names a folder: {path}: name the database file in it "
            f"(sqlite:///{os.path.join(path, 'openlfr.db')})"
        )
    if path and path != ":memory:" and os.path.isdir(os.path.dirname(path) or "."):
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)


class NulCharacterError(LfrError):
    """Text holding a NUL character, which PostgreSQL cannot store (SQLite would)."""


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    """Refuse, on every backend alike, a value holding a NUL character, before it is sent."""
    rows = parameters if executemany else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise NulCharacterError("text with a NUL character (\\x00) cannot be stored: remove it")


def _reads_only(connection: sa.Connection) -> bool:
    return bool(connection.get_execution_options().get("reads_only"))


def _sqlite_begin(connection: sa.Connection) -> None:
    # A transaction that only reads begins deferred: it reads a snapshot of the WAL beside the
    # writer. With the write lock, every request and feed poll would queue with the alerts.
    connection.exec_driver_sql("BEGIN" if _reads_only(connection) else "BEGIN IMMEDIATE")


def _read_only_begin(connection: sa.Connection) -> None:
    if _reads_only(connection):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


# The newest migration (tests/store/test_db.py checks it against the migrations folder). A
# database already there is not handed to Alembic, which is slow to import.
SCHEMA_HEAD = "0011"


def alembic_config(connection: sa.Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("openlfr.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _schema_version(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


class Database:
    """One database, by SQLAlchemy URL; ``transaction()`` gives a session that commits."""

    shred_patience = SHRED_PATIENCE

    def __init__(self, url: str) -> None:
        map_domain()
        self.url = url
        try:
            # A server's connections can be dropped under the pool (a restart, a failover, an
            # idle timeout): each is checked as it is taken, and replaced if it is gone.
            self.engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError) as exc:
            raise StoreError(
                f"database_url (LFR_DATABASE_URL) is not a database URL SQLAlchemy can use "
                f"({exc}): e.g. postgresql+psycopg://user@host/openlfr"
            ) from None
        sa.event.listen(self.engine, "before_cursor_execute", _refuse_nul)
        if self.engine.dialect.name == "sqlite":
            _owner_only(self.engine.url.database)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            sa.event.listen(self.engine, "begin", _read_only_begin)
        self._reader = self.engine.execution_options(reads_only=True)  # after the listeners
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (a no-op when it is there)."""
        try:
            with self.engine.begin() as connection:
                if _schema_version(connection) != SCHEMA_HEAD:
                    from alembic import command

                    command.upgrade(alembic_config(connection), "head")
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"cannot open the database {self.engine.url!r}: {exc.orig}; "
                "check database_url (LFR_DATABASE_URL)"
            ) from None

    @contextmanager
    def shredding(self, *tables: str) -> Iterator[Shredding]:
        """Around a transaction that deletes keys or biometrics from ``tables``: afterwards no
        copy of what it deleted is left in the database's files, or, if a reader held on past
        ``shred_patience`` seconds, the shredding is left pending (``Shredding.done`` says
        which) and ``finish_shredding`` completes it later.

        SQLite: the WAL is emptied into the file before (so no older frame of it still
        holds a page with what is about to go) and after (so the zeroed pages overwrite
        the old ones in place, and the WAL is truncated). A reader still on a snapshot from
        before the deletion keeps the old pages in use, so the checkpoint waits for it to
        finish. PostgreSQL keeps deleted rows until a vacuum, so its tables are rewritten
        after (VACUUM FULL).
        """
        shredding = Shredding()
        if self.engine.dialect.name == "sqlite":
            give_up = time.monotonic() + self.shred_patience
            self._checkpoint(give_up)
            yield shredding
            shredding.done = self._checkpoint(give_up)
            if not shredding.done:
                self._mark_shredding(pending=True)
            return
        yield shredding
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f"VACUUM FULL {table}")
        shredding.done = True

    def shredding_pending(self) -> bool:
        """Whether a shredding was left pending by a reader (a number in the SQLite file's
        header, so every process that opens it sees it)."""
        if self.engine.dialect.name != "sqlite":
            return False
        connection = self.engine.raw_connection()
        try:
            [flag] = connection.cursor().execute("PRAGMA user_version").fetchone()
        finally:
            connection.close()
        return flag == SHREDDING_PENDING

    def finish_shredding(self, patience: float) -> bool:
        """Complete a pending shredding, waiting up to ``patience`` seconds for readers;
        whether it is done now."""
        if not self._checkpoint(time.monotonic() + patience):
            return False
        self._mark_shredding(pending=False)
        return True

    def _mark_shredding(self, pending: bool) -> None:
        connection = self.engine.raw_connection()
        try:
            flag = SHREDDING_PENDING if pending else 0
            connection.cursor().execute(f"PRAGMA user_version = {flag}")
        finally:
            connection.close()

    def _checkpoint(self, give_up: float) -> bool:
        """Empty the WAL into the file and truncate it, waiting (SQLite's busy handler) until
        no reader is on an older snapshot, or ``give_up`` (a ``time.monotonic()``) has passed;
        whether it was done."""
        # On the driver's connection: a checkpoint cannot run inside the transaction that
        # SQLAlchemy would begin.
        connection = self.engine.raw_connection()
        cursor = connection.cursor()
        try:
            wait = max(0, round((give_up - time.monotonic()) * 1000))
            cursor.execute(f"PRAGMA busy_timeout = {wait}")
            [busy, *_] = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.close()
        return not busy

    @contextmanager
    def transaction(self, reads_only: bool = False) -> Iterator[Session]:
        """A session whose work commits together at the end, or not at all; with
        ``reads_only`` one that writes nothing (and on SQLite holds no lock)."""
        bind = self._reader if reads_only else self.engine
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
