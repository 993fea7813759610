"""The store every service works in: its files private, its master key never replaced."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from openlfr.config import Settings
from openlfr.services import users
from openlfr.services.unit_of_work import Store
from openlfr.store.db import StoreError
from openlfr.store.keys import REGISTER, KeyStoreError
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
