"""What ``/metrics`` shows: numbers about live deployments and their cameras, nothing about
anyone (no names, no scores, no images), so it needs no login. A deployment authorised to run
without prior public notice is left out: its counts would tell anyone who asks that it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from openlfr.domain.deployment import State
from openlfr.live import status
from openlfr.services.counts import latency_of
from openlfr.services.unit_of_work import Store
from openlfr.store.repositories import AlertLatencies, CameraCounts, Deployments

Key = tuple[int, str]  # deployment id, camera name


@dataclass
class Snapshot:
    frames: dict[Key, int] = field(default_factory=dict)
    faces: dict[Key, int] = field(default_factory=dict)
    below_gate: dict[Key, int] = field(default_factory=dict)
    alerts: dict[Key, int] = field(default_factory=dict)
    latency: dict[int, tuple[float, float]] = field(default_factory=dict)  # p50, p95 seconds
    cameras: list[status.CameraStatus] = field(default_factory=list)


def ping(store: Store) -> None:
    """Raise unless the database answers."""
    with store.reading() as session:
        session.execute(sa.select(1))


def snapshot(store: Store) -> Snapshot:
    """The counts (as recorded, each minute) and latencies of every live deployment announced
    in advance, and the state of its running cameras."""
    now, running = Snapshot(), status.running(store.settings.data_dir)
    with store.reading() as session:
        listed = Deployments(session).listed(State.LIVE)
        live = [d.id for d in listed if d.id is not None and not d.without_notice]
        now.cameras = [c for c in running if c.deployment_id in live]
        for row in CameraCounts(session).totals(live):
            key = (row.deployment_id, row.camera)
            now.frames[key], now.faces[key] = row.frames, row.faces
            now.below_gate[key], now.alerts[key] = row.below_gate, row.alerts
        for ident in live:
            kept = latency_of(AlertLatencies(session).of(ident))
            if kept.p50 is not None and kept.p95 is not None:
                now.latency[ident] = (kept.p50, kept.p95)
    return now
