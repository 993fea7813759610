"""Running a live deployment's camera: its source opened, watched until it ends, the
deployment's window ends or the run is stopped.

One camera per process (``lfr deployment run ID --camera NAME``); a supervisor
that runs every camera of a deployment in its own process, restarts a crashed
one and records the gap, is still to come.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from openlfr.live.camera import CameraWatch, Counts, Raised
from openlfr.live.source import FrameSource, Health
from openlfr.services import cameras, deployments
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine


@dataclass(frozen=True)
class Run:
    """How a camera's run went: its alerts, its counts and its source's health."""

    raised: list[Raised]
    counts: Counts
    health: Health


def frames_of(source: FrameSource, stop: threading.Event) -> Iterator[tuple[int, np.ndarray]]:
    """The newest frames of ``source``, numbered, until it finishes or ``stop`` is set."""
    while not stop.is_set():
        frame = source.latest(wait=0.5)
        if frame is not None:
            yield frame.number, frame.image
        elif source.health.finished:
            return


def run_camera(
    store: Store,
    actor: str,
    deployment_id: int,
    camera: str,
    stop: threading.Event,
    realtime: bool = True,
) -> Run:
    """Watch ``camera`` for live deployment ``deployment_id`` until its source ends, the
    window ends or ``stop`` is set (an operator's run, audited at start and end)."""
    deployments.begin_run(store, actor, deployment_id, camera)
    source = FrameSource(camera, cameras.camera_source(store, camera), realtime=realtime)
    watch = CameraWatch(store, deployment_id, camera, Engine(store.settings))
    with source:
        raised = watch.run(frames_of(source, stop))
        health = source.health
    deployments.end_run(store, actor, deployment_id, camera, health.frames_dropped)
    return Run(raised, watch.counts, health)
