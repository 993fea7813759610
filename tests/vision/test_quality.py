"""Quality checks name what is wrong with a face."""

from __future__ import annotations

import cv2
import numpy as np

from openlfr.vision.engine import Engine


def test_sharp_frontal_photo_is_acceptable(engine: Engine, lin_photo: np.ndarray) -> None:
    [[face]] = engine.analyse([lin_photo])
    assert face.quality.acceptable, face.quality
    assert abs(face.quality.yaw) < 0.3 and face.quality.inter_eye_px > 80


def test_blurred_small_and_turned_faces_fail(
    engine: Engine, lin_photo: np.ndarray, hamilton_frames: list[np.ndarray]
) -> None:
    [[blurred]] = engine.analyse([cv2.GaussianBlur(lin_photo, (0, 0), 6)])
    assert "blurred" in blurred.quality.failures
    tiny = cv2.resize(lin_photo, None, fx=0.12, fy=0.12, interpolation=cv2.INTER_AREA)
    [[small]] = engine.analyse([tiny])
    assert "too small" in small.quality.failures
    # Frame 30: Alex Lacamoire in profile at the right edge of the frame.
    profile = max(engine.analyse([hamilton_frames[30]])[0], key=lambda f: f.quality.face_px)
    assert "turned away" in profile.quality.failures
