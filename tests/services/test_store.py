"""The store every service works in: its files private, its master key never replaced."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from openlfr.config import Settings
from openlfr.services import audit, users
from openlfr.services.unit_of_work import Store
from openlfr.store import audit as chain
from openlfr.store import integrity
from openlfr.store.db import StoreError, alembic_config
from openlfr.store.keys import (
    AUDIT,
    INSTALLATION,
    INTEGRITY,
    REGISTER,
    KeyStoreError,
    MasterKeys,
    key_id,
    seal,
)
from openlfr.store.tables import data_keys
from openlfr.store.tables import users as user_rows
from tests.postgres import fresh_database, let_in, shut_out
from tests.services.conftest import Clock, staffed_store


def test_a_missing_master_key_is_refused_not_replaced(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, master_key=None,
                        master_key_file=tmp_path / "keys" / "master.key")  # fmt: skip
    store = Store(settings, create=True)
    users.add_first_admin(store, "ada")
    with store.action("ada", "test.seal", "a value") as act:
        act.keys.get(REGISTER, create=True)
    store.close()
    settings.key_file.unlink()
    with pytest.raises(KeyStoreError, match=r"master key file .*master\.key is missing and the"):
        Store(settings)
    assert not settings.key_file.exists()


def test_the_data_folder_and_database_are_the_owners_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, master_key=None,
                        master_key_file=tmp_path / "keys" / "master.key")  # fmt: skip
    Store(settings, create=True).close()
    assert (settings.data_dir.stat().st_mode & 0o777) == 0o700
    assert ((settings.data_dir / "openlfr.db").stat().st_mode & 0o777) == 0o600
    assert (settings.key_file.stat().st_mode & 0o777) == 0o600


def test_the_master_key_is_kept_away_from_the_data_folder(tmp_path: Path) -> None:
    """By default the key is not in the data folder, so a copy of that folder opens nothing;
    a key left there by an older install is refused, not silently replaced."""
    settings = Settings(data_dir=tmp_path / "data", master_key=None, master_key_file=None)
    assert not settings.key_file.is_relative_to(settings.data_dir)
    settings.data_dir.mkdir()
    (settings.data_dir / "master.key").write_text("an older install's key")
    with pytest.raises(StoreError, match=r"master key .*data.master\.key lies in the data folder"):
        Store(settings, create=True)
    assert not settings.key_file.exists()


def test_a_writer_waits_for_the_database_then_gives_up_with_its_error(
    postgres_url: str, tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with fresh_database(postgres_url) as url:
        store = staffed_store(tmp_path, url, clock)

        def add_zoe() -> object:
            return users.add_user(store, "root", "zoe", ["operator"])

        shut_out(url)
        try:
            with caplog.at_level(logging.WARNING), pytest.raises(sa.exc.OperationalError):
                store.retrying("adding zoe", add_zoe, patience=1.2)
        finally:
            let_in(url)
        # Tried at once, then after 0.5 s; the next pause (1 s) would outlast the patience.
        [waited] = [r.getMessage() for r in caplog.records]
        assert waited.startswith("adding zoe: the database did not answer (")
        assert waited.endswith("); trying again in 0.5 s")
        assert store.retrying("adding zoe", add_zoe)
        store.close()


def test_reads_go_on_while_another_process_writes_to_sqlite(tmp_path: Path, clock: Clock) -> None:
    """A read (a request's token check, the feed's poll, the public notice) takes no lock, so
    it neither waits for a writer nor makes an alert being committed wait for it."""
    store = staffed_store(tmp_path, None, clock)
    writer = sqlite3.connect(store.settings.data_dir / "openlfr.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a commit in progress does
    try:
        assert "root" in [u.name for u in users.list_users(store)]  # waited 30 s and failed
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    store.close()


def test_a_read_writes_nothing_on_postgresql(
    postgres_url: str, tmp_path: Path, clock: Clock
) -> None:
    with fresh_database(postgres_url) as url:
        store = staffed_store(tmp_path, url, clock)
        refused = pytest.raises(sa.exc.InternalError, match="read-only transaction")
        with refused, store.reading() as session:
            session.execute(sa.text("DELETE FROM audit_log"))
        store.close()


def test_a_store_from_before_the_row_record_is_recorded_as_it_stands_when_it_opens(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    """A store made before migration 0011: its log's entries list no rows, and its data keys
    carry no MAC. The first open signs them and records every governed row in one entry; from
    then on a change outside openlfr is found."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0010")
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url,
                        master_key_file=tmp_path / "master.key")  # fmt: skip
    master = MasterKeys.load(None, settings.key_file, create=True)
    made = {scope: os.urandom(32) for scope in INSTALLATION}
    root: dict[str, Any] = {"name": "root", "roles": ["admin"], "active": True, "mac": None}
    with engine.begin() as connection:
        for scope, key in made.items():
            wrapped = seal(master.current, key, f"key:{scope}")
            connection.execute(data_keys.insert().values(
                scope=scope, wrapped=wrapped, master_key_id=key_id(master.current),
                created_at=clock.now))  # fmt: skip
        root["id"] = connection.execute(
            user_rows.insert().values(**root).returning(user_rows.c.id)
        ).scalar_one()
        tag = integrity.mac(made[INTEGRITY], user_rows, root)
        connection.execute(user_rows.update().values(mac=tag))
        with Session(connection) as session:
            chain.append(session, made[AUDIT], clock.now, "root", "user.add", "user root")
            session.flush()
    engine.dispose()
    store = Store(settings, clock)
    try:
        users.add_user(store, "root", "ada", ["auditor"])
        verdict = audit.verify(store, "ada")
        assert verdict.intact, verdict
        with store.reading() as session:
            actions = [e.action for e in chain.entries(session)]
        assert actions[:2] == ["user.add", "audit.rows_recorded"]
        with store.db.engine.begin() as connection:
            connection.execute(user_rows.update().where(user_rows.c.name == "root")
                               .values(active=False))  # fmt: skip
            connection.execute(sa.text("UPDATE data_keys SET created_at = created_at"))
        found = {f"{r.table} {r.row}" for r in audit.verify(store, "ada").rows}
        assert found == {f"users {root['id']}"}
    finally:
        store.close()
