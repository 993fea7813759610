from datetime import timedelta

import pytest

from openlfr.domain.alert import Adjudication, Alert, Outcome, adjudicate
from openlfr.domain.errors import DomainError
from openlfr.domain.retention import RetentionPolicy, purge_due
from tests.domain.factories import NOW, OFFICER, OPERATOR


def alert() -> Alert:
    return Alert(1, 7, "A. Person", "wanted_by_court", "male", "white", "van-1", NOW, 0.71, id=3)


def test_operator_adjudicates_and_changes_are_reported() -> None:
    a = alert()
    changes = adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None)
    assert changes == {
        "adjudication": "unadjudicated -> confirmed_true",
        "outcome": "None -> arrested",
    }
    assert (a.adjudicated_by, a.adjudicated_at) == ("omar", NOW)


def test_wrong_role_cannot_adjudicate() -> None:
    a = alert()
    with pytest.raises(DomainError, match="needs the role operator"):
        adjudicate(a, OFFICER, Adjudication.CONFIRMED_FALSE, None, "", NOW, None)
    assert a.adjudication == Adjudication.UNADJUDICATED and a.adjudicated_by is None


def test_no_way_back_to_unadjudicated_and_other_needs_a_note() -> None:
    a = alert()
    with pytest.raises(DomainError, match="does not go back"):
        adjudicate(a, OPERATOR, Adjudication.UNADJUDICATED, None, "", NOW, None)
    with pytest.raises(DomainError, match="needs a note"):
        adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.OTHER, " ", NOW, None)
    assert a.outcome is None


def test_retention_24_hours_unless_confirmed_true() -> None:
    policy = RetentionPolicy()
    closed = NOW
    false_alarm, unadjudicated, confirmed = alert(), alert(), alert()
    adjudicate(false_alarm, OPERATOR, Adjudication.CONFIRMED_FALSE, None, "", NOW, None)
    adjudicate(confirmed, OPERATOR, Adjudication.CONFIRMED_TRUE, None, "", NOW, None)
    day, month = closed + timedelta(hours=24), closed + timedelta(days=31)
    assert not purge_due(false_alarm, closed, policy, day - timedelta(seconds=1))
    assert purge_due(false_alarm, closed, policy, day)
    assert purge_due(unadjudicated, closed, policy, day)
    assert not purge_due(confirmed, closed, policy, day)
    assert purge_due(confirmed, closed, policy, month)
    assert not purge_due(alert(), None, policy, month)  # deployment not closed yet


def test_adjudication_is_final_once_the_deployment_closed() -> None:
    a = alert()
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_FALSE, None, "", NOW, None)
    with pytest.raises(DomainError, match="closed at 2026-11-23 12:00 UTC and its adjudication"):
        adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, NOW)
    assert a.adjudication == Adjudication.CONFIRMED_FALSE and a.outcome is None
