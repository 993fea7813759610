"""What a deployment's cameras saw, as numbers: all that is kept of the people not matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openlfr.domain.deployment import Deployment
from openlfr.domain.roles import SYSTEM, Action, require
from openlfr.services.unit_of_work import Store
from openlfr.store.repositories import AlertLatencies, CameraCounts

FIELDS = CameraCounts.FIELDS  # what is counted: frames, faces, below_gate, tracks, alerts


@dataclass(frozen=True)
class HourCounts:
    camera: str
    hour: datetime
    frames: int
    faces: int
    below_gate: int
    tracks: int
    alerts: int


@dataclass(frozen=True)
class Latency:
    """Seconds from a frame's arrival to the alert decided on it committed, over a
    deployment's alerts (None without any)."""

    alerts: int
    p50: float | None
    p95: float | None


def record_latency(store: Store, deployment_id: int, alert_id: int, seconds: float) -> None:
    """Keep how long alert ``alert_id`` took from its frame's arrival to its commit."""
    with store.action(SYSTEM, "alert.latency", f"alert {alert_id}") as act:
        AlertLatencies(act.session).add(alert_id, deployment_id, seconds)
        act.detail = {"seconds": round(seconds, 4)}


def deployment_latency(store: Store, actor: str, deployment_id: int) -> Latency:
    """The p50 and p95 of the deployment's alert latencies (any role)."""
    with store.action(actor, "alert.latency.read", f"deployment {deployment_id}") as act:
        require(act.user(), Action.VIEW_DEPLOYMENTS)
        act.get(Deployment, deployment_id)
        return latency_of(AlertLatencies(act.session).of(deployment_id))


def latency_of(kept: list[float]) -> Latency:
    """The p50 and p95 of alert latencies ``kept``."""
    import statistics

    if not kept:
        return Latency(0, None, None)
    cuts = statistics.quantiles(kept, n=20, method="inclusive") if len(kept) > 1 else kept * 19
    return Latency(len(kept), statistics.median(kept), cuts[18])


def record_counts(
    store: Store, deployment_id: int, camera: str, hour: datetime, counts: dict[str, int]
) -> None:
    """Add a camera's ``counts`` (frames, faces, below_gate, tracks, alerts) to ``hour``."""
    target = f"deployment {deployment_id}"
    with store.action(SYSTEM, "camera.counts", target) as act:
        act.get(Deployment, deployment_id)
        CameraCounts(act.session).add(deployment_id, camera, hour, counts)
        act.detail = {"camera": camera, "hour": hour.isoformat(), **counts}


def deployment_counts(store: Store, actor: str, deployment_id: int) -> list[HourCounts]:
    """The deployment's counts per camera and hour (any role; the read is audited)."""
    with store.action(actor, "camera.counts.read", f"deployment {deployment_id}") as act:
        require(act.user(), Action.VIEW_DEPLOYMENTS)
        act.get(Deployment, deployment_id)
        return [
            HourCounts(r.camera, r.hour, r.frames, r.faces, r.below_gate, r.tracks, r.alerts)
            for r in CameraCounts(act.session).of(deployment_id)
        ]
