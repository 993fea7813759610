"""A deployment record's figures from known facts, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from openlfr.domain.alert import Adjudication as A
from openlfr.domain.alert import Disposal as D
from openlfr.domain.alert import Outcome as O
from openlfr.reporting.record import kind, record_of
from openlfr.services.records import AlertFacts, DeploymentFacts
from tests.domain.factories import NOW, deployment


def alert(verdict: A, outcome: O | None = None) -> AlertFacts:
    return AlertFacts(NOW, verdict, outcome, None, "male", "white")


@pytest.mark.parametrize(
    ("verdict", "outcome", "counted"),
    [
        (A.CONFIRMED_TRUE, O.ARRESTED, "confirmed_true"),
        (A.CONFIRMED_TRUE, O.ENGAGED_NO_FURTHER_ACTION, "confirmed_true"),
        (A.CONFIRMED_TRUE, O.NOT_ENGAGED, "unconfirmed_true"),
        (A.CONFIRMED_TRUE, O.OTHER, "unconfirmed_true"),
        (A.CONFIRMED_TRUE, None, "unconfirmed_true"),
        (A.CONFIRMED_FALSE, O.ENGAGED_NO_FURTHER_ACTION, "confirmed_false"),
        (A.CONFIRMED_FALSE, None, "unconfirmed_false"),
        (A.UNABLE_TO_CONFIRM, O.ENGAGED_NO_FURTHER_ACTION, "unable_to_confirm"),
        (A.UNADJUDICATED, None, "unadjudicated"),
    ],
)
def test_each_alert_counts_once_true_or_false_confirmed_by_an_engagement(
    verdict: A, outcome: O | None, counted: str
) -> None:
    assert kind(alert(verdict, outcome)) == counted


def ran(faces_seen: int | None, *alerts: AlertFacts, closed: bool = True) -> DeploymentFacts:
    """Facts of the test deployment, live from NOW + 1 h for 3 h (closed) or still live."""
    d = replace(deployment(), id=7, started_at=NOW + timedelta(hours=1), watchlist_size=40)
    if closed:
        d.close_requested_at = NOW + timedelta(hours=4)
    return DeploymentFacts(d, list(alerts), faces_seen)


def test_a_record_counts_alerts_rates_engagements_and_arrests() -> None:
    r = record_of(
        ran(
            4000,
            alert(A.CONFIRMED_TRUE, O.ARRESTED),
            alert(A.CONFIRMED_TRUE, O.ARRESTED),
            alert(A.CONFIRMED_TRUE, O.NOT_ENGAGED),
            alert(A.CONFIRMED_FALSE, O.ENGAGED_NO_FURTHER_ACTION),
            alert(A.CONFIRMED_FALSE),
            alert(A.UNABLE_TO_CONFIRM),
            alert(A.UNADJUDICATED),
        )
    )
    assert (r.deployment, r.date, r.location, r.use_case) == (
        7, NOW.date(), "Oxford Street at Oxford Circus", "crime_hotspot"
    )  # fmt: skip
    assert (r.threshold, r.watchlist_size, r.faces_seen) == (0.57, 40, 4000)
    assert r.duration_minutes == 180
    assert (r.alerts, r.confirmed_true, r.unconfirmed_true, r.confirmed_false) == (7, 2, 1, 1)
    assert (r.unconfirmed_false, r.unable_to_confirm, r.unadjudicated) == (1, 1, 1)
    assert r.false_alert_rate_over_faces == 2 / 4000
    assert r.false_alert_rate_over_alerts == 2 / 7
    assert (r.engagements, r.arrests, r.awaiting_disposal, r.charged) == (3, 2, 2, 0)


def test_disposals_are_counted_among_the_arrests() -> None:
    arrested = alert(A.CONFIRMED_TRUE, O.ARRESTED)
    r = record_of(
        ran(
            100,
            replace(arrested, disposal=D.CHARGED),
            replace(arrested, disposal=D.CHARGED),
            replace(arrested, disposal=D.CAUTIONED),
            replace(arrested, disposal=D.RELEASED_NO_FURTHER_ACTION),
            replace(arrested, disposal=D.OTHER),
            arrested,
            # An arrest corrected away (an auditor's correction): its disposal no longer counts.
            replace(alert(A.CONFIRMED_TRUE, O.NOT_ENGAGED), disposal=D.CHARGED),
        )
    )
    assert (r.arrests, r.charged, r.cautioned, r.released_no_further_action) == (6, 2, 1, 1)
    assert (r.other_disposal, r.awaiting_disposal) == (1, 1)


def test_a_count_not_kept_is_not_available_never_zero() -> None:
    r = record_of(ran(None, alert(A.CONFIRMED_FALSE)))
    assert r.faces_seen is None and r.false_alert_rate_over_faces is None
    assert r.false_alert_rate_over_alerts == 1.0
    quiet = record_of(ran(0))
    assert quiet.faces_seen == 0 and quiet.false_alert_rate_over_faces is None
    assert quiet.false_alert_rate_over_alerts is None


def test_a_deployment_still_live_has_no_end_yet() -> None:
    r = record_of(ran(10, closed=False))
    assert r.ended_at is None and r.duration_minutes is None


def test_a_deployment_closed_after_its_window_ended_is_counted_to_its_end() -> None:
    facts = ran(10)
    facts.deployment.close_requested_at = facts.deployment.ends_at + timedelta(hours=2)
    r = record_of(facts)
    assert r.ended_at == facts.deployment.ends_at and r.duration_minutes == 240
