"""Password digests: argon2id for passwords people choose, SHA-256 for random secrets.

A chosen password may be guessable, so its digest is slow to try (argon2id,
argon2-cffi's RFC 9106 low-memory profile: 64 MiB, 3 passes). A one-time
password (79 bits) or a token (256 bits) is random: a fast digest is as safe and
costs nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from typing import TYPE_CHECKING

from openlfr.constant_time import same

if TYPE_CHECKING:
    from argon2 import PasswordHasher

_SHA256 = "sha256:"
# No 0/o, 1/l/i: read aloud or copied from paper without doubt (31 symbols: 16 give 79 bits).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # imported when a password is checked, not by every command

    return PasswordHasher()


def slow_digest(password: str) -> str:
    """The argon2id digest of a chosen password (its salt and parameters inside)."""
    return _hasher().hash(password)


def fast_digest(secret: str) -> str:
    """The SHA-256 digest of a random secret (a one-time password, a token)."""
    return _SHA256 + hashlib.sha256(secret.encode()).hexdigest()


def matches(digest: str, password: str) -> bool:
    """Whether ``password`` is the one ``digest`` was made from (either kind)."""
    if digest.startswith(_SHA256):
        return same(digest, fast_digest(password))
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_time(password: str) -> None:
    """Take as long as checking a real password: a name that does not exist answers no faster."""
    matches(_decoy(), password)


@cache
def _decoy() -> str:
    return slow_digest(secrets.token_urlsafe(16))


def one_time_password() -> str:
    """A random one-time password of 79 bits, in four groups of four (``abcd-efgh-jkmn-pqrs``)."""
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(symbols[i : i + 4] for i in range(0, 16, 4))


def token() -> str:
    """A random session or API token of 256 bits."""
    return "lfr_" + secrets.token_urlsafe(32)
