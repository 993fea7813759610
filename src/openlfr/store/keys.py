"""Envelope encryption: data keys per scope, wrapped by a master key.

A scope is ``register`` (subjects' reference images and templates),
``deployment:N`` (deployment N's watchlist) or ``alerts:N`` (its alerts'
crops). Destroying a scope's data key makes everything sealed with it
unreadable (crypto-shredding). The master key lives outside the database: a
file (created on first use, mode 0600) or ``LFR_MASTER_KEY``. Rotation writes
the new key beside the old as ``.next``, re-wraps every data key in one
transaction, then renames; a crash in between leaves both keys readable.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from openlfr.errors import LfrError
from openlfr.files import private_folder
from openlfr.store import integrity
from openlfr.store.tables import data_keys

NONCE = 12
REGISTER = "register"


AUDIT = "audit"  # the key the audit chain's HMACs are made under
INTEGRITY = "integrity"  # the key the row MACs are made under (store.integrity)
INSTALLATION = (INTEGRITY, AUDIT)  # made with the store, never again (see DataKeys.make)


def watchlist_scope(deployment_id: int | None) -> str:
    """The scope of a deployment's watchlist, destroyed when it closes."""
    return f"deployment:{deployment_id}"


def alerts_scope(deployment_id: int | None) -> str:
    """The scope of a deployment's alert images, destroyed after the last purge."""
    return f"alerts:{deployment_id}"


class KeyStoreError(LfrError):
    """A master or data key is missing, malformed or does not open what it should."""


def seal(key: bytes, plaintext: bytes, context: str) -> bytes:
    """AES-GCM ``plaintext`` under ``key``, bound to ``context``; nonce first."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, sealed: bytes, context: str) -> bytes:
    if not isinstance(sealed, bytes):  # SQLite stores what it is given: text where bytes go
        raise KeyStoreError(
            f"sealed data for {context} is not bytes but {type(sealed).__name__}: it was changed "
            "outside openlfr; nothing is done with it"
        )
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], context.encode())
    except InvalidTag:
        raise KeyStoreError(
            f"sealed data for {context} does not open with its key: it was altered "
            "or sealed under another key"
        ) from None


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"openlfr master key" + key).hexdigest()[:16]


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise KeyStoreError(f"{where} must hold a base64-encoded 32-byte key")
    return key


def _pending(path: Path) -> Path:
    """Where a rotation writes the next master key before it takes over."""
    return path.with_name(path.name + ".next")


def _write_key(path: Path, key: bytes) -> None:
    """Write a key file readable by its owner only, durably."""
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(key).decode() + "\n")
        f.flush()
        os.fsync(f.fileno())


@dataclass
class MasterKeys:
    """The master key in use, and a rotation's next key if one was interrupted."""

    current: bytes
    next: bytes | None = None
    path: Path | None = None  # None: the key came from the environment

    @staticmethod
    def load(secret: str | None, path: Path, create: bool) -> MasterKeys:
        """From ``secret`` (base64) if given, else from ``path``; created there if absent and
        ``create`` (a database with no data keys yet), never silently replaced."""
        if secret:
            return MasterKeys(_decode(secret, "LFR_MASTER_KEY"))
        if not path.exists():
            if not create:
                raise KeyStoreError(
                    f"the master key file {path} is missing and the database holds data keys "
                    "wrapped by it: restore the file, or set LFR_MASTER_KEY or master_key_file "
                    "to the key (a new key would open nothing)"
                )
            _write_key(path, AESGCM.generate_key(bit_length=256))
        pending = _pending(path)
        return MasterKeys(
            _decode(path.read_text(), str(path)),
            _decode(pending.read_text(), str(pending)) if pending.exists() else None,
            path,
        )

    def by_id(self, wanted: str) -> bytes:
        for key in (self.current, self.next):
            if key is not None and key_id(key) == wanted:
                return key
        raise KeyStoreError(
            f"no master key with id {wanted}: this database was sealed under another "
            "master key; set LFR_MASTER_KEY or master_key_file to it"
        )


class DataKeys:
    """Each scope's data key, made on first use and unwrapped once per transaction; ``now`` is
    the transaction's time (a key made in it is dated so)."""

    def __init__(self, session: Session, master: MasterKeys, now: datetime) -> None:
        self.session = session
        self.master = master
        self.now = now
        self._unwrapped: dict[str, bytes] = {}

    def get(self, scope: str, create: bool = False) -> bytes:
        """``scope``'s key; made now if it has none and ``create`` (not the installation's own
        keys: those are made once, with the store)."""
        if scope not in self._unwrapped:
            self._unwrapped[scope] = self._load(scope, create and scope not in INSTALLATION)
        return self._unwrapped[scope]

    def make(self, scope: str) -> bytes:
        """Make ``scope``'s key (there must be none)."""
        key = AESGCM.generate_key(bit_length=256)
        if scope == INTEGRITY:  # the key row MACs are made under signs its own row too
            self.session.info[integrity.KEY] = key
        integrity.insert(
            self.session,
            data_keys,
            scope=scope,
            wrapped=seal(self.master.current, key, f"key:{scope}"),
            master_key_id=key_id(self.master.current),
            created_at=self.now,
        )
        self._unwrapped[scope] = key
        return key

    def _load(self, scope: str, create: bool) -> bytes:
        found = self.session.execute(
            sa.select(data_keys.c.wrapped, data_keys.c.master_key_id).where(
                data_keys.c.scope == scope
            )
        ).first()
        if found is None and create:
            return self.make(scope)
        if found is None and scope in INSTALLATION:
            raise KeyStoreError(
                f"the installation's {scope} key is missing from the database (its data_keys "
                "row was deleted): nothing can be checked or signed without it, and openlfr "
                "never makes another (that would hide what came before); restore the database "
                "from its backup (README: Backups)"
            )
        if found is None:
            raise KeyStoreError(f"the key of {scope} is destroyed or was never made")
        return unseal(self.master.by_id(found.master_key_id), found.wrapped, f"key:{scope}")

    def destroy(self, scope: str) -> bool:
        """Delete ``scope``'s key; returns whether there was one."""
        self._unwrapped.pop(scope, None)
        return bool(integrity.delete(self.session, data_keys, data_keys.c.scope == scope))

    def rewrap(self, new_master: bytes) -> int:
        """Wrap every data key under ``new_master``; returns how many."""
        scopes = self.session.scalars(sa.select(data_keys.c.scope)).all()
        for scope in scopes:
            integrity.update(
                self.session,
                data_keys,
                data_keys.c.scope == scope,
                wrapped=seal(new_master, self.get(scope), f"key:{scope}"),
                master_key_id=key_id(new_master),
            )
        return len(scopes)


def begin_rotation(master: MasterKeys) -> bytes:
    """Make and durably write the next master key; returns it."""
    if master.path is None:
        raise KeyStoreError(
            "the master key comes from LFR_MASTER_KEY, which openlfr cannot rewrite: "
            "move it into a key file (master_key_file) to rotate it"
        )
    if master.next is None:
        master.next = AESGCM.generate_key(bit_length=256)
        _write_key(_pending(master.path), master.next)
    return master.next


def finish_rotation(master: MasterKeys) -> None:
    """After the re-wrap committed: the next key becomes the key."""
    assert master.path is not None and master.next is not None
    os.replace(_pending(master.path), master.path)
    master.current, master.next = master.next, None
