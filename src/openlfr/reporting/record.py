"""A deployment's record, the one the Met publishes after each deployment, from its facts.

How alerts are counted. The Met's records split alerts into true and false,
each confirmed or not; an alert is confirmed when officers engaged the person
and so learnt who they were. openlfr records the operator's verdict
(``Adjudication``) and what happened after it (``Outcome``), so:

- confirmed true: verdict ``confirmed_true`` and the person was engaged
  (outcome ``engaged_no_further_action`` or ``arrested``);
- unconfirmed true ("true alert, not confirmed"): verdict ``confirmed_true``
  and no engagement (outcome ``not_engaged``, ``other`` or none recorded);
- confirmed false: verdict ``confirmed_false`` and the person was engaged;
- unconfirmed false: verdict ``confirmed_false`` and no engagement;
- unable to confirm and unadjudicated: counted on their own, as neither true
  nor false, since no one said which they were.

Outcome ``other`` is not counted as an engagement: its note may say anything,
and a record does not claim a confirmation it cannot show. Every alert falls
in exactly one of the six counts. The false alert rate is the false alerts
(confirmed and unconfirmed) over the faces seen, and over the alerts; a figure
whose denominator is unknown (no counts kept) or zero is not available (None),
never 0. Disposals are counted among the arrests (an arrest whose disposal is
not yet recorded is awaiting one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from openlfr.domain.alert import Adjudication, Disposal, Outcome
from openlfr.services.records import AlertFacts, DeploymentFacts

ENGAGED = frozenset({Outcome.ENGAGED_NO_FURTHER_ACTION, Outcome.ARRESTED})

# The rule above, as a published record states it.
RULE = (
    "True or false is the operator's verdict on an alert; it is confirmed when officers engaged "
    "the person. Alerts the operator could not confirm, or did not adjudicate, are counted on "
    "their own. Faces seen are the faces the cameras followed (a person walking past counts "
    "once). 'Not available' means no count was kept (not none), or a rate over nothing (no "
    "alerts, or no faces seen)."
)


@dataclass(frozen=True)
class DeploymentRecord:
    """One deployment's published figures. ``ended_at`` and ``duration_minutes`` are None
    while it is still live; ``faces_seen`` and the rates None where not available."""

    deployment: int
    name: str
    date: date
    location: str
    use_case: str
    started_at: datetime
    ended_at: datetime | None
    duration_minutes: int | None
    threshold: float
    watchlist_size: int
    faces_seen: int | None
    alerts: int
    confirmed_true: int
    unconfirmed_true: int
    confirmed_false: int
    unconfirmed_false: int
    unable_to_confirm: int
    unadjudicated: int
    false_alert_rate_over_faces: float | None
    false_alert_rate_over_alerts: float | None
    engagements: int
    arrests: int
    charged: int
    cautioned: int
    released_no_further_action: int
    other_disposal: int
    awaiting_disposal: int


# What each figure is called in a published record, in order.
LABELS = {
    "deployment": "Deployment",
    "name": "Name",
    "date": "Date",
    "location": "Location",
    "use_case": "Use case",
    "started_at": "Started (UTC)",
    "ended_at": "Ended (UTC)",
    "duration_minutes": "Duration (minutes)",
    "threshold": "Face-match threshold",
    "watchlist_size": "Watchlist size",
    "faces_seen": "Faces seen",
    "alerts": "Alerts",
    "confirmed_true": "True alerts, confirmed",
    "unconfirmed_true": "True alerts, not confirmed",
    "confirmed_false": "False alerts, confirmed",
    "unconfirmed_false": "False alerts, not confirmed",
    "unable_to_confirm": "Alerts the operator could not confirm",
    "unadjudicated": "Alerts not adjudicated",
    "false_alert_rate_over_faces": "False alert rate (over faces seen)",
    "false_alert_rate_over_alerts": "False alert rate (over alerts)",
    "engagements": "Engagements",
    "arrests": "Arrests",
    "charged": "Arrests: charged",
    "cautioned": "Arrests: cautioned",
    "released_no_further_action": "Arrests: released with no further action",
    "other_disposal": "Arrests: other disposal",
    "awaiting_disposal": "Arrests: disposal not yet recorded",
}


RATES = frozenset({"false_alert_rate_over_faces", "false_alert_rate_over_alerts"})


def kind(a: AlertFacts) -> str:
    """Which of the record's six alert counts ``a`` falls in (the rule above)."""
    engaged = a.outcome in ENGAGED
    if a.adjudication == Adjudication.CONFIRMED_TRUE:
        return "confirmed_true" if engaged else "unconfirmed_true"
    if a.adjudication == Adjudication.CONFIRMED_FALSE:
        return "confirmed_false" if engaged else "unconfirmed_false"
    return str(a.adjudication)  # unable_to_confirm or unadjudicated


