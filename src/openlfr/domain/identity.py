"""Proving who is acting: the rules for passwords, one-time passwords, lock-out and sessions.

A user's first password is a one-time password an admin hands over (the very
first admin's is printed to whoever installs); it opens no session until the
user has chosen their own. Five wrong passwords in a row lock the name for a
quarter of an hour (OWASP ASVS 2.1 and 2.2).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from openlfr.domain.errors import Invalid

MIN_PASSWORD = 12
MAX_PASSWORD = 128
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
ONE_TIME_VALID = timedelta(hours=72)
WRONG = "wrong user name or password"  # the same words whichever was wrong


def check_new_password(name: str, password: str, old: str | None = None) -> None:
    """Refuse a password ``name`` may not choose."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters "
            f"(this one has {len(password)}): a few words make a good one"
        )
    if name.lower() in password.lower():
        raise Invalid("a password may not contain its user's name")
    if old is not None and password == old:
        raise Invalid("choose a password other than the one it replaces")


def locked_until(failures: list[datetime]) -> datetime | None:
    """When a name locked by ``failures`` (its wrong passwords since it last logged in, newest
    first) may try again; None if it is not locked."""
    if len(failures) < MAX_FAILURES:
        return None
    return failures[0] + LOCKOUT


def one_time_expiry(issued: datetime, first_admin: bool) -> datetime | None:
    """When a one-time password stops working: the first admin's never (no one else could issue
    another), everyone else's after ``ONE_TIME_VALID``."""
    return None if first_admin else issued + ONE_TIME_VALID
