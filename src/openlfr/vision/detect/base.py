"""The one small interface every detector implements, and the batching and box maths they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import cv2
import numpy as np

from openlfr.models.runtime import Runner
from openlfr.vision.types import Detections

# Network input pixels per run. Batching pays for small inputs only: measured
# with CenterFace in bf16, 160x160 takes 2.1 ms an image alone and 1.5 at 8 a
# run, while 640x480 and 960x544 gain nothing or lose. So many LFW-sized crops
# share a run and frames from 640x480 up go one at a time.
BATCH_PIXELS = 1 << 18


class Detector(ABC):
    """Finds faces with five landmarks in BGR images: shrinking, padding and batching, the same
    for every family.

    A family module gives the network's input convention (``_blob``) and how to
    read its outputs (``_decode``); RetinaFace also its fixed input size (``_fit``).
    """

    default_score: float

    def __init__(self, runner: Runner, score: float, nms_iou: float, max_side: int) -> None:
        self.runner = runner
        self.score = score
        self.nms_iou = nms_iou
        self.max_side = max_side
        self.batches = True  # False once the export is seen to have no batch axis

    def detect(self, image: np.ndarray) -> Detections:
        """Faces in one BGR uint8 image, in its pixel coordinates."""
        return self.detect_many([image])[0]

    def detect_many(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Faces in each BGR uint8 image of ``images``, exactly as ``detect`` finds them.

        Images that become network inputs of the same shape (the same size
        after shrinking and padding: crops, or frames of several cameras) share
        network runs of up to ``BATCH_PIXELS`` input pixels; images of other
        shapes run apart, so any mix of sizes may be given.
        """
        fitted = [self._fit(image) for image in images]
        groups: dict[tuple[int, int], list[int]] = {}
        for i, (padded, _) in enumerate(fitted):
            groups.setdefault((padded.shape[0], padded.shape[1]), []).append(i)
        found = [Detections.empty()] * len(images)
        for shape, members in groups.items():
            per_run = max(1, BATCH_PIXELS // (shape[0] * shape[1])) if self.batches else 1
            for start in range(0, len(members), per_run):
                run = members[start : start + per_run]
                shares = self._run(np.stack([fitted[i][0] for i in run]))
                for i, outputs in zip(run, shares, strict=True):
                    found[i] = self._decode(outputs, shape).scaled(fitted[i][1])
        return found

    def _run(self, images: np.ndarray) -> list[list[np.ndarray]]:
        """Each image's share of the network's outputs on (N, H, W, 3) ``images``."""
        outputs = self.runner.run(self._blob(images))
        if len(images) == 1:
            return [outputs]
        if all(len(out) == len(images) for out in outputs):
            return [[out[k : k + 1] for out in outputs] for k in range(len(images))]
        # No batch axis: the export stacks all images' rows in an order of its own.
        self.batches = False
        return [self.runner.run(self._blob(images[k : k + 1])) for k in range(len(images))]

    def _fit(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """``image`` shrunk to ``max_side`` and padded to a multiple of 32, and the factor back."""
        small, factor = shrink(image, self.max_side)
        return pad_to_multiple(small, 32), factor

    @abstractmethod
    def _blob(self, images: np.ndarray) -> np.ndarray:
        """(N, H, W, 3) BGR uint8 -> the network's (N, 3, H, W) float32 input.

        Contiguous, made in one pass: a runtime copies a strided input first.
        """

    @abstractmethod
    def _decode(self, outputs: list[np.ndarray], shape: tuple[int, int]) -> Detections:
        """Faces in one image from its share of each output, in pixels of the (h, w) input."""


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
