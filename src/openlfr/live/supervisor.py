"""Every camera of a live deployment watched in a worker process of its own.

One process per camera puts each camera's analysis on a core of its own, and a
worker that dies (a decoder fault, the out-of-memory killer, SIGKILL) loses
only its camera, and only until it is restarted: after a pause that doubles
from one second up to thirty, with the loss and the gap in the audit log. A
worker that ends by itself (its file ended, the deployment stopped being live)
or is refused (a bad source) is not restarted. Workers commit each alert
before they report it here, so a worker's death loses none, and wait up to a
minute for a database that does not answer rather than die with an alert
unwritten.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from openlfr.config import Settings
from openlfr.errors import LfrError
from openlfr.live.camera import Counts, Raised
from openlfr.live.runner import Stop, run_camera
from openlfr.live.source import Health
from openlfr.live.status import CameraStatus, publish, withdraw
from openlfr.services import deployments
from openlfr.services.unit_of_work import Store

REFUSED = 3  # a worker's exit code when its camera cannot run; 0 when it ended; else a crash
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0  # before restarting a worker that died
STEADY = 60.0  # a worker that ran this long before dying is restarted after the first pause


@dataclass(frozen=True)
class Job:
    """What a worker watches, and for whom."""

    settings: Settings
    actor: str
    deployment_id: int
    camera: str
    realtime: bool


@dataclass(frozen=True)
class Found:
    """An alert a worker committed, as the terminal shows it."""

    alert_id: int
    subject: str
    score: float
    frame: int
    track_length: int
    latency: float

    @classmethod
    def of(cls, r: Raised) -> Found:
        a = r.alert
        return cls(a.id or 0, a.subject_name, a.score, r.frame, r.track_length, r.latency)


@dataclass(frozen=True)
class Report:
    """A worker's news, every second: its source's health, its counts, its new alerts."""

    camera: str
    health: Health
    counts: Counts
    found: list[Found]
    refused: str = ""


class _Orphan:
    """Stops a worker when its supervisor says so or has died (SIGKILL leaves no time to)."""

    def __init__(self, stop: Stop) -> None:
        self.stop, self.parent = stop, os.getppid()

    def is_set(self) -> bool:
        return self.stop.is_set() or os.getppid() != self.parent


def start_deaf(process: BaseProcess) -> None:
    """Start ``process`` with Ctrl-C ignored from its first instruction on.

    Ctrl-C reaches every process of the terminal's group, and one that came
    while a new worker was still importing ended it in a traceback; the
    supervisor stops its workers itself. A spawned interpreter keeps SIGINT
    ignored if it starts so, so the parent ignores it for the moment of the
    start (from the main thread, the only one that may; a Ctrl-C in that
    moment is lost, and a second one works).
    """
    if threading.current_thread() is not threading.main_thread():
        process.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def work(job: Job, stop: Stop, reports: Any) -> None:
    """A worker process's life: watch ``job``'s camera, reporting to ``reports``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches every process; see supervise
    import cv2

    cv2.setNumThreads(job.settings.threads)  # OpenCV's own pool too keeps to the worker's share
    store = Store(job.settings)

    def report(health: Health, counts: Counts, raised: list[Raised]) -> None:
        reports.put(Report(job.camera, health, counts, [Found.of(r) for r in raised]))

    try:
        run_camera(store, job.actor, job.deployment_id, job.camera, _Orphan(stop), job.realtime,
                   report)  # fmt: skip
    except LfrError as exc:
        reports.put(Report(job.camera, Health(), Counts(), [], refused=str(exc)))
        raise SystemExit(REFUSED) from None
    finally:
        store.close()


@dataclass
class Watched:
    """A camera under supervision: its worker, state and latest report."""

    job: Job
    process: BaseProcess | None = None
    state: str = "starting"
    restarts: int = 0
    pause: float = FIRST_PAUSE
    started_at: float = 0.0
    lost_at: float = 0.0
    health: Health = field(default_factory=Health)
    counts: Counts = field(default_factory=Counts)
    fps_analysed: float = 0.0
    reported: tuple[float, int] = (0.0, 0)  # when, and frames analysed then
    error: str = ""

    @property
    def done(self) -> bool:
        """Its worker has exited and will not be restarted."""
        return self.process is None and self.state in ("ended", "refused", "stopped")

    def status(self) -> CameraStatus:
        h, c = self.health, self.counts
        return CameraStatus(
            self.job.deployment_id, self.job.camera, self.state,
            self.process.pid if self.process else None, self.restarts, round(h.fps_in, 1),
            round(self.fps_analysed, 1), c.frames, h.frames_dropped, h.reconnects, c.faces,
            c.alerts, self.error or h.last_error,
        )  # fmt: skip


