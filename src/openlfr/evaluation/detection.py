"""Face detection accuracy: WIDER FACE average precision per difficulty level.

Computed as the official evaluation (eval_tools, and its Python port
widerface_evaluate) does. Scores are normalised to [0, 1] over the whole set.
In each image, every detection, best score first, is matched to the annotated
face it overlaps most, if the IoU (box areas counted in whole pixels, +1) is at
least 0.5. At each level, a detection matched to a face the level does not
count is ignored, neither a true nor a false positive; the first detection
matched to a counted face is a true positive and any later one a false
positive. Precision and recall are read at 1,000 score thresholds and AP is the
area under the interpolated precision-recall curve (PASCAL VOC).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openlfr.config import Settings
from openlfr.evaluation.equitability import GroupComparison
from openlfr.evaluation.stats import image_rates
from openlfr.evaluation.templates import OnProgress
from openlfr.evaluation.wider import LEVELS, VAL_IMAGES, WiderImage
from openlfr.vision.detect import FAMILIES
from openlfr.vision.detect.base import Detector
from openlfr.vision.image import read_image
from openlfr.vision.models import load_detector
from openlfr.vision.types import Detections

IOU = 0.5
THRESHOLDS = 1000
# The protocol ranks detections, so it wants nearly every candidate, not the operating point.
EVALUATION_SCORE = 0.02
# A detect_max_side no image reaches: the protocol runs at the original size.
ORIGINAL_SIZE = 1 << 15
LABEL = "detecting faces"  # what on_progress is told this step is


@dataclass(frozen=True)
class LevelResult:
    level: str
    faces: int  # faces that count at this level
    ap: float
    recall: float  # of the counted faces, by all detections given


@dataclass(frozen=True)
class DetectionReport:
    detector: str
    model: str
    images: int
    subset: bool  # fewer images than the full val set: AP not comparable with published figures
    levels: list[LevelResult]


def overlaps(boxes: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(D, F) IoU of x1, y1, x2, y2 boxes with faces, counting whole pixels (+1) as officially."""
    low = np.maximum(boxes[:, None, :2], faces[None, :, :2])
    high = np.minimum(boxes[:, None, 2:], faces[None, :, 2:])
    inter = (high - low + 1).clip(0).prod(axis=2)
    areas = (boxes[:, 2:] - boxes[:, :2] + 1).prod(axis=1)
    face_areas = (faces[:, 2:] - faces[:, :2] + 1).prod(axis=1)
    union = areas[:, None] + face_areas[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def match(
    boxes: np.ndarray, faces: np.ndarray, counted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Match detections (best score first) to the faces of one image at one level.

    Returns, per detection, the number of counted faces found by it and the
    detections before it, and whether it is a proposal (not matched to an
    ignored face).
    """
    iou = overlaps(boxes, faces)
    nearest = iou.argmax(axis=1)
    matched, counts = iou.max(axis=1) >= IOU, counted[nearest]
    hits = np.flatnonzero(matched & counts)
    _, first = np.unique(nearest[hits], return_index=True)
    finds = np.zeros(len(boxes), int)
    finds[hits[first]] = 1
    return np.cumsum(finds), ~(matched & ~counts)


def pr_counts(scores: np.ndarray, found: np.ndarray, proposed: np.ndarray) -> np.ndarray:
    """(THRESHOLDS, 2) proposals and counted faces found at or above each threshold.

    ``scores`` are normalised and sorted best first; thresholds run from just
    under 1 down to 0.
    """
    thresholds = 1 - (np.arange(THRESHOLDS) + 1) / THRESHOLDS
    above = np.searchsorted(-scores, -thresholds, side="right")
    proposals = np.concatenate([[0], np.cumsum(proposed)])
    return np.stack([proposals[above], np.concatenate([[0], found])[above]], axis=1)


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the curve whose precision at each recall is the best at that recall or above."""
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.maximum.accumulate(np.concatenate([[0.0], precision, [0.0]])[::-1])[::-1]
    step = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[step + 1] - recall[step]) * precision[step + 1]))


