"""The demo: two people enrolled, a clip of them made, the engine run over it.

The two face photos ship as sample data inside declared dependencies:
scikit-image's ``astronaut`` (Eileen Collins, NASA) and matplotlib's
``grace_hopper.jpg``. The clip shows each person changed from the enrolment
photo (scaled, turned, relit, mirrored) so that a match is not a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.gallery.index import Candidate, WatchlistIndex
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.types import Face

FRAME_SIZE = (1280, 720)
FPS = 12


def demo_people() -> dict[str, Path]:
    """The enrolment photo of each demo person, from installed packages."""
    try:
        astronaut = Path(str(files("skimage") / "data" / "astronaut.png"))
        hopper = Path(str(files("matplotlib") / "mpl-data" / "sample_data" / "grace_hopper.jpg"))
    except ModuleNotFoundError as exc:
        raise RuntimeError(f"the demo needs {exc.name}: pip install 'openlfr[demo]'") from None
    return {"Eileen Collins": astronaut, "Grace Hopper": hopper}


def _place(canvas: np.ndarray, photo: np.ndarray, x: int, y: int) -> None:
    h, w = photo.shape[:2]
    canvas[y : y + h, x : x + w] = photo


def _variant(
    photo: np.ndarray, scale: float, angle: float, gain: float, mirror: bool
) -> np.ndarray:
    h, w = photo.shape[:2]
    # Turn about the centre, then shift so the scaled photo stays centred in its new size.
    recentre = np.array([[0, 0, w * (scale - 1) / 2], [0, 0, h * (scale - 1) / 2]])
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale) + recentre
    out = cv2.warpAffine(
        photo, turn, (round(w * scale), round(h * scale)), borderValue=(60, 60, 60)
    )
    out = cv2.convertScaleAbs(out, alpha=gain)
    return cv2.flip(out, 1) if mirror else out


def clip_frames(photos: dict[str, np.ndarray]) -> Iterator[np.ndarray]:
    """The demo clip: each person crossing alone, both together, then an empty scene."""
    first, second = photos.values()
    background = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), 60, np.uint8)
    one = _variant(first, 0.8, 6, 0.9, False)
    two = _variant(second, 0.7, -5, 1.15, True)
    for t in range(16):
        frame = background.copy()
        _place(frame, one, 40 + t * 45, 150)
        yield frame
    for t in range(16):
        frame = background.copy()
        _place(frame, two, 800 - t * 40, 120)
        yield frame
    small_one, small_two = (_variant(p, 0.45, 0, 1.0, False) for p in (first, second))
    for t in range(12):
        frame = background.copy()
        _place(frame, small_one, 100 + t * 10, 300)
        _place(frame, small_two, 800 - t * 10, 280)
        yield frame
    for _ in range(4):
        yield background.copy()


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


def run_demo(settings: Settings, threshold: float, report: Callable[[Sighting], None]) -> Path:
    """Enrol the demo people, make the clip, run the engine over it; returns the clip's path."""
    engine = Engine(settings)
    photos = {
        name: read_image(path, settings.max_image_bytes, settings.max_image_pixels)
        for name, path in demo_people().items()
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
