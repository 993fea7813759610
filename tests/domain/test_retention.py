"""Retention of alert biometrics: how long per verdict, under a force's own periods.

tests/domain/test_alert.py covers the default periods around the 24 hours; these cover
each verdict, policies a force sets, and the edges.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from openlfr.domain.alert import Adjudication, Alert
from openlfr.domain.retention import RetentionPolicy, purge_due
from tests.domain.factories import NOW

SECOND = timedelta(seconds=1)


def alert(verdict: Adjudication = Adjudication.UNADJUDICATED) -> Alert:
    return Alert(
        1, 7, "A. Person", "wanted_by_court", "male", "white", "van-1", NOW, 0.71,
        adjudication=verdict, id=3,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("verdict", "kept"),
    [
        (Adjudication.UNADJUDICATED, timedelta(hours=24)),
        (Adjudication.CONFIRMED_FALSE, timedelta(hours=24)),
        (Adjudication.UNABLE_TO_CONFIRM, timedelta(hours=24)),
        (Adjudication.CONFIRMED_TRUE, timedelta(days=31)),
    ],
)
def test_only_a_confirmed_true_alert_is_kept_longer(verdict: Adjudication, kept: timedelta) -> None:
    assert RetentionPolicy().keep_for(alert(verdict)) == kept


def test_a_forces_own_periods_are_used() -> None:
    policy = RetentionPolicy(unconfirmed=timedelta(hours=6), confirmed=timedelta(days=90))
    unconfirmed, confirmed = alert(), alert(Adjudication.CONFIRMED_TRUE)
    assert policy.keep_for(unconfirmed) == timedelta(hours=6)
    assert policy.keep_for(confirmed) == timedelta(days=90)
    six_hours, ninety_days = NOW + timedelta(hours=6), NOW + timedelta(days=90)
    assert not purge_due(unconfirmed, NOW, policy, six_hours - SECOND)
    assert purge_due(unconfirmed, NOW, policy, six_hours)
    # Past the default month, still inside the force's 90 days.
    assert not purge_due(confirmed, NOW, policy, NOW + timedelta(days=31))
    assert not purge_due(confirmed, NOW, policy, ninety_days - SECOND)
    assert purge_due(confirmed, NOW, policy, ninety_days)


def test_the_confirmed_month_ends_to_the_second() -> None:
    month = NOW + timedelta(days=31)
    confirmed = alert(Adjudication.CONFIRMED_TRUE)
    assert not purge_due(confirmed, NOW, RetentionPolicy(), month - SECOND)
    assert purge_due(confirmed, NOW, RetentionPolicy(), month)


def test_zero_retention_purges_at_the_close_and_not_before() -> None:
    policy = RetentionPolicy(unconfirmed=timedelta(0), confirmed=timedelta(0))
    for verdict in (Adjudication.UNADJUDICATED, Adjudication.CONFIRMED_TRUE):
        assert purge_due(alert(verdict), NOW, policy, NOW)
        # A clock behind the close (a close recorded ahead) purges nothing early.
        assert not purge_due(alert(verdict), NOW, policy, NOW - SECOND)


def test_retention_runs_from_the_close_not_from_the_alert() -> None:
    a = alert()  # raised at NOW
    closed = NOW + timedelta(hours=10)
    day_after_alert, day_after_close = NOW + timedelta(hours=24), closed + timedelta(hours=24)
    assert not purge_due(a, closed, RetentionPolicy(), day_after_alert)
    assert not purge_due(a, closed, RetentionPolicy(), day_after_close - SECOND)
    assert purge_due(a, closed, RetentionPolicy(), day_after_close)


def test_biometrics_already_purged_are_never_due_again() -> None:
    a = alert()
    a.biometrics_purged_at = NOW + timedelta(hours=24)
    assert not purge_due(a, NOW, RetentionPolicy(), NOW + timedelta(days=365))
