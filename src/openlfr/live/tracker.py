"""Tracks: one per person passing a camera, so a person is decided on once, not per frame.

A plain tracker: each track's next box is predicted from its last two
(constant velocity), detections are given to tracks greedily by overlap
(IoU) with those predictions, then any left over to the nearest track of a
similar size within a box width (a face that moved further than its box in
one frame), a detection still left over starts a track, and a track unseen
for ``max_gap`` frames ends; so do all tracks at a cut (``openlfr.live.motion``).
Each track keeps its best few shots by the engine's quality measures; only a
shot that gets into those is worth embedding, so a face seen in 100 frames
costs a few embeddings, not 100. A track near a match (``near``, set by the
decision) keeps ``WIDE`` shots instead: nearly every frame of a person who
may be on the watchlist is embedded, while the crowd costs a few each. Shots
below the engine's quality gate are counted and never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from openlfr.config import Settings
from openlfr.vision.types import Quality

AHEAD = 10  # frames a track's motion is carried on for, unseen


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Overlap (intersection over union) of each box in ``a`` (N, 4) with each in ``b`` (M, 4),
    boxes as x1, y1, x2, y2."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def _centre(box: np.ndarray) -> np.ndarray:
    return (box[:2] + box[2:]) / 2


def shot_rank(q: Quality) -> float:
    """How good a shot is for matching, from the engine's measures: more pixels between the
    eyes (to 60), a face turned less, a sharper chip (to 200)."""
    return min(q.inter_eye_px, 60.0) * (1.0 - min(abs(q.yaw), 1.0)) * min(q.sharpness, 200.0)


@dataclass
class Shot:
    """One frame's view of a track's face: kept only while it is among the track's best."""

    frame: int
    rank: float
    chip: np.ndarray  # the aligned 112x112 face: the probe an alert would carry
    template: np.ndarray | None = None  # filled in once embedded


@dataclass
class Track:
    id: int
    box: np.ndarray
    first_frame: int
    last_frame: int
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4, np.float32))
    seen: int = 1  # frames the track was detected in
    below_gate: int = 0  # its faces that failed the quality gate
    near: bool = False  # a decision came near a match: keep (and embed) WIDE shots
    shots: list[Shot] = field(default_factory=list)  # best first

    def predicted(self, frame: int) -> np.ndarray:
        """Its box in ``frame``: moved at its centre's velocity for at most ``AHEAD`` frames,
        its size kept. A box clipped by the frame's edge as a face leaves shrinks; carried on,
        that shrinking would turn it inside out and onto a face entering elsewhere."""
        shift = (self.velocity[:2] + self.velocity[2:]) / 2 * min(frame - self.last_frame, AHEAD)
        return self.box + np.tile(shift, 2)

    def offer(self, shot: Shot, keep: int) -> bool:
        """Keep ``shot`` if it is among the best ``keep``; whether it was kept (and so is worth
        embedding). The shot it pushes out is forgotten."""
        if len(self.shots) >= keep and shot.rank <= self.shots[-1].rank:
            return False
        self.shots = sorted([*self.shots, shot], key=lambda s: -s.rank)[:keep]
        return True


# The best shots a track keeps (and so embeds), unless told: the setting's default, 6
# (track_shots; 6 against 3: docs/benchmarks.md, "Shots a track keeps").
KEEP: int = Settings.model_fields["track_shots"].default
# The shots a track near a match keeps: a pass lasts 30-60 frames in the LFW clip, so nearly
# all of them (docs/benchmarks.md, "Live: decision rules").
WIDE = 32


class Tracker:
    """Tracks of one camera's faces, frame by frame."""

    def __init__(
        self, min_iou: float = 0.3, max_gap: int = 15, keep: int = KEEP, max_jump: float = 1.0
    ) -> None:
        self.min_iou, self.max_gap, self.keep, self.max_jump = min_iou, max_gap, keep, max_jump
        self.live: list[Track] = []
        self._next_id = 1

    def update(self, frame: int, boxes: np.ndarray) -> tuple[list[Track], list[Track]]:
        """Give each of this ``frame``'s face ``boxes`` (N, 4) its track; returns the track of
        each box (in order) and the tracks that ended (unseen for more than ``max_gap``
        frames)."""
        owners: list[Track | None] = [None] * len(boxes)
        if self.live and len(boxes):
            predicted = np.stack([t.predicted(frame) for t in self.live])
            overlaps = iou(predicted, boxes.astype(np.float32))
            for flat in np.argsort(-overlaps, axis=None):
                t, b = np.unravel_index(flat, overlaps.shape)
                if overlaps[t, b] < self.min_iou:
                    break
                track = self.live[t]
                if owners[b] is None and track.last_frame != frame:
                    self._follow(track, frame, boxes[b])
                    owners[b] = track
        self._follow_near(frame, boxes, owners)
        for b, owner in enumerate(owners):
            if owner is None:
                owners[b] = self._start(frame, boxes[b])
        ended = [t for t in self.live if frame - t.last_frame > self.max_gap]
        self.live = [t for t in self.live if frame - t.last_frame <= self.max_gap]
        return [o for o in owners if o is not None], ended

    def _follow_near(self, frame: int, boxes: np.ndarray, owners: list[Track | None]) -> None:
        """Second pass, for a face that moved further than its box in one frame (a fast walker,
        a low frame rate): a detection left over goes to the nearest track left over whose
        prediction is within ``max_jump`` box widths and of a similar size."""
        waiting = [t for t in self.live if t.last_frame != frame]
        for b in [b for b, owner in enumerate(owners) if owner is None]:
            box = boxes[b].astype(np.float32)
            width = float(box[2] - box[0])
            near = [
                (float(np.linalg.norm(_centre(t.predicted(frame)) - _centre(box))), t)
                for t in waiting
                if 0.67 < width / max(float(t.box[2] - t.box[0]), 1e-6) < 1.5
            ]
            close = [(d, t) for d, t in near if d <= self.max_jump * width]
            if close:
                track = min(close, key=lambda dt: dt[0])[1]
                self._follow(track, frame, box)
                owners[b] = track
                waiting.remove(track)

    def finish(self) -> list[Track]:
        """End every track (the stream is over); returns them."""
        ended, self.live = self.live, []
        return ended

    def _follow(self, track: Track, frame: int, box: np.ndarray) -> None:
        box = box.astype(np.float32)
        track.velocity = (box - track.box) / max(frame - track.last_frame, 1)
        track.box, track.last_frame, track.seen = box, frame, track.seen + 1

    def _start(self, frame: int, box: np.ndarray) -> Track:
        track = Track(self._next_id, box.astype(np.float32), frame, frame)
        self._next_id += 1
        self.live.append(track)
        return track


def choose_shots(
    tracks: Sequence[Track],
    qualities: Sequence[Quality],
    chips: Sequence[np.ndarray],
    frame: int,
    keep: int,
) -> list[tuple[Track, Shot]]:
    """Offer each face of a frame (its track, quality and chip) to its track, which keeps its
    best ``keep`` shots (``WIDE`` when it is near a match); the shots kept (with their track),
    which are the ones to embed. Faces below the quality gate are counted on their track."""
    chosen = []
    for track, quality, chip in zip(tracks, qualities, chips, strict=True):
        if not quality.acceptable:
            track.below_gate += 1
            continue
        shot = Shot(frame, shot_rank(quality), chip)
        if track.offer(shot, max(keep, WIDE) if track.near else keep):
            chosen.append((track, shot))
    return chosen
