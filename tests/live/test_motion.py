"""Cuts and still pictures, on made pictures and on the real walking clip."""

from __future__ import annotations

import numpy as np

from openlfr.live.demo import read_clip
from openlfr.live.motion import LOOK_EVERY, CutDetector, MotionGate
from tests.conftest import shared


def test_a_cut_is_noticed_and_ordinary_motion_is_not() -> None:
    cuts = CutDetector()
    scene = np.full((360, 640, 3), 60, np.uint8)
    assert not cuts.cut(scene)
    moved = scene.copy()
    moved[100:200, 100:200] = 200  # someone walks in
    assert not cuts.cut(moved)
    assert cuts.cut(np.full((360, 640, 3), 200, np.uint8))


def _noisy(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``picture`` as a camera gives it frame after frame: with fresh sensor noise."""
    return np.clip(picture + rng.normal(0, 3, picture.shape), 0, 255).astype(np.uint8)


def test_a_still_picture_is_looked_at_once_every_ten_frames() -> None:
    gate, rng = MotionGate(), np.random.default_rng(0)
    empty = np.full((720, 1280, 3), 90, np.uint8)
    skipped = [gate.still(_noisy(empty, rng), tracking=False) for _ in range(3 * LOOK_EVERY)]
    looked = [i for i, s in enumerate(skipped) if not s]
    assert looked == [0, LOOK_EVERY, 2 * LOOK_EVERY]


def test_a_face_coming_into_a_still_picture_is_looked_for_at_once() -> None:
    gate, rng = MotionGate(), np.random.default_rng(1)
    empty = np.full((720, 1280, 3), 90, np.uint8)
    assert not gate.still(_noisy(empty, rng), tracking=False)
    assert gate.still(_noisy(empty, rng), tracking=False)
    face = empty.copy()
    face[300:340, 600:640] = 170  # a 40-pixel face, far from the camera
    assert not gate.still(_noisy(face, rng), tracking=False)
    # ... and while anyone is tracked every frame is looked at, however still.
    assert not any(gate.still(_noisy(face, rng), tracking=True) for _ in range(LOOK_EVERY))


def test_a_change_of_picture_size_is_looked_at() -> None:
    gate = MotionGate()
    assert not gate.still(np.zeros((720, 1280, 3), np.uint8), tracking=False)
    assert not gate.still(np.zeros((480, 640, 3), np.uint8), tracking=False)  # 4:3


def test_people_walking_are_never_taken_for_a_still_picture() -> None:
    """The walking clip (shared/data/video/walking): someone moves in every frame, so no frame
    is skipped even with nobody tracked."""
    gate = MotionGate()
    frames = read_clip(shared("video", "walking", "facenet-pytorch_video.mp4"))
    assert not any(gate.still(frame, tracking=False) for frame in frames)
