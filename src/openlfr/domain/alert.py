"""Alerts, their adjudication by an operator, and its correction by an auditor.

The states and outcomes are the published ones (Met and South Wales Police).
The software raises alerts; only a person with the operator role adjudicates
them, never the software. A verdict once given is changed only on purpose, with a
reason: amended by an operator while its deployment runs, corrected by an auditor
after. Every write of an alert bumps its version, and a change decided on a view of
an older version is refused, so a second handset or a stale page never overwrites a
verdict it did not see.
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


class Disposal(StrEnum):
    """What became of an arrest, recorded when it is known (often after the deployment)."""

    CHARGED = "charged"
    CAUTIONED = "cautioned"
    RELEASED_NO_FURTHER_ACTION = "released_no_further_action"
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
    corrected_by: str | None = None  # an auditor, after the deployment closed
    corrected_at: datetime | None = None
    correction_reason: str = ""
    seen_at: datetime | None = None  # when the frame it was decided on was captured
    track_length: int = 0  # frames its track was seen in when it was decided
    disposal: Disposal | None = None  # what became of the arrest, once known
    disposal_note: str = ""
    disposal_recorded_by: str | None = None
    disposal_recorded_at: datetime | None = None
    version: int = 1  # bumped by every write: a change names the version it was decided on
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
    seen: int | None = None,
) -> dict[str, str]:
    """Record an operator's verdict and outcome on an alert awaiting one; returns what
    changed, for the audit log.

    ``closed_at`` is when the alert's deployment closed: from then its record is
    final, since retention was set by the adjudication it had (a confirmed
    alert's images are kept 31 days, others 24 hours). ``seen`` is the version of
    the alert the verdict was decided on (None: the caller names none).
    """
    require(officer, Action.ADJUDICATE)
    _check_open(a, closed_at)
    check_seen(a, seen)
    if a.adjudication != Adjudication.UNADJUDICATED:
        raise DomainError(
            f"{a} was already adjudicated {_verdict(a)}: nothing recorded; if that verdict is "
            "wrong, amend it with a reason (lfr alert amend)"
        )
    changes = _record(a, verdict, outcome, note)
    a.adjudicated_by, a.adjudicated_at = officer.name, now
    return changes


def amend(
    a: Alert,
    officer: User,
    verdict: Adjudication,
    outcome: Outcome | None,
    note: str,
    reason: str,
    now: datetime,
    closed_at: datetime | None,
    seen: int | None = None,
) -> dict[str, str]:
    """Change the verdict of an adjudicated alert while its deployment runs: an operator, for
    a stated reason, having seen version ``seen``. The amending operator becomes its
    adjudicator; the audit log keeps what it read before, who had adjudicated it, and why."""
    require(officer, Action.ADJUDICATE)
    _check_open(a, closed_at)
    check_seen(a, seen)
    if a.adjudication == Adjudication.UNADJUDICATED:
        raise DomainError(f"{a} has no verdict to amend: adjudicate it (lfr alert adjudicate)")
    if not reason.strip():
        raise DomainError(f"{a}: amending a verdict needs a reason (--reason)")
    before = f"{a.adjudicated_by} at {a.adjudicated_at:%Y-%m-%d %H:%M:%S %Z}"
    changes = _record(a, verdict, outcome, note)
    if not changes:
        raise DomainError(f"{a} already reads {_verdict(a)}: nothing to amend")
    a.adjudicated_by, a.adjudicated_at = officer.name, now
    after = f"{officer.name} at {now:%Y-%m-%d %H:%M:%S %Z}"
    return changes | {"adjudicated": f"{before} -> {after}", "reason": reason.strip()}


def correct(
    a: Alert,
    auditor: User,
    verdict: Adjudication,
    outcome: Outcome | None,
    note: str,
    reason: str,
    now: datetime,
    closed_at: datetime | None,
    seen: int | None = None,
) -> dict[str, str]:
    """Correct the adjudication of an alert whose deployment has closed: by an auditor who did
    not adjudicate it, for a stated reason, having seen version ``seen``. Who adjudicated and
    when stay as they were, so retention still runs from the close; images already purged stay
    purged."""
    require(auditor, Action.CORRECT_ADJUDICATION)
    if closed_at is None:
        raise DomainError(
            f"{a}: its deployment is still open: an operator amends its verdict (lfr alert amend)"
        )
    check_seen(a, seen)
    if a.adjudication == Adjudication.UNADJUDICATED:
        raise DomainError(
            f"{a} was never adjudicated: its record says so, and there is no verdict to correct"
        )
    if auditor.name == a.adjudicated_by:
        raise DomainError(f"{a} was adjudicated by {auditor.name}: another auditor corrects it")
    if not reason.strip():
        raise DomainError(f"{a}: a correction needs a reason (--reason)")
    changes = _record(a, verdict, outcome, note)
    if not changes:
        raise DomainError(f"{a} already reads {verdict}: nothing to correct")
    a.corrected_by, a.corrected_at, a.correction_reason = auditor.name, now, reason.strip()
    return changes | {"reason": reason.strip()}


def record_disposal(
    a: Alert, officer: User, disposal: Disposal, note: str, now: datetime
) -> dict[str, str]:
    """Record what became of the arrest ``a`` led to; returns what changed, for the audit log.

    A disposal may be recorded again as the case moves on (charged, then other);
    the audit log keeps each. Its deployment may have closed: disposals come later.
    """
    require(officer, Action.RECORD_DISPOSAL)
    if a.outcome != Outcome.ARRESTED:
        raise DomainError(
            f"{a} led to no arrest (its outcome is {a.outcome or 'not recorded'}): a disposal "
            "follows an arrest; record the arrest first (lfr alert adjudicate --outcome "
            "arrested, or lfr alert correct once its deployment has closed)"
        )
    if disposal == Disposal.OTHER and not note.strip():
        raise DomainError(f"{a}: the disposal 'other' needs a note saying what it was (--note)")
    if (a.disposal, a.disposal_note) == (disposal, note.strip()):
        raise DomainError(f"{a}'s disposal already reads {disposal}: nothing to record")
    changes = {"disposal": f"{a.disposal} -> {disposal}"}
    if a.disposal_note != note.strip():
        changes["note"] = f"{a.disposal_note} -> {note.strip()}"
    a.disposal, a.disposal_note = disposal, note.strip()
    a.disposal_recorded_by, a.disposal_recorded_at = officer.name, now
    written(a)
    return changes


def check_seen(a: Alert, seen: int | None) -> None:
    """Refuse a change decided on version ``seen`` of ``a`` when it has been written since."""
    if seen is not None and seen != a.version:
        raise DomainError(
            f"{a} has changed since it was seen (version {seen}, now {a.version}: "
            f"{_verdict(a)}): nothing recorded; look at it again before deciding"
        )


def written(a: Alert) -> None:
    """Count a write of ``a``: every change of an alert calls this once."""
    a.version += 1


def _check_open(a: Alert, closed_at: datetime | None) -> None:
    if closed_at is not None:
        raise DomainError(
            f"{a}: its deployment closed at {closed_at:%Y-%m-%d %H:%M %Z} and its adjudication "
            "is final: an auditor corrects it if it is wrong (lfr alert correct)"
        )


def verdict_of(a: Alert) -> str:
    """``a``'s verdict and, if one was recorded, its outcome ("confirmed_true, arrested")."""
    return f"{a.adjudication}" + (f", {a.outcome}" if a.outcome else "")


def _verdict(a: Alert) -> str:
    """What ``a`` reads now, and who gave it."""
    return verdict_of(a) + (f" by {a.adjudicated_by}" if a.adjudicated_by else "")


def _record(a: Alert, verdict: Adjudication, outcome: Outcome | None, note: str) -> dict[str, str]:
    """Set ``a``'s verdict and outcome; returns what changed (``before -> after``)."""
    if verdict == Adjudication.UNADJUDICATED:
        raise DomainError(
            f"{a}: choose confirmed_true, confirmed_false or unable_to_confirm; "
            "an adjudicated alert does not go back to unadjudicated"
        )
    if outcome == Outcome.OTHER and not note.strip():
        raise DomainError(f"{a}: the outcome 'other' needs a note saying what happened")
    if (outcome or a.outcome) == Outcome.ARRESTED and verdict != Adjudication.CONFIRMED_TRUE:
        raise DomainError(
            f"{a}: an arrest follows a confirmed_true verdict only, not {verdict}: give the "
            "outcome that followed (--outcome)"
        )
    before = {"adjudication": a.adjudication, "outcome": a.outcome, "note": a.outcome_note}
    a.adjudication = verdict
    if outcome is not None:
        a.outcome, a.outcome_note = outcome, note.strip()
    after = {"adjudication": a.adjudication, "outcome": a.outcome, "note": a.outcome_note}
    changes = {k: f"{before[k]} -> {after[k]}" for k in after if before[k] != after[k]}
    if changes:
        written(a)
    return changes
