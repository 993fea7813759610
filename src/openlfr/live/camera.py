"""One camera of a live deployment: frames to faces, faces to tracks, tracks to alerts.

Only a track's best shots are embedded; a track's shots, chips and templates
live in memory and go when the track ends. An alert is written (with its
audit entry) as soon as a track is decided; nothing else about a face is.
What survives of everyone else is counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

import cv2

from openlfr.domain.alert import Alert
from openlfr.live.decision import AnyOf, Decision, Rule, decide
from openlfr.live.motion import CutDetector, MotionGate
from openlfr.live.source import Frame
from openlfr.live.tracker import Shot, Track, Tracker, choose_shots
from openlfr.services import alerts, counts
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine

RECORD_EVERY = 60.0  # seconds between additions to the deployment record's counts


@dataclass
class Counts:
    """What a camera saw, as numbers only: all that is kept of the people not matched."""

    frames: int = 0
    faces: int = 0
    below_gate: int = 0
    embedded: int = 0
    still: int = 0  # frames not searched for faces: a still picture with no one tracked
    tracks: int = 0
    alerts: int = 0


@dataclass
class Raised:
    """An alert, the frame of the shot it carries, and the seconds from the arrival of the
    frame it was decided on to its commit."""

    alert: Alert
    frame: int
    track_length: int
    latency: float


@dataclass
class CameraWatch:
    """Watches ``camera`` for live deployment ``deployment_id`` with ``rule``."""

    store: Store
    deployment_id: int
    camera: str
    engine: Engine
    rule: Rule = field(default_factory=AnyOf)
    counts: Counts = field(default_factory=Counts)

    def __post_init__(self) -> None:
        self.watchlist = alerts.load_watchlist(self.store, self.deployment_id)
        self.keep = self.store.settings.track_shots
        self.tracker = Tracker(keep=self.keep)
        self.cuts = CutDetector()
        self.gate = MotionGate() if self.store.settings.motion_gate else None
        self.alerted: dict[int, set[str]] = {}  # live track -> the subjects it alerted for
        self.raised: list[Raised] = []
        # Subject -> when the face of its last alert here was seen; from the alerts recorded, so
        # a worker restarted while someone is in view does not alert on them again.
        self.alerted_at = alerts.recently_alerted(
            self.store, self.deployment_id, self.camera, self.store.settings.realert_after
        )
        self._hour: datetime | None = None
        self._logged = Counts()  # the part of ``counts`` already in the deployment record
        self._record_due = time.monotonic() + RECORD_EVERY

    def run(self, frames: Iterable[Frame]) -> list[Raised]:
        """Process frames until they end or the deployment's window does; the alerts raised
        (also in ``raised``). The counts go to the deployment record each hour and at the end."""
        for frame in frames:
            if self.store.now() >= self.watchlist.ends_at:
                break
            self.process(frame)
        self.finish()
        return self.raised

    def finish(self) -> None:
        """The frames are over: end every track and record the last counts."""
        self._end(self.tracker.finish())
        self._record(None)

    def process(self, frame: Frame) -> list[Raised]:
        """One frame: the alerts it decided."""
        number, image = frame.number, frame.image
        seen_at = self.store.now() - timedelta(seconds=time.monotonic() - frame.decoded_at)
        self._record(seen_at.replace(minute=0, second=0, microsecond=0))
        self.counts.frames += 1
        if self.cuts.cut(image):
            self._end(self.tracker.finish())
        if self.gate and self.gate.still(image, tracking=bool(self.tracker.live)):
            self.counts.still += 1
            return []
        [found] = self.engine.detect([image])
        owners, ended = self.tracker.update(number, found.boxes)
        self._end(ended)
        [inspected] = self.engine.inspect([image], [found])
        self.counts.faces += len(inspected)
        self.counts.below_gate += sum(not q.acceptable for _, q in inspected)
        qualities, chips = [q for _, q in inspected], [c for c, _ in inspected]
        chosen = choose_shots(owners, qualities, chips, number, self.keep)
        if not chosen:
            return []
        templates = self.engine.embed([shot.chip for _, shot in chosen])
        new: dict[int, tuple[Track, list[Shot]]] = {}
        for (track, shot), template in zip(chosen, templates, strict=True):
            shot.template = template
            new.setdefault(track.id, (track, []))[1].append(shot)
        self.counts.embedded += len(chosen)
        index, threshold = self.watchlist.index, self.watchlist.threshold
        decided = [d for track, shots in new.values()
                   for d in decide(track, self.rule.candidates(track, shots, index), threshold,
                                   self.alerted.setdefault(track.id, set()))]  # fmt: skip
        return [self._raise(d, frame, seen_at) for d in decided if self._due(d, seen_at)]

    def _due(self, decision: Decision, seen_at: datetime) -> bool:
        """Whether the subject decided on was not alerted on here within ``realert_after``: the
        same person seen again at once (their track broken, the worker restarted) is not a new
        alert."""
        last = self.alerted_at.get(decision.candidate.label)
        quiet = timedelta(seconds=self.store.settings.realert_after)
        return last is None or seen_at - last >= quiet

    def _raise(self, decision: Decision, frame: Frame, seen_at: datetime) -> Raised:
        ok, png = cv2.imencode(".png", decision.shot.chip)
        entry, track = self.watchlist.entries[decision.candidate.entry], decision.track
        # Kept through a database outage: a worker dying here would lose the alert.
        probe, score = png.tobytes() if ok else b"", decision.candidate.score
        raise_it = partial(alerts.raise_alert, self.store, self.deployment_id, entry, self.camera,
                           probe, score, seen_at, track.seen)  # fmt: skip
        a = self.store.retrying(f"camera {self.camera}: alert", raise_it)
        self.alerted_at[decision.candidate.label] = seen_at
        latency = time.monotonic() - frame.decoded_at  # the alert is committed: nothing lost
        keep = partial(counts.record_latency, self.store, self.deployment_id, a.id or 0, latency)
        self.store.retrying(f"camera {self.camera}: latency", keep)
        self.counts.alerts += 1
        self.raised.append(Raised(a, decision.shot.frame, decision.track.seen, latency))
        return self.raised[-1]

    def _record(self, hour: datetime | None) -> None:
        """At a new ``hour`` (None: the end), and every minute (a worker that dies loses no
        more), add what was counted since the last time to the deployment record, under the
        hour it was counted in."""
        if hour == self._hour and hour is not None and time.monotonic() < self._record_due:
            return
        self._record_due = time.monotonic() + RECORD_EVERY
        last, self._hour = self._hour, hour
        if last is not None:
            done, logged = asdict(self.counts), asdict(self._logged)
            since = {k: done[k] - logged[k] for k in counts.FIELDS}
            if any(since.values()):
                add = partial(counts.record_counts, self.store, self.deployment_id, self.camera,
                              last, since)  # fmt: skip
                self.store.retrying(f"camera {self.camera}: counts", add)
            self._logged = replace(self.counts)

    def _end(self, tracks: list[Track]) -> None:
        for t in tracks:
            self.rule.forget(t)
            self.alerted.pop(t.id, None)
        self.counts.tracks += len(tracks)
