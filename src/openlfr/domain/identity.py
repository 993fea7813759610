"""Proving who is acting: the rules for passwords, one-time passwords, waits and sessions.

A user's first password is a one-time password an admin hands over (the very
first admin's is printed to whoever installs); it opens no session until the
user has chosen their own. Each wrong password in a row doubles the wait
before the next try is checked, from a second to a minute (OWASP ASVS 2.2.1): a
growing delay, not a lock, so no one can shut an officer out by typing wrong
passwords for them, and whoever knows the password gets in once it has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil

from openlfr.domain.errors import Invalid

MIN_PASSWORD = 12
MAX_PASSWORD = 128
FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=1)
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


def wait_after(failures: int, free: int = 0) -> timedelta:
    """How long to wait after ``failures`` failed tries in a row before the next is heard:
    nothing after the first ``free``, then ``FIRST_WAIT`` doubling with each, at most
    ``LONGEST_WAIT``."""
    over = failures - free
    if over <= 0:
        return timedelta(0)
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(over - 1, 16))


def seconds(wait: timedelta) -> int:
    """``wait`` in whole seconds, rounded up: what a refusal says to wait."""
    return ceil(wait.total_seconds())


def one_time_expiry(issued: datetime) -> datetime:
    """When a one-time password stops working: after ``ONE_TIME_VALID``, the first admin's too
    (should it lapse unused, the store's owner recovers: ``lfr recover``)."""
    return issued + ONE_TIME_VALID
