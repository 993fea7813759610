"""Face quality: size, eye distance, sharpness, pose and detector score, each reported."""

from __future__ import annotations

import cv2
import numpy as np

from openlfr.config import QualityThresholds
from openlfr.vision.types import Quality


def assess(
    box: np.ndarray,
    landmarks: np.ndarray,
    score: float,
    chip: np.ndarray,
    limits: QualityThresholds,
) -> Quality:
    """Measure one face (its box, landmarks, detector score and aligned chip) against ``limits``."""
    left_eye, right_eye, nose = landmarks[0], landmarks[1], landmarks[2]
    inter_eye = float(np.linalg.norm(right_eye - left_eye))
    # Nose offset from the perpendicular through the eyes' midpoint: 0 frontal, ~0.5 at 45 deg.
    axis = (right_eye - left_eye) / max(inter_eye, 1e-6)
    yaw = float(np.dot(nose - (left_eye + right_eye) / 2, axis) / max(inter_eye, 1e-6))
    grey = cv2.cvtColor(chip, cv2.COLOR_BGR2GRAY)
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    failures = []
    if inter_eye < limits.min_inter_eye_px:
        failures.append("too small")
    if sharpness < limits.min_sharpness:
        failures.append("blurred")
    if abs(yaw) > limits.max_yaw:
        failures.append("turned away")
    if score < limits.min_detector_score:
        failures.append("low detector score")
    return Quality(
        face_px=float(box[2] - box[0]),
        inter_eye_px=inter_eye,
        sharpness=sharpness,
        yaw=yaw,
        detector_score=score,
        failures=tuple(failures),
    )
