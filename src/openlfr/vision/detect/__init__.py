"""Face detectors: one module per family behind ``base.Detector``; ``load_detector`` picks one."""

from __future__ import annotations

from importlib import import_module

from openlfr.config import Settings
from openlfr.models.manifest import ModelError
from openlfr.models.provision import effective_backend, prepared_custom, shipped_runtime
from openlfr.models.runtime import Precision, load_runner
from openlfr.vision.detect.base import Detector

# family -> (module:class, the shipped model for it, if any)
FAMILIES: dict[str, tuple[str, str | None]] = {
    "yunet": ("yunet:YuNet", "yunet"),
    "centerface": ("centerface:CenterFace", "centerface"),
    "scrfd": ("scrfd:Scrfd", "scrfd_500m"),
    "retinaface": ("retinaface:RetinaFace", None),
}


def load_detector(settings: Settings) -> Detector:
    """The detector ``settings.detector``, on its own file or ``settings.detector_path``."""
    target, shipped = FAMILIES[settings.detector]
    if settings.detector_path is not None:
        path = prepared_custom(settings.detector_path, settings.models_dir, spatial_dynamic=True)
        backend = effective_backend(None, settings.backend)
        precision: Precision = "f32"
    elif shipped is not None:
        path, backend, precision = shipped_runtime(
            settings.models_dir, shipped, settings.backend, settings.precision
        )
    else:
        raise ModelError(
            f"detector {settings.detector} ships with no model: set detector_path "
            "(LFR_DETECTOR_PATH) to its ONNX file"
        )
    module_name, class_name = target.split(":")
    cls = getattr(import_module(f"openlfr.vision.detect.{module_name}"), class_name)
    runner = load_runner(path, backend, settings.threads, precision)
    score = settings.detector_score if settings.detector_score is not None else cls.default_score
    detector: Detector = cls(runner, score, settings.nms_iou, settings.detect_max_side)
    return detector