def rate(part: int, whole: int | None) -> float | None:
    """``part`` over ``whole``; None when ``whole`` is unknown or 0."""
    return part / whole if whole else None


def record_of(facts: DeploymentFacts) -> DeploymentRecord:
    """The published record of one deployment's facts."""
    d, found = facts.deployment, facts.alerts
    assert d.id is not None and d.started_at is not None  # facts are of deployments that ran
    ended = min(d.close_requested_at, d.ends_at) if d.close_requested_at else None
    kinds = [kind(a) for a in found]
    disposals = [a.disposal for a in found if a.outcome == Outcome.ARRESTED]
    falsely = kinds.count("confirmed_false") + kinds.count("unconfirmed_false")
    return DeploymentRecord(
        deployment=d.id,
        name=d.name,
        date=d.started_at.date(),
        location=d.location,
        use_case=d.use_case,
        started_at=d.started_at,
        ended_at=ended,
        duration_minutes=round((ended - d.started_at).total_seconds() / 60) if ended else None,
        threshold=d.threshold,
        watchlist_size=d.watchlist_size,
        faces_seen=facts.faces_seen,
        alerts=len(found),
        confirmed_true=kinds.count("confirmed_true"),
        unconfirmed_true=kinds.count("unconfirmed_true"),
        confirmed_false=kinds.count("confirmed_false"),
        unconfirmed_false=kinds.count("unconfirmed_false"),
        unable_to_confirm=kinds.count("unable_to_confirm"),
        unadjudicated=kinds.count("unadjudicated"),
        false_alert_rate_over_faces=rate(falsely, facts.faces_seen),
        false_alert_rate_over_alerts=rate(falsely, len(found)),
        engagements=sum(a.outcome in ENGAGED for a in found),
        arrests=len(disposals),
        charged=disposals.count(Disposal.CHARGED),
        cautioned=disposals.count(Disposal.CAUTIONED),
        released_no_further_action=disposals.count(Disposal.RELEASED_NO_FURTHER_ACTION),
        other_disposal=disposals.count(Disposal.OTHER),
        awaiting_disposal=disposals.count(None),
    )


# The figures that add up across deployments (the rates are worked out again from them).
COUNTED = (
    "alerts", "confirmed_true", "unconfirmed_true", "confirmed_false",
    "unconfirmed_false", "unable_to_confirm", "unadjudicated", "engagements", "arrests",
    "charged", "cautioned", "released_no_further_action", "other_disposal", "awaiting_disposal",
)  # fmt: skip


@dataclass(frozen=True)
class Totals:
    """Figures over several deployments: the COUNTED ones summed (``counted``), the minutes
    of those that ended, and the faces seen by those that kept counts, with the false alert
    rate over faces worked out over those deployments alone."""

    deployments: int
    deployments_without_counts: int
    duration_minutes: int
    faces_seen: int | None
    counted: dict[str, int]
    false_alert_rate_over_faces: float | None
    false_alert_rate_over_alerts: float | None


def false_alerts(r: DeploymentRecord) -> int:
    return r.confirmed_false + r.unconfirmed_false


def totals_of(records: list[DeploymentRecord]) -> Totals:
    """The totals of ``records``."""
    counted = {name: sum(asdict(r)[name] for r in records) for name in COUNTED}
    with_counts = [r for r in records if r.faces_seen is not None]
    faces = sum(r.faces_seen or 0 for r in with_counts) if with_counts else None
    return Totals(
        deployments=len(records),
        deployments_without_counts=len(records) - len(with_counts),
        duration_minutes=sum(r.duration_minutes or 0 for r in records),
        faces_seen=faces,
        counted=counted,
        false_alert_rate_over_faces=rate(sum(false_alerts(r) for r in with_counts), faces),
        false_alert_rate_over_alerts=rate(sum(false_alerts(r) for r in records), counted["alerts"]),
    )


@dataclass(frozen=True)
class Transparency:
    """The records of the deployments that went live from day ``first`` to ``last``, and
    their totals."""

    first: date
    last: date
    records: list[DeploymentRecord]
    totals: Totals


def transparency_of(first: date, last: date, facts: list[DeploymentFacts]) -> Transparency:
    records = [record_of(f) for f in facts]
    return Transparency(first, last, records, totals_of(records))


def totals_row(t: Totals) -> dict[str, object]:
    """``t`` under the record's field names (blank where a figure does not add up), for a
    total beside the records."""
    blank: dict[str, object] = dict.fromkeys(LABELS, "")
    return (
        blank
        | t.counted
        | {
            "deployment": "total",
            "duration_minutes": t.duration_minutes,
            "faces_seen": t.faces_seen,
            "false_alert_rate_over_faces": t.false_alert_rate_over_faces,
            "false_alert_rate_over_alerts": t.false_alert_rate_over_alerts,
        }
    )
