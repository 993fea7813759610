"""The engine: frames in, faces (box, landmarks, quality, template) out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from openlfr.config import Settings
from openlfr.models.provision import sha256_of
from openlfr.vision.align import align
from openlfr.vision.detect import build_detector
from openlfr.vision.detect.base import Detector
from openlfr.vision.embed import ArcFaceEmbedder, build_embedder
from openlfr.vision.models import ModelRuntime, detector_runtime, embedder_runtime
from openlfr.vision.quality import assess
from openlfr.vision.types import Detections, Face, Quality


class Engine:
    """Detect, align and embed faces with the models ``settings`` name.

    Models load on first use, not when the engine is made. Small frames of one
    size in a call are detected together and the templates of all faces in it
    are computed in batches, which is what makes many frames or faces per call
    cheap.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def detector_runtime(self) -> ModelRuntime:
        """The detector's file, backend and precision here (openlfr.vision.models decides)."""
        return detector_runtime(self.settings)

    @cached_property
    def embedder_runtime(self) -> ModelRuntime:
        return embedder_runtime(self.settings)

    @cached_property
    def identity(self) -> dict[str, object]:
        """What decides this engine's faces on this machine, for caches and records: each
        model's name, file SHA-256, backend and precision, and the settings that change a face
        (``embed_batch`` and ``threads`` do not)."""
        s, detector, embedder = self.settings, self.detector_runtime, self.embedder_runtime
        custom = s.embedder == "custom"
        return {
            "detector": s.detector,
            "detector_sha256": sha256_of(detector.path),
            "detector_runtime": f"{detector.backend} {detector.precision}",
            "detector_score": s.detector_score,
            "nms_iou": s.nms_iou,
            "detect_max_side": s.detect_max_side,
            "embedder": s.embedder,
            "embedder_sha256": sha256_of(embedder.path),
            "embedder_runtime": f"{embedder.backend} {embedder.precision}",
            "embedder_input": s.embedder_input.model_dump() if custom else "manifest",
            "flip_templates": s.flip_templates,
        }

    @cached_property
    def detector(self) -> Detector:
        return build_detector(self.settings, self.detector_runtime.load(self.settings.threads))

    @cached_property
    def embedder(self) -> ArcFaceEmbedder:
        return build_embedder(self.settings, self.embedder_runtime.load(self.settings.threads))

    def analyse(self, frames: Sequence[np.ndarray]) -> list[list[Face]]:
        """For each BGR frame, the faces in it (highest detector score first)."""
        return self.describe(frames, self.detect(frames))

    def detect(self, frames: Sequence[np.ndarray]) -> list[Detections]:
        """For each BGR frame, the faces the detector finds in it, not yet aligned or embedded."""
        return self.detector.detect_many(frames)

    def inspect(
        self, frames: Sequence[np.ndarray], found: Sequence[Detections]
    ) -> list[list[tuple[np.ndarray, Quality]]]:
        """For each frame, each detected face's aligned 112x112 chip and its quality, not yet
        embedded (so a caller may embed only the faces worth it)."""
        inspected = []
        for frame, dets in zip(frames, found, strict=True):
            chips = [align(frame, lm) for lm in dets.landmarks]
            inspected.append([
                (chip, assess(box, lm, float(score), chip, self.settings.quality))
                for chip, box, lm, score in zip(chips, dets.boxes, dets.landmarks, dets.scores,
                                                strict=True)
            ])  # fmt: skip
        return inspected

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        """The templates (N, D) of aligned chips, in batches."""
        return self.embedder.infer(np.stack(chips)) if len(chips) else np.zeros((0, 0))

    def describe(
        self, frames: Sequence[np.ndarray], found: Sequence[Detections]
    ) -> list[list[Face]]:
        """Align, assess and embed faces already detected in ``frames``."""
        inspected = self.inspect(frames, found)
        templates = iter(self.embed([chip for faces in inspected for chip, _ in faces]))
        return [
            [Face(box, lm, float(score), quality, next(templates))
             for (_, quality), box, lm, score in zip(faces, dets.boxes, dets.landmarks,
                                                     dets.scores, strict=True)]
            for faces, dets in zip(inspected, found, strict=True)
        ]  # fmt: skip