class Supervisor:
    """Runs ``cameras`` of live ``deployment_id`` for ``actor`` (``deployments.begin_run``
    allowed it), telling ``say`` what happens, one line at a time."""

    def __init__(
        self,
        store: Store,
        actor: str,
        deployment_id: int,
        cameras: list[str],
        realtime: bool = True,
        say: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.store, self.actor, self.deployment_id, self.say = store, actor, deployment_id, say
        self._mp = multiprocessing.get_context("spawn")  # no forked copies of threads and models
        self.halt = self._mp.Event()
        self.reports = self._mp.Queue()
        settings = store.settings
        if "threads" not in settings.model_fields_set:  # share the cores, not oversubscribe
            cores = len(os.sched_getaffinity(0))
            settings = settings.model_copy(update={"threads": max(1, cores // len(cameras))})
        self.watched = {
            c: Watched(Job(settings, actor, deployment_id, c, realtime)) for c in cameras
        }

    def run(self, stop: threading.Event, progress_every: float = 5.0) -> list[Watched]:
        """Start a worker per camera and watch over them until every camera is done or
        ``stop`` is set; then stop the workers and wait for them to record their ends."""
        for w in self.watched.values():
            self._start(w)
        progress_due = time.monotonic() + progress_every
        published = 0.0
        try:
            while not stop.is_set() and not all(w.done for w in self.watched.values()):
                self._take(wait=0.5)
                now = time.monotonic()
                for w in self.watched.values():
                    if w.process is not None and not w.process.is_alive():
                        self._ended(w, now)
                    elif w.state == "restarting" and now >= w.lost_at + w.pause:
                        self._restart(w, now)
                if now >= progress_due:
                    for w in self.watched.values():
                        self.say(progress(w))
                    progress_due = now + progress_every
                if now >= published + 1.0:  # the status file, once a second
                    self._publish()
                    published = now
        finally:
            self._stop_all()
        return list(self.watched.values())

    def _start(self, w: Watched) -> None:
        w.process = self._mp.Process(
            target=work, args=(w.job, self.halt, self.reports), name=f"camera {w.job.camera}"
        )
        start_deaf(w.process)
        w.state, w.started_at, w.reported = "starting", time.monotonic(), (time.monotonic(), 0)

    def _take(self, wait: float) -> None:
        """Apply the reports that came within ``wait`` seconds (all that are there)."""
        try:
            r: Report = self.reports.get(timeout=wait)
            while True:
                self._apply(r)
                r = self.reports.get_nowait()
        except queue.Empty:
            return

    def _apply(self, r: Report) -> None:
        w = self.watched[r.camera]
        if r.refused:
            w.error = r.refused
            return
        now, (then, frames) = time.monotonic(), w.reported
        if now - then >= 1.0:
            w.fps_analysed = (r.counts.frames - frames) / (now - then)
            w.reported = (now, r.counts.frames)
        w.health, w.counts = r.health, r.counts
        if not r.health.finished:  # a finished source's worker is ending: its exit decides
            w.state = "connected" if r.health.connected else "reconnecting"
        for f in r.found:
            self.say(f"alert {f.alert_id}: {f.subject}, score {f.score:.3f}, camera "
                     f"{w.job.camera}, frame {f.frame}, track of {f.track_length} frames, "
                     f"{1000 * f.latency:.0f} ms after its frame arrived")  # fmt: skip

    def _ended(self, w: Watched, now: float) -> None:
        """``w``'s worker has exited: done, refused, or lost (restarted after a pause)."""
        assert w.process is not None
        w.process.join()
        self._take(wait=0.2)  # its last reports
        code, w.process = w.process.exitcode, None
        if code == 0:
            w.state = "ended"
        elif code == REFUSED:
            w.state = "refused"
            self.say(w.error)
        else:
            how = f"killed by {signal.Signals(-code).name}" if code and code < 0 else (
                f"exit code {code}")  # fmt: skip
            deployments.lose_run(self.store, self.actor, self.deployment_id, w.job.camera, how)
            if now - w.started_at >= STEADY:
                w.pause = FIRST_PAUSE
            w.state, w.lost_at, w.error = "restarting", now, f"worker {how}"
            self.say(f"{w.job.camera}: worker {how}; restarting in {w.pause:.0f} s")

    def _restart(self, w: Watched, now: float) -> None:
        try:
            deployments.resume_run(
                self.store, self.actor, self.deployment_id, w.job.camera, now - w.lost_at
            )
        except LfrError as exc:
            w.state, w.error = "refused", str(exc)
            self.say(f"{w.job.camera}: not restarted: {exc}")
            return
        w.restarts += 1
        w.pause = min(w.pause * 2, LONGEST_PAUSE)
        self._start(w)

    def _publish(self) -> None:
        statuses = [w.status() for w in self.watched.values()]
        publish(self.store.settings.data_dir, self.deployment_id, statuses)

    def _stop_all(self) -> None:
        """Tell every worker to stop, wait for each to record its end, and tidy up."""
        self.halt.set()
        for w in self.watched.values():
            if w.process is None:
                continue
            w.process.join(timeout=60)
            if w.process.is_alive():  # stuck past any stalled read's timeout
                w.process.kill()
                w.process.join()
            self._take(wait=0.2)
            w.process = None
            if not w.done:
                w.state = "stopped"
        withdraw(self.store.settings.data_dir, self.deployment_id)


def progress(w: Watched) -> str:
    """One line: a camera's state, rates and what was found."""
    h, c = w.health, w.counts
    error = w.error or h.last_error
    return (
        f"{w.job.camera}: {w.state}, {h.fps_in:.1f} fps in, {w.fps_analysed:.1f} analysed, "
        f"{c.frames} frames ({c.still} still), {h.frames_dropped} dropped, "
        f"{h.reconnects} reconnects, {w.restarts} restarts, {c.faces} faces, {c.alerts} alert(s)"
        + (f"; last error: {error}" if error else "")
    )
