"""Five-point alignment to the ArcFace 112x112 template by a similarity transform."""

from __future__ import annotations

import cv2
import numpy as np

# Eye, eye, nose, mouth corner, mouth corner, in the detectors' landmark order.
ARCFACE_TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)
CHIP_SIZE = 112


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 least-squares similarity mapping points ``src`` onto ``dst`` (Umeyama 1991)."""
    src_mean, dst_mean = src.mean(0), dst.mean(0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    cov = dst_c.T @ src_c / len(src)
    u, s, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[1] = -1
    rotation = u @ np.diag(d) @ vt
    scale = (s * d).sum() / src_c.var(0).sum()
    shift = dst_mean - scale * rotation @ src_mean
    return np.hstack([scale * rotation, shift[:, None]])


def align(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 112x112 chip of the face whose five ``landmarks`` are given, same colour order."""
    matrix = similarity(landmarks.astype(np.float64), ARCFACE_TEMPLATE)
    return cv2.warpAffine(image, matrix, (CHIP_SIZE, CHIP_SIZE), flags=cv2.INTER_LINEAR)
