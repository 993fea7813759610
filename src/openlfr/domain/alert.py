"""Alerts and their adjudication by an operator.

The states and outcomes are the published ones (Met and South Wales Police).
The software raises alerts; only a person with the operator role adjudicates
them, never the software.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Action, User, require


class Adjudication(StrEnum):
    UNADJUDICATED = "unadjudicated"
    CONFIRMED_TRUE = "confirmed_true"
    CONFIRMED_FALSE = "confirmed_false"
    UNABLE_TO_CONFIRM = "unable_to_confirm"


class Outcome(StrEnum):
    NOT_ENGAGED = "not_engaged"
    ENGAGED_NO_FURTHER_ACTION = "engaged_no_further_action"
    ARRESTED = "arrested"
    OTHER = "other"


@dataclass
class Alert:
    """A probe face that matched a watchlist entry at or above the deployment's threshold.

    The subject's category, sex and ethnicity are copied from the watchlist so
    that alerts can be monitored for equitability after the watchlist is
    destroyed; the probe crop and reference image are held apart (and purged).
    """

    deployment_id: int
    subject_id: int
    subject_name: str
    category: str
    sex: str
    ethnicity: str
    camera: str
    raised_at: datetime
    score: float
    adjudication: Adjudication = Adjudication.UNADJUDICATED
    outcome: Outcome | None = None
    outcome_note: str = ""
    adjudicated_by: str | None = None
    adjudicated_at: datetime | None = None
    biometrics_purged_at: datetime | None = None
    id: int | None = field(default=None)

    def __str__(self) -> str:
        return f"alert {self.id}"


def adjudicate(
    a: Alert,
    officer: User,
    verdict: Adjudication,
    outcome: Outcome | None,
    note: str,
    now: datetime,
    closed_at: datetime | None,
) -> dict[str, str]:
    """Record an operator's verdict and outcome; returns what changed, for the audit log.

    ``closed_at`` is when the alert's deployment closed: from then its record is
    final, since retention was set by the adjudication it had (a confirmed
    alert's images are kept 31 days, others 24 hours).
    """
    require(officer, Action.ADJUDICATE)
    if closed_at is not None:
        raise DomainError(
            f"{a}: its deployment closed at {closed_at:%Y-%m-%d %H:%M %Z} and its adjudication "
            "is final; a correction is not yet provided for"
        )
    if verdict == Adjudication.UNADJUDICATED:
        raise DomainError(
            f"{a}: choose confirmed_true, confirmed_false or unable_to_confirm; "
            "an adjudicated alert does not go back to unadjudicated"
        )
    if outcome == Outcome.OTHER and not note.strip():
        raise DomainError(f"{a}: the outcome 'other' needs a note saying what happened")
    before = {"adjudication": a.adjudication, "outcome": a.outcome, "note": a.outcome_note}
    a.adjudication, a.adjudicated_by, a.adjudicated_at = verdict, officer.name, now
    if outcome is not None:
        a.outcome, a.outcome_note = outcome, note.strip()
    after = {"adjudication": a.adjudication, "outcome": a.outcome, "note": a.outcome_note}
    return {k: f"{before[k]} -> {after[k]}" for k in after if before[k] != after[k]}
