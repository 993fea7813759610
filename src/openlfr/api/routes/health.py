"""``/healthz`` and Prometheus ``/metrics``: numbers only, no personal data, no login."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pydantic import BaseModel

from openlfr.api.deps import StoreDep
from openlfr.services import metrics

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/healthz", response_model=Health)
def healthz(store: StoreDep) -> Health:
    """Up, and the database answers."""
    metrics.ping(store)
    return Health(status="ok", database=store.db.engine.dialect.name)


@router.get("/metrics", response_class=Response)
def prometheus(store: StoreDep) -> Response:
    """Frames, faces, alerts, latency and camera state, in Prometheus' text format."""
    registry = CollectorRegistry()
    now = metrics.snapshot(store)
    labels = ("deployment", "camera")
    for name, help_text, values in (
        ("lfr_frames_analysed", "frames analysed", now.frames),
        ("lfr_faces_seen", "faces seen", now.faces),
        ("lfr_faces_below_gate", "faces below the quality gate", now.below_gate),
        ("lfr_alerts", "alerts raised", now.alerts),
    ):
        gauge = Gauge(name, help_text, labels, registry=registry)
        for key, value in values.items():
            gauge.labels(*map(str, key)).set(value)
    latency = Gauge("lfr_alert_latency_seconds", "frame arrival to alert committed",
                    ("deployment", "quantile"), registry=registry)  # fmt: skip
    for deployment, (p50, p95) in now.latency.items():
        latency.labels(str(deployment), "0.5").set(p50)
        latency.labels(str(deployment), "0.95").set(p95)
    state = Gauge("lfr_camera_up", "1 if the camera is connected", labels, registry=registry)
    fps = Gauge("lfr_camera_fps_analysed", "frames analysed a second", labels, registry=registry)
    for c in now.cameras:
        state.labels(str(c.deployment_id), c.camera).set(1 if c.state == "connected" else 0)
        fps.labels(str(c.deployment_id), c.camera).set(c.fps_analysed)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
