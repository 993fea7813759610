"""YuNet (OpenCV Zoo, 2023mar): anchor-free, one prediction per cell at strides 8/16/32.

Input BGR 0-255, any size padded to a multiple of 32 (the model is made
size-free at install). Outputs, per stride: cls and obj (already sigmoid),
bbox (dx, dy, log w, log h) and kps (5 x, y) in stride units from the cell.
"""

from __future__ import annotations

import numpy as np

from openlfr.vision.detect.base import Detector, nms
from openlfr.vision.types import Detections

STRIDES = (8, 16, 32)


class YuNet(Detector):
    default_score = 0.6

    def _blob(self, images: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2), np.float32)

    def _decode(self, outputs: list[np.ndarray], shape: tuple[int, int]) -> Detections:
        width = shape[1]
        boxes, scores, landmarks = [], [], []
        for k, stride in enumerate(STRIDES):
            cls, obj = outputs[k][0, :, 0], outputs[k + 3][0, :, 0]
            score = np.sqrt(cls.clip(0, 1) * obj.clip(0, 1))
            hit = np.flatnonzero(score >= self.score)
            if not hit.size:
                continue
            cols = width // stride
            cell = np.stack([hit % cols, hit // cols], axis=1).astype(np.float32)
            bbox, kps = outputs[k + 6][0, hit], outputs[k + 9][0, hit].reshape(-1, 5, 2)
            centre = (cell + bbox[:, :2]) * stride
            size = np.exp(bbox[:, 2:]) * stride
            boxes.append(np.concatenate([centre - size / 2, centre + size / 2], axis=1))
            landmarks.append((kps + cell[:, None, :]) * stride)
            scores.append(score[hit])
        if not scores:
            return Detections.empty()
        found = Detections(np.concatenate(boxes), np.concatenate(scores), np.concatenate(landmarks))
        return nms(found, self.nms_iou)
