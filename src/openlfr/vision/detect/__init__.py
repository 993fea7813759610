"""Face detectors: one module per family, each a ``base.Detector``."""

from __future__ import annotations

from openlfr.config import Settings
from openlfr.models.runtime import Runner
from openlfr.vision.detect.base import Detector
from openlfr.vision.detect.centerface import CenterFace
from openlfr.vision.detect.retinaface import RetinaFace
from openlfr.vision.detect.scrfd import Scrfd
from openlfr.vision.detect.yunet import YuNet

# family -> (its class, the shipped model for it, if any)
FAMILIES: dict[str, tuple[type[Detector], str | None]] = {
    "yunet": (YuNet, "yunet"),
    "centerface": (CenterFace, "centerface"),
    "scrfd": (Scrfd, "scrfd_500m"),
    "retinaface": (RetinaFace, None),
}


def build_detector(settings: Settings, runner: Runner) -> Detector:
    """The detector of family ``settings.detector`` on ``runner``, with the settings' score,
    NMS overlap and largest side."""
    cls = FAMILIES[settings.detector][0]
    score = settings.detector_score if settings.detector_score is not None else cls.default_score
    detector: Detector = cls(runner, score, settings.nms_iou, settings.detect_max_side)
    return detector
