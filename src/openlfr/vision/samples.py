"""Real faces every installation has, and varied copies of them.

Two public-domain photos ship inside declared dependencies: scikit-image's
``astronaut`` (Eileen Collins, NASA) and matplotlib's ``grace_hopper.jpg``.
The demo enrols them; the precision trials (openlfr.vision.trials) run the
models on frames showing them shifted, scaled, turned, relit and mirrored.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import cv2
import numpy as np

from openlfr.vision.image import read_image

FRAME_SIZE = (1280, 720)
BACKGROUND = 60  # grey level around the photos


def sample_people() -> dict[str, Path]:
    """The photo file of each sample person, from installed packages."""
    return {
        "Eileen Collins": Path(str(files("skimage") / "data" / "astronaut.png")),
        "Grace Hopper": Path(
            str(files("matplotlib") / "mpl-data" / "sample_data" / "grace_hopper.jpg")
        ),
    }


def sample_photos() -> list[np.ndarray]:
    """The sample people's photos, BGR."""
    return [read_image(path, 10**7, 10**7) for path in sample_people().values()]


def vary(photo: np.ndarray, scale: float, angle: float, gain: float, mirror: bool) -> np.ndarray:
    """``photo`` scaled, turned by ``angle`` degrees about its centre, its brightness
    multiplied by ``gain`` and, if ``mirror``, flipped left to right."""
    h, w = photo.shape[:2]
    # Turn about the centre, then shift so the scaled photo stays centred in its new size.
    recentre = np.array([[0, 0, w * (scale - 1) / 2], [0, 0, h * (scale - 1) / 2]])
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale) + recentre
    out = cv2.warpAffine(
        photo, turn, (round(w * scale), round(h * scale)), borderValue=(BACKGROUND,) * 3
    )
    out = cv2.convertScaleAbs(out, alpha=gain)
    return cv2.flip(out, 1) if mirror else out


def place(canvas: np.ndarray, photo: np.ndarray, x: int, y: int) -> None:
    """Paste ``photo`` into ``canvas`` with its top left corner at (x, y)."""
    h, w = photo.shape[:2]
    canvas[y : y + h, x : x + w] = photo


def blank_frame() -> np.ndarray:
    return np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), BACKGROUND, np.uint8)


def check_frames(count: int = 16) -> list[np.ndarray]:
    """``count`` 1280x720 frames, each showing both sample people varied differently:
    scale 0.4 to 1, turned up to 12 degrees either way, relit 0.7x to 1.3x, every other
    one mirrored, at shifting places."""
    first, second = sample_photos()
    frames = []
    for k in range(count):
        t = k / max(count - 1, 1)
        scale = 0.4 + 0.6 * ((k * 5) % count) / max(count - 1, 1)
        left = vary(first, scale, 12 * np.cos(7 * t), 0.7 + 0.6 * t, k % 2 == 1)
        right = vary(second, scale * 0.95, -12 * np.sin(5 * t), 1.3 - 0.6 * t, k % 2 == 0)
        frame = blank_frame()
        place(frame, left, int(20 + 80 * t), int((720 - left.shape[0]) * t))
        place(frame, right, 1260 - right.shape[1], int((720 - right.shape[0]) * (1 - t)))
        frames.append(frame)
    return frames
