"""Shared fixtures: the shared data folder, the installed models, decoded test video."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from openlfr.config import Settings
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image

REPO = Path(__file__).resolve().parents[1]
# $LFR_SHARED_DATA, else ../shared/data beside the checkout, else where this workplace mounts it.
CANDIDATES = [
    *([Path(os.environ["LFR_SHARED_DATA"])] if "LFR_SHARED_DATA" in os.environ else []),
    REPO.parent / "shared" / "data",
    Path("/work/shared/data"),
]


def shared(*parts: str) -> Path:
    """A path in the shared data folder. Its absence fails the test: data tests never skip."""
    for root in CANDIDATES:
        if root.is_dir():
            return root.joinpath(*parts)
    pytest.fail(
        f"shared data folder not found in {[str(c) for c in CANDIDATES]}: set LFR_SHARED_DATA"
    )


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings (models installed by `lfr models install`, as `make test` does)."""
    return Settings()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Engine:
    return Engine(settings)


@pytest.fixture(scope="session")
def hamilton_frames() -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(shared("video", "hamilton", "short_hamilton_clip.mp4")))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    return frames


@pytest.fixture(scope="session")
def lin_photo() -> np.ndarray:
    return read_image(shared("video", "hamilton", "lin-manuel-miranda.png"), 10**8, 10**8)


@pytest.fixture(scope="session")
def alex_photo() -> np.ndarray:
    return read_image(shared("video", "hamilton", "alex-lacamoire.png"), 10**8, 10**8)
