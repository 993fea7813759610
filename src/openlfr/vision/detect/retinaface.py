"""RetinaFace, MobileNet-0.25 (biubug6/Pytorch_Retinaface export): SSD-style priors.

Input BGR minus the mean (104, 117, 123), 640x640 only: the export fixed the
sizes of its feature-pyramid upsampling, so the graph fails at any other size
even when its input is freed. Images are therefore shrunk to fit 640 and padded
at the bottom and right. Outputs, one row per prior: box regression (4), class
probabilities (background, face), already softmaxed, and 5 landmarks (10).
Priors: strides 8/16/32, two square sizes per cell, rows in stride, row,
column, size order, centred on the cell; offsets are decoded with variances
(0.1, 0.2).
"""

from __future__ import annotations

import numpy as np

from openlfr.vision.detect.base import (
    Detector,
    cell_xy,
    nms,
    outputs_by_width,
    pad_to_multiple,
    shrink,
)
from openlfr.vision.types import Detections

INPUT = 640
PRIOR_SIZES = {8: (16, 32), 16: (64, 128), 32: (256, 512)}
MEAN = np.array([104, 117, 123], np.float32)
CENTRE_VARIANCE, SIZE_VARIANCE = 0.1, 0.2


class RetinaFace(Detector):
    default_score = 0.5

    def _fit(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        small, factor = shrink(image, min(self.max_side, INPUT))
        # Both sides are at most INPUT, so this pads to exactly INPUT x INPUT.
        return pad_to_multiple(small, INPUT), factor

    def _blob(self, images: np.ndarray) -> np.ndarray:
        blob = (images.astype(np.float32) - MEAN).transpose(0, 3, 1, 2)
        return np.ascontiguousarray(blob)

    def _decode(self, outputs: list[np.ndarray], shape: tuple[int, int]) -> Detections:
        groups = outputs_by_width(outputs)
        loc, probs, marks = groups[4][0], groups[2][0], groups[10][0]
        boxes, scores, landmarks = [], [], []
        start = 0
        for stride, sizes in PRIOR_SIZES.items():
            count = (INPUT // stride) ** 2 * len(sizes)
            hit = np.flatnonzero(probs[start : start + count, 1] >= self.score)
            rows = start + hit
            start += count
            if not hit.size:
                continue
            centre = (cell_xy(hit, INPUT, stride, len(sizes)) + 0.5) * stride
            side = np.array(sizes, np.float32)[hit % len(sizes), None]
            middle = centre + loc[rows, :2] * CENTRE_VARIANCE * side
            half = side * np.exp(loc[rows, 2:] * SIZE_VARIANCE) / 2
            boxes.append(np.concatenate([middle - half, middle + half], axis=1))
            offsets = marks[rows].reshape(-1, 5, 2) * CENTRE_VARIANCE
            landmarks.append(centre[:, None, :] + offsets * side[:, None, :])
            scores.append(probs[rows, 1])
        if not scores:
            return Detections.empty()
        found = Detections(np.concatenate(boxes), np.concatenate(scores), np.concatenate(landmarks))
        return nms(found, self.nms_iou)
