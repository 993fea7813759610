"""SCRFD with keypoints (InsightFace): two anchors per cell at strides 8/16/32.

Input RGB, (x - 127.5) / 128, any size padded to a multiple of 32. Outputs, per
stride, one row per anchor: score (already sigmoid); box as distances (left,
top, right, bottom) from the cell's corner (col * s, row * s); 5 keypoints as
(x, y) offsets from that corner; distances in stride units. Exports differ in
output names, order and batch axis, so outputs are told apart by shape.
"""

from __future__ import annotations

import numpy as np

from openlfr.vision.detect.base import Detector, cell_xy, nms, outputs_by_width
from openlfr.vision.types import Detections

STRIDES = (8, 16, 32)
ANCHORS = 2


class Scrfd(Detector):
    default_score = 0.5

    def _blob(self, images: np.ndarray) -> np.ndarray:
        rgb = np.ascontiguousarray(images[..., ::-1].transpose(0, 3, 1, 2), np.float32)
        return (rgb - 127.5) / 128.0

    def _decode(self, outputs: list[np.ndarray], shape: tuple[int, int]) -> Detections:
        width = shape[1]
        groups = outputs_by_width(outputs)
        boxes, scores, landmarks = [], [], []
        for stride, score, dist, kps in zip(STRIDES, groups[1], groups[4], groups[10], strict=True):
            hit = np.flatnonzero(score[:, 0] >= self.score)
            if not hit.size:
                continue
            corner = cell_xy(hit, width, stride, ANCHORS)[:, None, :] * stride
            ends = dist[hit].reshape(-1, 2, 2) * np.array([[-stride], [stride]], np.float32)
            boxes.append((corner + ends).reshape(-1, 4))
            landmarks.append(corner + kps[hit].reshape(-1, 5, 2) * stride)
            scores.append(score[hit, 0])
        if not scores:
            return Detections.empty()
        found = Detections(np.concatenate(boxes), np.concatenate(scores), np.concatenate(landmarks))
        return nms(found, self.nms_iou)
