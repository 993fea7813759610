from datetime import timedelta

import pytest

from openlfr.domain.alert import (
    Adjudication,
    Alert,
    Disposal,
    Outcome,
    adjudicate,
    correct,
    record_disposal,
)
from openlfr.domain.errors import DomainError
from openlfr.domain.retention import RetentionPolicy, purge_due
from openlfr.domain.roles import Role, User
from tests.domain.factories import AUDITOR, NOW, OFFICER, OPERATOR


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
    with pytest.raises(
        DomainError,
        match="closed at 2026-11-23 12:00 UTC and its adjudication is final: an auditor corrects",
    ):
        adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, NOW)
    assert a.adjudication == Adjudication.CONFIRMED_FALSE and a.outcome is None


def test_an_auditor_corrects_a_closed_record_for_a_reason() -> None:
    a = alert()
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None)
    closed = NOW + timedelta(hours=1)
    later = closed + timedelta(days=2)
    fix = (Adjudication.CONFIRMED_FALSE, Outcome.OTHER, "released: not him")
    with pytest.raises(DomainError, match="is still open: an operator adjudicates it again"):
        correct(a, AUDITOR, *fix, "wrong man", later, None)
    with pytest.raises(DomainError, match="needs the role auditor"):
        correct(a, OPERATOR, *fix, "wrong man", later, closed)
    with pytest.raises(DomainError, match="needs a reason"):
        correct(a, AUDITOR, *fix, " ", later, closed)
    changes = correct(a, AUDITOR, *fix, "wrong man", later, closed)
    assert changes == {
        "adjudication": "confirmed_true -> confirmed_false",
        "outcome": "arrested -> other",
        "note": " -> released: not him",
        "reason": "wrong man",
    }
    # Who adjudicated stays; retention is recomputed by the corrected verdict, from the close.
    assert (a.adjudicated_by, a.corrected_by, a.corrected_at) == ("omar", "ada", later)
    assert purge_due(a, closed, RetentionPolicy(), later)
    with pytest.raises(DomainError, match="already reads confirmed_false: nothing to correct"):
        correct(a, AUDITOR, *fix, "again", later, closed)


def test_the_adjudicator_does_not_correct_their_own_verdict() -> None:
    a = alert()
    both = User("sam", [Role.OPERATOR, Role.AUDITOR])
    adjudicate(a, both, Adjudication.CONFIRMED_FALSE, None, "", NOW, None)
    with pytest.raises(DomainError, match="was adjudicated by sam: another auditor corrects it"):
        correct(a, both, Adjudication.CONFIRMED_TRUE, None, "", "on reflection", NOW, NOW)


def test_a_disposal_follows_an_arrest_and_may_be_recorded_again_as_the_case_moves_on() -> None:
    a = alert()
    with pytest.raises(
        DomainError, match=r"alert 3 led to no arrest \(its outcome is not recorded\)"
    ):
        record_disposal(a, OPERATOR, Disposal.CHARGED, "", NOW)
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.NOT_ENGAGED, "", NOW, None)
    with pytest.raises(DomainError, match=r"outcome is not_engaged.*record the arrest first"):
        record_disposal(a, OPERATOR, Disposal.CHARGED, "", NOW)
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None)
    with pytest.raises(DomainError, match="needs the role operator"):
        record_disposal(a, AUDITOR, Disposal.CHARGED, "", NOW)
    assert record_disposal(a, OPERATOR, Disposal.CHARGED, "", NOW) == {
        "disposal": "None -> charged"
    }
    with pytest.raises(DomainError, match="already reads charged: nothing to record"):
        record_disposal(a, OPERATOR, Disposal.CHARGED, " ", NOW)
    with pytest.raises(DomainError, match="'other' needs a note"):
        record_disposal(a, OPERATOR, Disposal.OTHER, " ", NOW)
    later = NOW + timedelta(days=40)
    changes = record_disposal(a, OPERATOR, Disposal.OTHER, "charges dropped", later)
    assert changes == {"disposal": "charged -> other", "note": " -> charges dropped"}
    assert (a.disposal, a.disposal_recorded_by, a.disposal_recorded_at) == (
        Disposal.OTHER, "omar", later
    )  # fmt: skip
