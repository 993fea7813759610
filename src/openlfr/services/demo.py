"""The demo: two people enrolled, a clip of them made, the engine run over it.

The two people are the sample photos every installation has
(openlfr.vision.samples). The clip shows each person changed from the enrolment
photo (scaled, turned, relit, mirrored) so that a match is not a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.gallery.index import Candidate, WatchlistIndex
from openlfr.gallery.thresholds import default_threshold
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.models import embedder_runtime
from openlfr.vision.samples import FRAME_SIZE, blank_frame, place, sample_people, vary
from openlfr.vision.types import Face

FPS = 12


def clip_frames(photos: dict[str, np.ndarray]) -> Iterator[np.ndarray]:
    """The demo clip: each person crossing alone, both together, then an empty scene."""
    first, second = photos.values()
    one = vary(first, 0.8, 6, 0.9, False)
    two = vary(second, 0.7, -5, 1.15, True)
    for t in range(16):
        frame = blank_frame()
        place(frame, one, 40 + t * 45, 150)
        yield frame
    for t in range(16):
        frame = blank_frame()
        place(frame, two, 800 - t * 40, 120)
        yield frame
    small_one, small_two = (vary(p, 0.45, 0, 1.0, False) for p in (first, second))
    for t in range(12):
        frame = blank_frame()
        place(frame, small_one, 100 + t * 10, 300)
        place(frame, small_two, 800 - t * 10, 280)
        yield frame
    for _ in range(4):
        yield blank_frame()


def write_clip(path: Path, frames: Iterator[np.ndarray]) -> int:
    """Encode ``frames`` to an MP4 file at ``path``; returns the frame count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, FRAME_SIZE)
    count = 0
    for frame in frames:
        writer.write(frame)
        count += 1
    writer.release()
    return count


def read_clip(path: Path) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield frame
    capture.release()


@dataclass(frozen=True)
class Sighting:
    frame: int
    face: Face
    match: Candidate | None


def demo_threshold(settings: Settings, threshold: float | None) -> tuple[str, float]:
    """The embedder's precision here and the threshold the demo matches at: ``threshold``, else
    the one measured for that precision."""
    precision = embedder_runtime(settings).precision
    return precision, threshold if threshold is not None else default_threshold(settings, precision)


def run_demo(settings: Settings, threshold: float, report: Callable[[Sighting], None]) -> Path:
    """Enrol the demo people, make the clip, run the engine over it; returns the clip's path."""
    engine = Engine(settings)
    photos = {
        name: read_image(path, settings.max_image_bytes, settings.max_image_pixels)
        for name, path in sample_people().items()
    }
    enrolled = [engine.analyse([photo])[0][0].embedding for photo in photos.values()]
    watchlist = WatchlistIndex(np.stack(enrolled), list(photos))
    clip = settings.data_dir / "demo" / "demo_clip.mp4"
    write_clip(clip, clip_frames(photos))
    for number, frame in enumerate(read_clip(clip)):
        found = engine.analyse([frame])[0]
        if not found:
            continue
        matches = watchlist.search(np.stack([f.embedding for f in found]), threshold)
        for face, match in zip(found, matches, strict=True):
            report(Sighting(number, face, match))
    return clip
