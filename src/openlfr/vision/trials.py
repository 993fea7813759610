"""Precision trials: a model run at one precision against its f32 run on the sample faces.

A detector is compared on frames (every face f32 finds, found again with a
close box and score), an embedder on aligned chips of those faces (cosine of
each template to its f32 template). Each trial also times the run there and
then; the rule that turns trials into a choice is openlfr.models.precision's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from openlfr.models.precision import Trial, detector_refusal, embedder_refusal
from openlfr.models.runtime import Precision
from openlfr.vision.detect.base import Detector
from openlfr.vision.embed import ArcFaceEmbedder
from openlfr.vision.types import Detections

MATCH_IOU = 0.5  # a face counts as found again from this overlap; closeness is judged after


def timed(run: Callable[[], object], repeats: int = 3) -> float:
    """Milliseconds of the fastest of ``repeats`` calls of ``run`` (after one to warm up)."""
    run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of each box in ``a`` (N, 4) with each in ``b`` (M, 4)."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:4], b[None, :, 2:4])
    inter = np.clip(bottom_right - top_left, 0, None).prod(axis=2)
    area_a = (a[:, 2:4] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:4] - b[:, :2]).prod(axis=1)
    return np.asarray(inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9))


def compare_detections(
    reference: Sequence[Detections], found: Sequence[Detections]
) -> tuple[float, float, int]:
    """Over all frames: the least IoU of a reference face with its match, the largest score
    gap between them, and how many faces are in one list only."""
    least_iou, score_gap, unmatched = 1.0, 0.0, 0
    for ref, got in zip(reference, found, strict=True):
        overlap = iou(ref.boxes, got.boxes) if len(ref.boxes) and len(got.boxes) else None
        if overlap is None:
            unmatched += len(ref.boxes) + len(got.boxes)
            continue
        best = overlap.argmax(axis=1)
        matched = overlap[np.arange(len(best)), best] >= MATCH_IOU
        unmatched += int((~matched).sum()) + len(got.boxes) - len(set(best[matched].tolist()))
        if matched.any():
            least_iou = min(least_iou, float(overlap[np.arange(len(best)), best][matched].min()))
            gaps = np.abs(ref.scores[matched] - got.scores[best[matched]])
            score_gap = max(score_gap, float(gaps.max()))
    return least_iou, score_gap, unmatched


def try_detector(
    precision: Precision,
    detector: Detector,
    frames: Sequence[np.ndarray],
    reference: Sequence[Detections] | None,
) -> tuple[Trial, list[Detections]]:
    """``detector`` (running at ``precision``) on ``frames`` against the f32 ``reference``
    (None: this is the f32 run); ms per frame."""
    found = detector.detect_many(frames)
    ms = timed(lambda: detector.detect(frames[0]))
    if reference is None:
        return Trial(precision, ms, "the reference", None), found
    least_iou, gap, unmatched = compare_detections(reference, found)
    agreement = f"{unmatched} faces unmatched, min box IoU {least_iou:.3f}, score gap {gap:.3f}"
    return Trial(precision, ms, agreement, detector_refusal(least_iou, gap, unmatched)), found


def try_embedder(
    precision: Precision,
    embedder: ArcFaceEmbedder,
    chips: np.ndarray,
    reference: np.ndarray | None,
) -> tuple[Trial, np.ndarray]:
    """``embedder`` (running at ``precision``) on ``chips`` against the f32 ``reference``
    templates (None: this is the f32 run); ms per face, in batches of 16."""
    templates = embedder.infer(chips)
    batch = chips[:16]
    ms = timed(lambda: embedder.infer(batch)) / len(batch)
    if reference is None:
        return Trial(precision, ms, "the reference", None), templates
    cosines = (templates * reference).sum(axis=1)
    mean, least = float(cosines.mean()), float(cosines.min())
    agreement = f"mean cosine {mean:.4f}, min {least:.4f} on {len(chips)} faces"
    return Trial(precision, ms, agreement, embedder_refusal(mean, least)), templates
