"""Templates through the full pipeline, the face chosen per image, and the on-disk cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.templates import (
    compute_templates,
    nearest_centre,
    pipeline_identity,
    stack,
)
from openlfr.vision.engine import Engine
from openlfr.vision.types import Detections
from tests.conftest import shared


def test_nearest_centre_keeps_the_face_in_the_middle() -> None:
    boxes = np.array([[0, 0, 40, 40], [60, 60, 100, 100], [120, 0, 160, 40]], np.float32)
    found = Detections(boxes, np.array([0.99, 0.7, 0.95], np.float32), np.zeros((3, 5, 2)))
    chosen = nearest_centre(found, (160, 160, 3))
    assert len(chosen) == 1
    assert chosen.boxes[0].tolist() == [60, 60, 100, 100]


def test_templates_misses_and_the_cache(tmp_path: Path, settings: Settings) -> None:
    lfw = Lfw(shared("lfw"))
    files = [lfw.path(i) for i in lfw.images("Colin_Powell")[:12]]
    blank = tmp_path / "no-face.jpg"
    cv2.imwrite(str(blank), np.full((160, 160, 3), 128, np.uint8))
    files.append(blank)
    cache = tmp_path / "cache" / "templates.sqlite3"

    told: list[tuple[str, int, int]] = []
    first = compute_templates(Engine(settings), files, cache, "faces", lambda *t: told.append(t))
    assert told == [("faces", 0, 13), ("faces", 13, 13)]  # nothing cached, then one chunk
    assert first[-1] is None  # a miss is recorded, not dropped
    matrix, found = stack(first)
    assert found.tolist() == [True] * 12 + [False]
    assert np.allclose(np.linalg.norm(matrix[:12], axis=1), 1, atol=1e-3)
    # Twelve photos of one person: every pair is far above the 1:1 threshold's neighbourhood.
    assert (matrix[:12] @ matrix[:12].T).min() > 0.3
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*), COUNT(vec) FROM templates").fetchone() == (13, 12)

    # A second run is served from the cache: the fresh engine never loads a model.
    fresh = Engine(settings)
    told.clear()
    second = compute_templates(fresh, files, cache, "faces", lambda *t: told.append(t))
    assert told == [("faces", 13, 13)]  # cached files count as done from the start
    assert "detector" not in vars(fresh) and "embedder" not in vars(fresh)
    assert second[-1] is None
    assert np.array_equal(stack(second)[0], matrix)


def test_the_cache_key_follows_settings_that_change_a_template(settings: Settings) -> None:
    def identity(**changes: object) -> dict[str, object]:
        return pipeline_identity(Engine(settings.model_copy(update=changes)))

    base = identity()
    assert identity(nms_iou=0.3) != base
    assert identity(backend="onnxruntime") != base
    assert identity(embed_batch=64) == base
    assert isinstance(base["embedder_sha256"], str) and len(base["embedder_sha256"]) == 64
