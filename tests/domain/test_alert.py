from datetime import timedelta

import pytest

from openlfr.domain.alert import (
    Adjudication,
    Alert,
    Disposal,
    Outcome,
    adjudicate,
    amend,
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
    with pytest.raises(DomainError, match="is still open: an operator amends its verdict"):
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
    amend(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", "arrested later", NOW,
          None)  # fmt: skip
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


def test_a_second_verdict_is_refused_whoever_gives_it() -> None:
    """Finding 10: a second handset's click does not replace the verdict already given."""
    a = alert()
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None, seen=1)
    other = User("olive", [Role.OPERATOR])
    for seen in (None, 1, 2):
        with pytest.raises(DomainError, match=r"already adjudicated|changed since it was seen"):
            adjudicate(a, other, Adjudication.CONFIRMED_FALSE, None, "", NOW, None, seen)
    assert (a.adjudication, a.outcome, a.adjudicated_by, a.version) == (
        Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "omar", 2
    )  # fmt: skip


def test_a_change_decided_on_a_stale_view_is_refused_naming_what_it_reads_now() -> None:
    a = alert()
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, None, "", NOW, None, seen=1)
    with pytest.raises(
        DomainError,
        match=r"alert 3 has changed since it was seen \(version 1, now 2: confirmed_true by "
        r"omar\): nothing recorded",
    ):
        amend(a, OPERATOR, Adjudication.CONFIRMED_FALSE, None, "", "not him", NOW, None, seen=1)
    assert (a.adjudication, a.version) == (Adjudication.CONFIRMED_TRUE, 2)


def test_an_operator_amends_a_verdict_for_a_reason_while_the_deployment_runs() -> None:
    a = alert()
    with pytest.raises(DomainError, match="alert 3 has no verdict to amend: adjudicate it"):
        amend(a, OPERATOR, Adjudication.CONFIRMED_FALSE, None, "", "why", NOW, None)
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.NOT_ENGAGED, "", NOW, None)
    other, later = User("olive", [Role.OPERATOR]), NOW + timedelta(minutes=5)
    with pytest.raises(DomainError, match="needs the role operator"):
        amend(a, AUDITOR, Adjudication.CONFIRMED_FALSE, None, "", "why", later, None, 2)
    with pytest.raises(DomainError, match="amending a verdict needs a reason"):
        amend(a, other, Adjudication.CONFIRMED_FALSE, None, "", " ", later, None, 2)
    with pytest.raises(DomainError, match="already reads confirmed_true, not_engaged by omar"):
        amend(a, other, Adjudication.CONFIRMED_TRUE, None, "", "same", later, None, 2)
    with pytest.raises(DomainError, match="adjudication is final: an auditor corrects it"):
        amend(a, other, Adjudication.CONFIRMED_FALSE, None, "", "not him", later, NOW, 2)
    changes = amend(a, other, Adjudication.CONFIRMED_FALSE, None, "", " not him ", later, None, 2)
    assert changes == {
        "adjudication": "confirmed_true -> confirmed_false",
        "adjudicated": "omar at 2026-11-23 12:00:00 UTC -> olive at 2026-11-23 12:05:00 UTC",
        "reason": "not him",
    }
    assert (a.adjudicated_by, a.adjudicated_at, a.version) == ("olive", later, 3)


def test_only_an_adjudicated_alert_is_corrected() -> None:
    """Finding 13: an auditor cannot give a verdict nobody gave during the deployment."""
    a = alert()
    with pytest.raises(DomainError, match="alert 3 was never adjudicated"):
        correct(a, AUDITOR, Adjudication.CONFIRMED_TRUE, None, "", "seen on CCTV", NOW, NOW)
    assert (a.adjudication, a.corrected_by, a.version) == (Adjudication.UNADJUDICATED, None, 1)


@pytest.mark.parametrize("verdict", [Adjudication.CONFIRMED_FALSE, Adjudication.UNABLE_TO_CONFIRM])
def test_an_arrest_follows_a_confirmed_verdict_only(verdict: Adjudication) -> None:
    """Finding 13: unable_to_confirm (or confirmed_false) left with 'arrested' would be counted
    as an arrest: refused on every path, given or left from before."""
    a = alert()
    with pytest.raises(
        DomainError, match=f"an arrest follows a confirmed_true verdict only, not {verdict}"
    ):
        adjudicate(a, OPERATOR, verdict, Outcome.ARRESTED, "", NOW, None)
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None)
    with pytest.raises(DomainError, match="an arrest follows a confirmed_true verdict only"):
        amend(a, OPERATOR, verdict, None, "", "on reflection", NOW, None)
    with pytest.raises(DomainError, match="an arrest follows a confirmed_true verdict only"):
        correct(a, AUDITOR, verdict, None, "", "custody record", NOW, NOW)
    assert (a.adjudication, a.outcome, a.version) == (
        Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, 2
    )  # fmt: skip
    correct(a, AUDITOR, verdict, Outcome.ENGAGED_NO_FURTHER_ACTION, "", "custody record", NOW, NOW)
    assert (a.adjudication, a.outcome, a.version) == (verdict, Outcome.ENGAGED_NO_FURTHER_ACTION, 3)


def test_every_write_bumps_the_version_once() -> None:
    a = alert()
    adjudicate(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "", NOW, None, 1)
    amend(a, OPERATOR, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "twice", "a note", NOW,
          None, 2)  # fmt: skip
    record_disposal(a, OPERATOR, Disposal.CHARGED, "", NOW)
    correct(a, AUDITOR, Adjudication.CONFIRMED_TRUE, Outcome.OTHER, "released", "why", NOW, NOW, 4)
    assert a.version == 5
