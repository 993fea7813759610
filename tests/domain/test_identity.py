from datetime import UTC, datetime, timedelta

import pytest

from openlfr.domain.errors import DomainError
from openlfr.domain.identity import (
    LOCKOUT,
    MAX_FAILURES,
    ONE_TIME_VALID,
    check_new_password,
    locked_until,
    one_time_expiry,
)

NOW = datetime(2027, 3, 13, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short one", "a password has 12 to 128 characters (this one has 9)"),
        ("x" * 129, "a password has 12 to 128 characters (this one has 129)"),
        ("my name is PAT, ok?", "a password may not contain its user's name"),
        ("the same as before", "choose a password other than the one it replaces"),
    ],
)
def test_a_password_that_may_not_be_chosen(password: str, refusal: str) -> None:
    with pytest.raises(DomainError, match=refusal.replace("(", r"\(").replace(")", r"\)")):
        check_new_password("pat", password, old="the same as before")


def test_a_good_password_is_taken() -> None:
    check_new_password("pat", "correct horse battery", old="abcd-efgh-jkmn-pqrs")


def test_a_name_locks_at_the_fifth_wrong_password_in_a_row() -> None:
    failures = [NOW - timedelta(minutes=k) for k in range(MAX_FAILURES)]
    assert locked_until(failures[:-1]) is None
    assert locked_until(failures) == NOW + LOCKOUT


def test_only_the_first_admins_one_time_password_never_expires() -> None:
    assert one_time_expiry(NOW, first_admin=True) is None
    assert one_time_expiry(NOW, first_admin=False) == NOW + ONE_TIME_VALID
