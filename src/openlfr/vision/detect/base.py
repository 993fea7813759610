"""The one small interface every detector implements, and the box maths they share."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from openlfr.models.runtime import Runner
from openlfr.vision.types import Detections


class Detector(Protocol):
    """Finds faces with five landmarks in one BGR image."""

    def detect(self, image: np.ndarray) -> Detections: ...


class BaseDetector:
    """What every detector is made with; each family's maths stays in its own module."""

    def __init__(self, runner: Runner, score: float, nms_iou: float, max_side: int) -> None:
        self.runner = runner
        self.score = score
        self.nms_iou = nms_iou
        self.max_side = max_side


def shrink(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """``image`` scaled down so its longer side is at most ``max_side``, and the factor back."""
    side = max(image.shape[:2])
    if side <= max_side:
        return image, 1.0
    factor = max_side / side
    size = (round(image.shape[1] * factor), round(image.shape[0] * factor))
    # Linear, not area: at 1280x720 -> 960 it is ~8x cheaper, and the detector cannot tell.
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), 1.0 / factor


def pad_to_multiple(image: np.ndarray, multiple: int) -> np.ndarray:
    """``image`` padded with black at the bottom and right to a multiple of ``multiple``."""
    h, w = image.shape[:2]
    bottom, right = -h % multiple, -w % multiple
    if not bottom and not right:
        return image
    return cv2.copyMakeBorder(image, 0, bottom, 0, right, cv2.BORDER_CONSTANT, value=0)


def cell_xy(index: np.ndarray, width: int, stride: int, per_cell: int) -> np.ndarray:
    """(col, row) of the grid cell of each prediction ``index`` in a row-major stride map.

    ``width`` is the network input's width; ``per_cell`` predictions (anchors)
    share each cell and sit next to each other. Returns (N, 2) float32.
    """
    cell = index // per_cell
    cols = width // stride
    return np.stack([cell % cols, cell // cols], axis=1).astype(np.float32)


def outputs_by_width(outputs: list[np.ndarray]) -> dict[int, list[np.ndarray]]:
    """Outputs as (rows, width) arrays grouped by width, each group finest stride first.

    Exports name and order their outputs differently; the width (1 score, 2
    classes, 4 box, 10 landmark values) and the row count (more at a finer
    stride) say what each one holds.
    """
    groups: dict[int, list[np.ndarray]] = {}
    for out in outputs:
        groups.setdefault(out.shape[-1], []).append(out.reshape(-1, out.shape[-1]))
    return {width: sorted(group, key=len, reverse=True) for width, group in groups.items()}


def nms(found: Detections, iou: float) -> Detections:
    """Greedy non-maximum suppression, highest score first."""
    if len(found) == 0:
        return found
    x1, y1, x2, y2 = found.boxes.T
    areas = (x2 - x1).clip(0) * (y2 - y1).clip(0)
    order = np.argsort(-found.scores)
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = (np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest])).clip(0)
        h = (np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest])).clip(0)
        overlap = w * h / (areas[i] + areas[rest] - w * h + 1e-9)
        order = rest[overlap <= iou]
    return found.take(np.array(keep))