def evaluate(images: Sequence[WiderImage], found: Sequence[Detections]) -> list[LevelResult]:
    """AP and recall per level of the detections ``found`` in each of ``images``."""
    ranked = [dets.take(np.argsort(-dets.scores, kind="stable")) for dets in found]
    scores = np.concatenate([dets.scores for dets in ranked]).astype(np.float64)
    low, high = scores.min(initial=1.0), scores.max(initial=0.0)
    spread = (high - low) or 1.0  # a single score: nothing to spread
    results = []
    for level in LEVELS:
        counts = np.zeros((THRESHOLDS, 2))
        faces = 0
        for image, dets in zip(images, ranked, strict=True):
            faces += int(image.counted[level].sum())
            if len(dets) == 0 or len(image.boxes) == 0:
                continue
            finds, proposed = match(dets.boxes, image.boxes, image.counted[level])
            counts += pr_counts((dets.scores - low) / spread, finds, proposed)
        proposals = counts[:, 0]
        precision = np.divide(
            counts[:, 1], proposals, out=np.zeros(THRESHOLDS), where=proposals > 0
        )
        recall = counts[:, 1] / max(faces, 1)
        results.append(
            LevelResult(level, faces, average_precision(recall, precision), float(recall[-1]))
        )
    return results


def detect_all(
    detector: Detector,
    images: Sequence[WiderImage],
    settings: Settings,
    on_progress: OnProgress | None = None,
) -> list[Detections]:
    """What ``detector`` finds in each image (read with ``settings``' size limits).

    ``on_progress`` is told ``(LABEL, done, len(images))`` after each image.
    """
    found = []
    for done, image in enumerate(images, 1):
        pixels = read_image(image.path, settings.max_image_bytes, settings.max_image_pixels)
        found.append(detector.detect(pixels))
        if on_progress:
            on_progress(LABEL, done, len(images))
    return found


def evaluate_detection(
    settings: Settings,
    images: Sequence[WiderImage],
    on_progress: OnProgress | None = None,
) -> DetectionReport:
    """AP per level of ``settings``' detector on ``images``, run as the protocol expects.

    The detector is run at the original image size with a low score threshold
    (``EVALUATION_SCORE``) whatever ``settings`` say; ``on_progress`` is told
    how many images are done after each.
    """
    protocol = settings.model_copy(
        update={"detector_score": EVALUATION_SCORE, "detect_max_side": ORIGINAL_SIZE}
    )
    detector = load_detector(protocol)
    found = detect_all(detector, images, protocol, on_progress)
    model = settings.detector_path or FAMILIES[settings.detector][1]
    return DetectionReport(
        settings.detector, str(model), len(images), len(images) < VAL_IMAGES,
        evaluate(images, found),
    )  # fmt: skip


UNSURE = "not_sure"  # the labellers' own "not sure": left out of that attribute
LIGHTER, DARKER = ("I", "II", "III"), ("IV", "V", "VI")  # the usual Fitzpatrick split


def misses_by_group(
    settings: Settings,
    images: Sequence[WiderImage],
    labels: dict[tuple[str, int], dict[str, str]],
    on_progress: OnProgress | None = None,
) -> list[GroupComparison]:
    """Detection miss rate (1 - recall) of the labelled faces of ``images`` by each attribute
    of ``labels`` (from ``wider.read_demographics``), and by skin tone lighter (I-III)
    against darker (IV-VI), with intervals and tests over faces.

    The detector runs as it does live (``settings``' score threshold and
    size), not at the protocol's low threshold: these are the faces a
    deployment would not see. A face counts as found if a detection overlaps
    it with IoU >= 0.5.
    """
    detector = load_detector(settings)
    found = detect_all(detector, images, settings, on_progress)
    rows: list[dict[str, str]] = []
    missed: list[bool] = []
    for image, dets in zip(images, found, strict=True):
        hit: np.ndarray = np.zeros(len(image.boxes), bool)
        if len(dets) and len(image.boxes):
            hit = np.asarray((overlaps(dets.boxes, image.boxes) >= IOU).any(axis=0))
        for i in range(len(image.boxes)):
            if (image.key, i) in labels:
                rows.append(labels[image.key, i])
                missed.append(not hit[i])
    errors = np.array(missed, bool)
    attributes = {name: np.array([r[name] for r in rows]) for name in (rows[0] if rows else {})}
    if "skin tone" in attributes:
        tone = attributes["skin tone"]
        attributes["skin tone, grouped"] = np.select(
            [np.isin(tone, LIGHTER), np.isin(tone, DARKER)],
            ["lighter (I-III)", "darker (IV-VI)"],
            UNSURE,
        )
    comparisons = []
    for name, groups in attributes.items():
        known = groups != UNSURE
        rates = image_rates(groups[known], errors[known])
        comparisons.append(GroupComparison("detection miss rate", name, detector.score, rates))
    return comparisons
