"""Envelope encryption: sealing, master key files, data keys, destruction and rotation."""

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from openlfr.store import audit, integrity
from openlfr.store.db import Database
from openlfr.store.keys import (
    DataKeys,
    KeyStoreError,
    MasterKeys,
    begin_rotation,
    finish_rotation,
    seal,
    unseal,
)

NOW = datetime(2027, 3, 13, 11, 0, tzinfo=UTC)
ROW_KEY = bytes(range(32))  # the installation's integrity and audit keys, in real use data keys


@contextmanager
def action(db: Database) -> Iterator[Session]:
    """A transaction as the services' unit of work runs one: key rows written are signed and
    recorded in its audit entry."""
    with db.transaction() as session:
        session.info[integrity.KEY] = ROW_KEY
        yield session
        rows = integrity.written(session)
        audit.append(session, ROW_KEY, NOW, "root", "key.test", "keys", "done", {}, rows)


def test_sealed_data_opens_only_with_its_key_and_context() -> None:
    key, other = os.urandom(32), os.urandom(32)
    sealed = seal(key, b"template bytes", "deployment:1/template")
    assert b"template bytes" not in sealed
    assert unseal(key, sealed, "deployment:1/template") == b"template bytes"
    with pytest.raises(KeyStoreError, match="does not open"):
        unseal(other, sealed, "deployment:1/template")
    with pytest.raises(KeyStoreError, match="does not open"):
        unseal(key, sealed, "deployment:2/template")


def test_master_key_file_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    first = MasterKeys.load(None, path, create=True)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert MasterKeys.load(None, path, create=True).current == first.current


def test_master_key_from_environment_and_bad_keys(tmp_path: Path) -> None:
    key = os.urandom(32)
    assert (
        MasterKeys.load(base64.b64encode(key).decode(), tmp_path / "unused", create=True).current
        == key
    )
    assert not (tmp_path / "unused").exists()
    with pytest.raises(KeyStoreError, match="LFR_MASTER_KEY must hold a base64-encoded 32-byte"):
        MasterKeys.load("not a key", tmp_path / "unused", create=True)
    (tmp_path / "short.key").write_text(base64.b64encode(b"short").decode())
    with pytest.raises(KeyStoreError, match=r"short\.key must hold"):
        MasterKeys.load(None, tmp_path / "short.key", create=True)


def test_data_keys_are_made_kept_and_destroyed(database_url: str, tmp_path: Path) -> None:
    db, master = Database(database_url), MasterKeys.load(None, tmp_path / "master.key", create=True)
    with action(db) as session:
        made = DataKeys(session, master, NOW).get("deployment:1", create=True)
    with action(db) as session:
        keys = DataKeys(session, master, NOW)
        assert keys.get("deployment:1") == made
        assert keys.destroy("deployment:1") and not keys.destroy("deployment:1")
    with action(db) as session, pytest.raises(KeyStoreError, match="destroyed"):
        DataKeys(session, master, NOW).get("deployment:1")


def test_rotation_rewraps_and_survives_a_crash_before_the_rename(
    database_url: str, tmp_path: Path
) -> None:
    db, path = Database(database_url), tmp_path / "master.key"
    master = MasterKeys.load(None, path, create=True)
    with action(db) as session:
        made = DataKeys(session, master, NOW).get("register", create=True)
    old = master.current
    with action(db) as session:
        new = begin_rotation(master)
        assert DataKeys(session, master, NOW).rewrap(new) == 1
    # The process dies here: the file still holds the old key, the database the new wrapping.
    reloaded = MasterKeys.load(None, path, create=True)
    assert reloaded.current == old and reloaded.next == new
    with action(db) as session:
        assert DataKeys(session, reloaded, NOW).get("register") == made
    finish_rotation(reloaded)
    assert MasterKeys.load(None, path, create=True).current == new
    assert not path.with_name("master.key.next").exists()


def test_rotation_with_an_environment_key_is_refused() -> None:
    with pytest.raises(KeyStoreError, match="cannot rewrite"):
        begin_rotation(MasterKeys(os.urandom(32)))


def test_database_sealed_under_another_master_key(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    with action(db) as session:
        DataKeys(session, MasterKeys.load(None, tmp_path / "a.key", create=True), NOW).get(
            "register", create=True
        )
    with action(db) as session, pytest.raises(KeyStoreError, match="no master key with id"):
        DataKeys(session, MasterKeys.load(None, tmp_path / "b.key", create=True), NOW).get(
            "register"
        )
