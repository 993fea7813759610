from datetime import UTC, datetime

import pytest

from openlfr.domain.errors import DomainError
from openlfr.domain.identity import (
    LONGEST_WAIT,
    ONE_TIME_VALID,
    check_new_password,
    one_time_expiry,
    wait_after,
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


def test_each_failure_in_a_row_doubles_the_wait_from_a_second_to_a_minute() -> None:
    waits = [wait_after(n).total_seconds() for n in range(10)]
    assert waits == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert wait_after(10**6) == LONGEST_WAIT
    assert [wait_after(n, free=5).total_seconds() for n in (5, 6, 7)] == [0, 1, 2]


def test_every_one_time_password_expires_the_first_admins_too() -> None:
    assert one_time_expiry(NOW) == NOW + ONE_TIME_VALID
