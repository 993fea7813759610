"""Watching one camera of a live deployment: its source opened and watched until it ends,
the deployment stops being live (its window ended, a close was requested) or the run is
stopped. ``openlfr.live.supervisor`` runs this in a worker process per camera."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from openlfr.domain.errors import DomainError
from openlfr.errors import LfrError
from openlfr.live.camera import CameraWatch, Counts, Raised
from openlfr.live.source import Frame, FrameSource, Health
from openlfr.services import cameras, deployments
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine


class Stop(Protocol):
    """What tells a run to stop: a ``threading.Event`` or a ``multiprocessing`` one."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Run:
    """How a camera's run went: its alerts, its counts and its source's health."""

    raised: list[Raised]
    counts: Counts
    health: Health


Report = Callable[[Health, Counts, list[Raised]], None]


def frames_of(
    source: FrameSource,
    stop: Stop,
    tick: Callable[[], bool],
    every: float = 1.0,
    fps: float | None = None,
) -> Iterator[Frame]:
    """The newest frames of ``source``, at most ``fps`` a second (the ones between are
    dropped), until it finishes, ``stop`` is set or ``tick`` (called every ``every`` seconds,
    frames or not) says to stop."""
    gap = 1.0 / fps if fps else 0.0
    next_frame = time.monotonic()
    due = next_frame + every
    while not stop.is_set():
        now = time.monotonic()
        if now >= due:
            if not tick():
                return
            due = time.monotonic() + every  # from now: a slow tick must not leave it behind
        if now < next_frame:
            time.sleep(min(next_frame - now, due - now, 0.5))
            continue
        frame = source.latest(wait=0.5)
        if frame is not None:
            # On a fixed schedule, so waiting for a fresh frame does not slow the rate; a
            # schedule fallen behind is not caught up by a burst.
            next_frame = max(next_frame + gap, time.monotonic() - gap)
            yield frame
        elif source.health.finished:
            return


def run_camera(
    store: Store,
    actor: str,
    deployment_id: int,
    camera: str,
    stop: Stop,
    realtime: bool = True,
    report: Report = lambda health, counts, raised: None,
) -> Run:
    """Watch ``camera`` for live ``deployment_id`` (``deployments.begin_run`` let ``actor``
    run it) until its source ends, the deployment is no longer live or ``stop`` is set.
    ``report`` is told the source's health, the counts and the alerts raised since it was
    last told, every second. A source that gave no frame and has ended (a missing or
    unreadable file) is one error naming the camera."""
    try:
        source = FrameSource(camera, cameras.camera_source(store, camera), realtime=realtime)
    except DomainError as exc:  # the file registered is no longer there
        raise DomainError(f"camera {camera}: {exc}; an admin registers it again") from None
    watch = CameraWatch(store, deployment_id, camera, Engine(store.settings))
    told = 0

    def tick() -> bool:
        nonlocal told
        report(source.health, watch.counts, watch.raised[told:])
        told = len(watch.raised)
        return deployments.is_live(store, deployment_id)

    fps = store.settings.analysed_fps if realtime else None  # not realtime: every frame
    with source:
        watch.run(frames_of(source, stop, tick, fps=fps))
        health = source.health
    report(health, watch.counts, watch.raised[told:])
    deployments.end_run(store, actor, deployment_id, camera, health.frames_dropped)
    if health.frames_in == 0 and health.finished:
        raise LfrError(f"camera {camera} gave no frame: {health.last_error or 'it is empty'}")
    return Run(watch.raised, watch.counts, health)
