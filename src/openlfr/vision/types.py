"""The records the engine hands out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Detections:
    """Faces a detector found in one image, in that image's pixel coordinates.

    ``boxes`` is (N, 4) x1, y1, x2, y2; ``scores`` (N,); ``landmarks`` (N, 5, 2)
    in the order: eye on the image's left, eye on the image's right, nose tip,
    mouth corner on the image's left, mouth corner on the image's right.
    """

    boxes: np.ndarray
    scores: np.ndarray
    landmarks: np.ndarray

    @staticmethod
    def empty() -> Detections:
        return Detections(
            np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, 5, 2), np.float32)
        )

    def __len__(self) -> int:
        return len(self.scores)

    def take(self, keep: np.ndarray) -> Detections:
        return Detections(self.boxes[keep], self.scores[keep], self.landmarks[keep])

    def scaled(self, factor: float) -> Detections:
        return Detections(self.boxes * factor, self.scores, self.landmarks * factor)


@dataclass(frozen=True)
class Quality:
    """Measures of how usable a face is, and which thresholds it fails."""

    face_px: float  # box width in source pixels
    inter_eye_px: float
    sharpness: float  # variance of the Laplacian of the aligned chip
    yaw: float  # nose offset from the eye midline, in eye distances (0 = frontal)
    detector_score: float
    failures: tuple[str, ...] = ()

    @property
    def acceptable(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Face:
    """One face in one frame: where it is, how good it is, and its template."""

    box: np.ndarray  # (4,) x1, y1, x2, y2
    landmarks: np.ndarray  # (5, 2)
    score: float
    quality: Quality
    embedding: np.ndarray = field(repr=False)  # (D,) L2-normalised
