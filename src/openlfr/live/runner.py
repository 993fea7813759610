"""Running a live deployment's camera: its source opened, watched until it ends, the
deployment's window ends or the run is stopped.

One camera per process (``lfr deployment run ID --camera NAME``); a supervisor
that runs every camera of a deployment in its own process, restarts a crashed
one and records the gap, is still to come.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from openlfr.domain.errors import DomainError
from openlfr.errors import LfrError
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


def frames_of(
    source: FrameSource,
    stop: threading.Event,
    tick: Callable[[], None] = lambda: None,
    every: float = 5.0,
) -> Iterator[tuple[int, np.ndarray]]:
    """The newest frames of ``source``, numbered, until it finishes or ``stop`` is set;
    ``tick`` is called every ``every`` seconds meanwhile, frames or not."""
    due = time.monotonic() + every
    while not stop.is_set():
        frame = source.latest(wait=0.5)
        if time.monotonic() >= due:
            tick()
            due += every
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
    report: Callable[[Health, Counts], None] = lambda h, c: None,
) -> Run:
    """Watch ``camera`` for live deployment ``deployment_id`` until its source ends, the
    window ends or ``stop`` is set (an operator's run, audited at start and end); ``report``
    is told the source's health and the counts every few seconds. A source that gave no
    frame and has ended (a missing or unreadable file) is one error naming the camera."""
    deployments.begin_run(store, actor, deployment_id, camera)
    try:
        source = FrameSource(camera, cameras.camera_source(store, camera), realtime=realtime)
    except DomainError as exc:  # the file registered is no longer there
        raise DomainError(f"camera {camera}: {exc}; an admin registers it again") from None
    watch = CameraWatch(store, deployment_id, camera, Engine(store.settings))
    with source:
        raised = watch.run(frames_of(source, stop, lambda: report(source.health, watch.counts)))
        health = source.health
    deployments.end_run(store, actor, deployment_id, camera, health.frames_dropped)
    if health.frames_in == 0 and health.finished:
        raise LfrError(f"camera {camera} gave no frame: {health.last_error or 'it is empty'}")
    return Run(raised, watch.counts, health)
