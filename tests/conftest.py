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
SHARED = Path(os.environ.get("LFR_SHARED_DATA", REPO.parent / "shared" / "data"))
HAMILTON = SHARED / "video" / "hamilton"


def shared(*parts: str) -> Path:
    """A path in the shared data folder; the test is skipped only if that folder is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (set LFR_SHARED_DATA)")
    return SHARED.joinpath(*parts)


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
