"""Every detector on real frames: one face where there is one, landmarks in order, recall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openlfr.config import Settings
from openlfr.evaluation.detection import detect_all, evaluate
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.wider import read_wider
from openlfr.models.manifest import ModelError, spec
from openlfr.models.provision import status
from openlfr.vision.detect.base import Detector
from openlfr.vision.image import read_image
from openlfr.vision.models import load_detector
from tests.conftest import shared

# test id -> (family, bring-your-own file in the shared models folder, or None: shipped)
DETECTORS = {
    "yunet": ("yunet", None),
    "centerface": ("centerface", None),
    "scrfd_500m": ("scrfd", None),
    "scrfd_2.5g": ("scrfd", "scrfd_2.5g_bnkps.onnx"),
    "retinaface": ("retinaface", "retinaface_mobilenet0.25.onnx"),
}
OPT_IN = {"scrfd_500m"}


def detector(name: str) -> Detector:
    """The detector ``name`` at its default settings. A bring-your-own file missing from the
    shared data folder fails the test, as all shared data does; only an opt-in model, which
    `make test` does not install, is skipped."""
    family, file = DETECTORS[name]
    path = shared("models", file) if file else None
    if path is not None and not path.is_file():
        pytest.fail(f"bring-your-own model {path} is missing from the shared data folder")
    settings = Settings(detector=family, detector_path=path)
    if name in OPT_IN and status(settings.models_dir, spec(name)).state != "installed":
        pytest.skip(
            f"opt-in model {name} is not installed: `make test` installs only the default "
            f"models; run `lfr models install {name}` to test it"
        )
    return load_detector(settings)


@pytest.mark.parametrize("name", DETECTORS)
def test_one_face_with_landmarks_in_order(name: str, hamilton_frames: list[np.ndarray]) -> None:
    found = detector(name).detect(hamilton_frames[150])
    assert len(found) == 1
    x1, y1, x2, y2 = found.boxes[0]
    assert 60 < x2 - x1 < 110, "Lin-Manuel Miranda is about 80 px wide"
    left_eye, right_eye, nose, mouth_left, mouth_right = found.landmarks[0]
    assert x1 < left_eye[0] < nose[0] < right_eye[0] < x2
    assert y1 < max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1]) < y2
    assert mouth_left[0] < mouth_right[0]


@pytest.mark.parametrize("name", DETECTORS)
def test_batched_detection_finds_what_one_by_one_does(
    name: str, hamilton_frames: list[np.ndarray]
) -> None:
    """Five LFW crops in one run; WIDER photos (1024x768 twice, 1024x372) and frames apart."""
    lfw = Lfw(shared("lfw"))
    crops = [lfw.path(i) for i in lfw.images("George_W_Bush")[:5]]
    wider = read_wider(shared("widerface_val_subset"))
    photos = [wider[k].path for k in (0, 1, 3)]
    read = [read_image(path, 10**8, 10**8) for path in crops + photos]
    images = [*read, hamilton_frames[150], hamilton_frames[250]]
    images = images[::2] + images[1::2]  # sizes interleaved, not sorted
    assert len({im.shape for im in images}) >= 4

    found = detector(name)
    together = found.detect_many(images)
    alone = [found.detect(im) for im in images]
    assert sum(len(d) for d in alone) >= 20
    for a, b in zip(together, alone, strict=True):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-4)
        np.testing.assert_allclose(a.boxes, b.boxes, atol=1e-2)
        np.testing.assert_allclose(a.landmarks, b.landmarks, atol=1e-2)


@pytest.mark.parametrize(("name", "floor"), [("yunet", 0.75), ("centerface", 0.75)])
def test_recall_of_easy_wider_faces(name: str, floor: float) -> None:
    # Measured 2026-11-23 at the default score and detect_max_side: yunet 0.844, centerface 0.823.
    with_easy = [i for i in read_wider(shared("widerface_val_subset")) if i.counted["easy"].any()]
    images = with_easy[::13][:20]  # 20 images, one from each of 20 events, 147 easy faces
    settings = Settings(detector=name)
    easy = evaluate(images, detect_all(detector(name), images, settings))[0]
    assert easy.level == "easy" and easy.faces == 147
    assert easy.recall > floor


def test_a_missing_bring_your_own_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "retinaface.onnx"
    with pytest.raises(ModelError, match=r"retinaface\.onnx does not exist"):
        load_detector(Settings(detector="retinaface", detector_path=missing))


def test_a_detector_without_a_shipped_model_asks_for_its_file() -> None:
    with pytest.raises(ModelError, match="LFR_DETECTOR_PATH"):
        load_detector(Settings(detector="retinaface", detector_path=None))
