"""What published records are made of: each deployment's facts, read in one audited action.

An alert comes out of here without its subject's name or id and without any
image: only what a published record counts (adjudication, outcome, the
subject's recorded sex and ethnicity). ``openlfr.reporting`` turns these facts
into records and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from openlfr.domain.alert import Adjudication, Alert, Disposal, Outcome
from openlfr.domain.deployment import Deployment, State, announced, check_has_record
from openlfr.domain.errors import Invalid
from openlfr.domain.roles import Action, require
from openlfr.services.unit_of_work import Act, Store
from openlfr.store import integrity
from openlfr.store.repositories import Alerts, CameraCounts, Deployments


@dataclass(frozen=True)
class AlertFacts:
    """What a published record counts of one alert: no name, no subject id, no image."""

    raised_at: datetime
    adjudication: Adjudication
    outcome: Outcome | None
    disposal: Disposal | None
    sex: str
    ethnicity: str


@dataclass(frozen=True)
class DeploymentFacts:
    """One deployment that went live, its alerts, and the faces its cameras saw.

    ``faces_seen`` is the number of face tracks (one per face followed through
    the frames, so a person walking past counts once) summed over its cameras'
    hourly counts; None when no counts were kept, which is not the same as 0.
    """

    deployment: Deployment
    alerts: list[AlertFacts]
    faces_seen: int | None


def deployment_facts(store: Store, actor: str, deployment_id: int) -> DeploymentFacts:
    """The facts of one deployment that went live (an authorising officer or an auditor; the
    read is audited)."""
    with store.action(actor, "report.read", f"deployment {deployment_id}") as act:
        require(act.user(), Action.PUBLISH_RECORDS)
        d = act.get(Deployment, deployment_id)
        check_has_record(d)
        [found] = _facts(act, [d])
        return found


def facts_between(store: Store, actor: str, first: date, last: date) -> list[DeploymentFacts]:
    """The facts of every deployment that went live from day ``first`` to day ``last`` (UTC,
    both included), by start (an authorising officer or an auditor; the read is audited)."""
    with store.action(actor, "report.read", f"deployments {first} to {last}") as act:
        require(act.user(), Action.PUBLISH_RECORDS)
        if last < first:
            raise Invalid(f"the period ends ({last}) before it starts ({first}): give --from first")
        start = datetime.combine(first, time(), UTC)
        end = datetime.combine(last + timedelta(days=1), time(), UTC)
        return _facts(act, Deployments(act.session).started_between(start, end))


@dataclass(frozen=True)
class NoticeFacts:
    """What the public notice is made of: the deployments announced now, and the facts of
    every deployment that went live and has closed."""

    announced: list[Deployment]
    past: list[DeploymentFacts]


def notice_facts(store: Store, actor: str) -> NoticeFacts:
    """The public notice's facts (an authorising officer or an auditor; the read is
    audited)."""
    with store.action(actor, "report.notice", "public notice") as act:
        require(act.user(), Action.PUBLISH_RECORDS)
        listed = Deployments(act.session).listed()
        past = _facts(act, [d for d in listed if d.state == State.CLOSED and d.started_at])
        coming = [d for d in listed if announced(d, act.now)]
        act.detail["deployments_announced"] = [d.id for d in coming]
        return NoticeFacts(coming, past)


def _facts(act: Act, chosen: list[Deployment]) -> list[DeploymentFacts]:
    """The facts of ``chosen``, the read recorded in ``act``'s audit entry."""
    ids = [d.id for d in chosen if d.id is not None]
    found = Alerts(act.session).of_deployments(ids)
    integrity.current_objects(act.session, [*chosen, *found])  # no verdict put back unseen
    faces: dict[int | None, int] = {}
    for row in CameraCounts(act.session).totals(ids):
        faces[row.deployment_id] = faces.get(row.deployment_id, 0) + int(row.tracks)
    act.detail = {"deployments_read": ids, "alerts_read": [a.id for a in found]}
    return [
        DeploymentFacts(
            d, [_alert_facts(a) for a in found if a.deployment_id == d.id], faces.get(d.id)
        )
        for d in chosen
    ]


def _alert_facts(a: Alert) -> AlertFacts:
    return AlertFacts(a.raised_at, a.adjudication, a.outcome, a.disposal, a.sex, a.ethnicity)
