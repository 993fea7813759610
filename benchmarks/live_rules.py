"""Live decision rules compared: k of n, the fused track template, and frame-by-frame matching.

    python benchmarks/live_rules.py [--passes 200] [--seed 0] [--tracker iou]
        [--shared ../shared/data]

On a clip made from LFW (openlfr.evaluation.lfw_clip: ``--passes`` people
crossing a 1280x720 frame, every other one watchlisted) and on the real clips
(shared/data/video: the stage clip, its two photos enrolled; the walking clip,
no one in it enrolled). One watchlist for all: the watchlisted clip people's
enrolment images, the first image of every other LFW person with two or more
images not in the clip (the LFW open-set gallery), and the two stage photos.
No database: the engine, tracker and rules as ``CameraWatch.process`` runs them.

Per rule on the LFW clip: FNIR (watchlisted passes with no alert for their
entry) and false alerts (an alert on a pass of someone not enrolled, or for a
wrong entry on a watchlisted pass; each pass and entry once, on the pass the
track followed when the alert was raised), at the deployment default threshold
and at the lowest threshold keeping false alerts within a budget (0, 1% and 5%
of the passes of people not enrolled). On the real clips, the alerts each rule
raises at the default threshold and at its own zero-budget threshold from the
LFW clip. 200 passes take about 13 minutes on 2 cores.

``--tracker bytetrack`` runs it all with ByteTrack (``supervision`` 0.26.1, the
last release holding it; it asks for ``opencv-python``, which would clash with
the headless OpenCV openlfr uses, so install it without its dependencies:
``pip install --no-deps supervision==0.26.1 defusedxml pyyaml tqdm``) in place
of the live tracker (IoU with a constant-velocity prediction).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from openlfr.config import Settings
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.lfw_clip import (
    FRAME_BY_FRAME,
    Clip,
    PassAlerts,
    Runs,
    lfw_watchlist,
    overlapped,
    plan_clip,
    render,
    run_rules,
)
from openlfr.evaluation.templates import cache_path
from openlfr.gallery.index import WatchlistIndex
from openlfr.gallery.thresholds import default_threshold
from openlfr.live.demo import read_clip
from openlfr.live.tracker import KEEP, Track, Tracker
from openlfr.models.hardware import this_cpu
from openlfr.vision.engine import Engine

PHOTOS = {"Lin_Manuel_Miranda": "lin-manuel-miranda.png", "Alex_Lacamoire": "alex-lacamoire.png"}
# Who may be alerted on in each real clip, and in which frames (shared/data/video/README.md).
TRUE = {
    "stage": {"Lin_Manuel_Miranda": ((0, 19), (82, 210)), "Alex_Lacamoire": ((0, 81),)},
    "walking": {},
}
BUDGETS = (0.0, 0.01, 0.05)  # false alerts allowed, as a fraction of the non-mated passes


class ByteTracker(Tracker):
    """ByteTrack's identities as the live tracker's ``Track`` objects (``update``, ``finish``).

    Every box is given the detector's confidence 1 (they passed its threshold already). A box
    ByteTrack gives no identity (yet) gets a track of its own for that frame, so every face is
    still offered to a track, as the live tracker does."""

    def __init__(self, keep: int = KEEP) -> None:
        import supervision as sv

        super().__init__(keep=keep)
        self.byte = sv.ByteTrack(frame_rate=30, lost_track_buffer=self.max_gap)
        self.known: dict[int, Track] = {}
        self._once = -1  # single-frame tracks get negative ids

    def update(self, frame: int, boxes: np.ndarray) -> tuple[list[Track], list[Track]]:
        import supervision as sv

        boxes = boxes.astype(np.float32)
        found = sv.Detections(xyxy=boxes, confidence=np.ones(len(boxes), np.float32))
        tracked = self.byte.update_with_detections(found)
        given: Any = tracked.tracker_id if tracked.tracker_id is not None else []
        ids = {tuple(np.round(b, 2)): int(i) for b, i in zip(tracked.xyxy, given, strict=True)}
        owners = []
        for box in boxes:
            ident = ids.get(tuple(np.round(box, 2)))
            if ident is None:
                owners.append(Track(self._once, box, frame, frame))
                self._once -= 1
            elif (track := self.known.get(ident)) is None:
                owners.append(self.known.setdefault(ident, Track(ident, box, frame, frame)))
            else:
                track.box, track.last_frame, track.seen = box, frame, track.seen + 1
                owners.append(track)
        ended = [t for t in self.known.values() if frame - t.last_frame > self.max_gap]
        for t in ended:
            del self.known[t.id]
        return owners, ended

    def finish(self) -> list[Track]:
        ended, self.known = list(self.known.values()), {}
        self.byte.reset()
        return ended


TRACKERS: dict[str, Callable[..., Tracker]] = {"iou": Tracker, "bytetrack": ByteTracker}


@dataclass(frozen=True)
class Tracking:
    """Which tracker, and how many best shots a track keeps (and embeds)."""

    tracker: str = "iou"
    keep: int = KEEP


def timed_run(
    engine: Engine,
    frames: Iterable[tuple[int, np.ndarray]],
    watchlist: WatchlistIndex,
    threshold: float,
    tracking: Tracking,
) -> tuple[Runs, float]:
    """``run_rules`` over ``frames``; the runs and the frames analysed a second."""
    started = time.perf_counter()
    runs = run_rules(engine, frames, watchlist, threshold, tracking.keep,
                     TRACKERS[tracking.tracker](keep=tracking.keep))  # fmt: skip
    return runs, runs.frames / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tracker", choices=sorted(TRACKERS), default="iou")
    parser.add_argument("--keep", type=int, default=KEEP, help="best shots a track keeps")
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    settings = Settings()
    engine = Engine(settings)
    threshold = default_threshold(settings, engine.embedder_runtime.precision)
    lfw = Lfw(args.shared / "lfw")
    clip = plan_clip(lfw, args.passes, args.seed)
    stage = args.shared / "video" / "hamilton"
    photos = {label: stage / name for label, name in PHOTOS.items()}
    watchlist, failed = lfw_watchlist(engine, lfw, clip, None, cache_path(settings), photos)
    print(f"Command: python {shlex.join(sys.argv)}")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"CPU: {this_cpu().describe()}")
    print(f"Models: {engine.detector_runtime.model} {engine.detector_runtime.precision}, "
          f"{engine.embedder_runtime.model} {engine.embedder_runtime.precision} "
          f"({engine.embedder_runtime.backend}); default threshold {threshold:.4f}")  # fmt: skip
    print(f"Watchlist: {len(watchlist)} entries ({len(failed)} failed to enrol: {failed})")
    tracking = Tracking(args.tracker, args.keep)
    print(f"Tracker: {tracking.tracker}, keeping {tracking.keep} shots a track")
    own = lfw_clip_table(engine, lfw, clip, watchlist, threshold, tracking)
    walking = args.shared / "video" / "walking" / "facenet-pytorch_video.mp4"
    sources = {"stage": stage / "short_hamilton_clip.mp4", "walking": walking}
    clips = {name: list(enumerate(read_clip(path))) for name, path in sources.items()}
    real_clips_table(engine, clips, watchlist, threshold, own, tracking)


def lfw_clip_table(
    engine: Engine,
    lfw: Lfw,
    clip: Clip,
    watchlist: WatchlistIndex,
    threshold: float,
    tracking: Tracking,
) -> dict[str, float]:
    """Print the rules' figures on the LFW ``clip``; returns each rule's threshold at no
    false alert."""
    mated = sum(p.watchlisted for p in clip.passes)
    print(f"LFW clip: seed {clip.seed}, {len(clip.passes)} passes ({mated} watchlisted), "
          f"{clip.frames} frames")  # fmt: skip
    runs, rate = timed_run(engine, render(clip, lfw), watchlist, threshold, tracking)
    scores = {name: PassAlerts(clip, run, watchlist.labels) for name, run in runs.rules.items()}
    tracks = runs.rules["fused"].seen
    votes = [overlapped(clip, seen) for seen in tracks.values()]
    owned = Counter(v.most_common(1)[0][0] for v in votes if v)
    # Embeddings of tracks mostly of watchlisted passes, and of the rest (the crowd).
    follows = {t: v.most_common(1)[0][0] for t, v in zip(tracks, votes, strict=True) if v}
    of_mated = sum(n for t, n in runs.embedded.items()
                   if t in follows and clip.passes[follows[t]].watchlisted)  # fmt: skip
    faces = overlapped(clip, [box for seen in runs.rules[FRAME_BY_FRAME].seen.values()
                              for box in seen])  # fmt: skip
    never = sum(p.watchlisted and i not in faces for i, p in enumerate(clip.passes))
    print(f"Analysed {rate:.1f} frames a second (every rule and frame by frame at once); "
          f"{runs.faces} faces, {runs.searched} of acceptable quality; {runs.tracks} tracks "
          f"({sum(len(v) > 1 for v in votes)} following more than one pass, "
          f"{sum(not v for v in votes)} no pass), "
          f"{sum(n > 1 for n in owned.values())} passes followed by more than one track, "
          f"{len(clip.passes) - len(owned)} by none; {runs.embedded.total()} shots embedded "
          f"for the tracks ({of_mated / mated:.1f} a watchlisted pass, "
          f"{(runs.embedded.total() - of_mated) / (len(clip.passes) - mated):.1f} any other); "
          f"{never} watchlisted passes with no face of acceptable quality\n")  # fmt: skip
    print("| rule | operating point | threshold | FNIR (misses) | false alerts | alerts raised | "
          "embeddings a pass |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    own: dict[str, float] = {}
    for name, scored in scores.items():
        cost = runs.searched if name == FRAME_BY_FRAME else runs.embedded.total()
        points = [("default", threshold)]
        for fraction in BUDGETS:
            budget = int(fraction * (len(clip.passes) - mated))
            points.append((f"<= {budget} false ({100 * fraction:.0f}%)",
                           scored.threshold_for(budget)))  # fmt: skip
        own[name] = points[1][1]
        for point, t in points:
            o = scored.outcome(t)
            print(f"| {name} | {point} | {o.threshold:.4f} | {100 * o.fnir:.1f}% "
                  f"({o.misses}/{o.mated}) | "
                  f"{o.false_alerts} | {o.raised} | {cost / len(clip.passes):.1f} |")  # fmt: skip
    print("\n| rule | highest false-alert values: pass's person -> entry |\n|---|---|")
    for name, scored in scores.items():
        top = scored.highest_false()[:3]
        print(f"| {name} | " + "; ".join(f"{v:.4f} {who} -> {label}" for v, who, label in top)
              + " |")  # fmt: skip
    return own


def real_clips_table(
    engine: Engine,
    clips: dict[str, list[tuple[int, np.ndarray]]],
    watchlist: WatchlistIndex,
    threshold: float,
    own: dict[str, float],
    tracking: Tracking,
) -> None:
    """Print the alerts each rule raises on each real clip, at ``threshold`` and at the rule's
    ``own`` threshold."""
    print("\n| clip | rule | threshold | frames a second | true alerts (first frame) | "
          "false alerts (first frame) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for clip_name, frames in clips.items():
        runs, rate = timed_run(engine, frames, watchlist, threshold, tracking)
        for name, run in runs.rules.items():
            for t in sorted({threshold, own[name]}, reverse=True):
                true: list[str] = []
                false: list[str] = []
                for (_, entry), frame in sorted(run.first_alerts(t).items(), key=lambda a: a[1]):
                    label = watchlist.labels[entry]
                    hit = any(a <= frame <= b for a, b in TRUE[clip_name].get(label, ()))
                    (true if hit else false).append(f"{label} {frame}")
                print(f"| {clip_name} | {name} | {t:.4f} | {rate:.1f} | {_listed(true)} | "
                      f"{_listed(false)} |")  # fmt: skip


def _listed(alerts: list[str]) -> str:
    """A count and the first few alerts, for a table cell."""
    shown = ", ".join(alerts[:3]) + (", ..." if len(alerts) > 3 else "")
    return f"{len(alerts)}" + (f": {shown}" if alerts else "")


if __name__ == "__main__":
    main()
