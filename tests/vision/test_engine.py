"""The engine on real video: faces found, templates that tell people apart."""

from __future__ import annotations

import numpy as np

from openlfr.config import Settings
from openlfr.models.provision import installed_path
from openlfr.models.runtime import load_runner
from openlfr.vision.align import align
from openlfr.vision.engine import Engine


def test_one_face_per_frame_in_the_close_up(
    engine: Engine, hamilton_frames: list[np.ndarray]
) -> None:
    frames = [hamilton_frames[i] for i in (100, 150, 200)]
    per_frame = engine.analyse(frames)
    assert [len(faces) for faces in per_frame] == [1, 1, 1]
    face = per_frame[1][0]
    left_eye, right_eye, nose, mouth_left, mouth_right = face.landmarks
    assert left_eye[0] < nose[0] < right_eye[0]
    assert mouth_left[1] > nose[1] > left_eye[1] and mouth_right[0] > mouth_left[0]
    assert 60 < face.box[2] - face.box[0] < 110, "Lin-Manuel Miranda is about 80 px wide"
    assert face.embedding.shape == (128,)
    assert abs(float(np.linalg.norm(face.embedding)) - 1) < 1e-5
    assert face.quality.acceptable


def test_templates_match_the_right_person(
    engine: Engine,
    hamilton_frames: list[np.ndarray],
    lin_photo: np.ndarray,
    alex_photo: np.ndarray,
) -> None:
    [[lin]], [[alex]] = engine.analyse([lin_photo]), engine.analyse([alex_photo])
    close_up = [f for faces in engine.analyse(hamilton_frames[90:210:20]) for f in faces]
    audience = [f for faces in engine.analyse(hamilton_frames[215:275:15]) for f in faces]
    assert len(close_up) >= 6 and len(audience) >= 8
    to_lin = [float(f.embedding @ lin.embedding) for f in close_up]
    to_alex = [float(f.embedding @ alex.embedding) for f in close_up]
    assert min(to_lin) > 0.45 and max(to_alex) < 0.25
    crowd = [float(f.embedding @ p.embedding) for f in audience for p in (lin, alex)]
    # Highest measured: 0.290 (f32), 0.301 (bf16), 0.302 (SFace int8); match threshold 0.5507.
    assert max(crowd) < 0.35, "an audience member looks like a watchlisted person"


def test_no_faces_in_an_empty_frame(engine: Engine) -> None:
    assert engine.analyse([np.full((360, 640, 3), 90, np.uint8)]) == [[]]


def test_openvino_bf16_agrees_with_onnxruntime_f32(
    settings: Settings, lin_photo: np.ndarray, engine: Engine
) -> None:
    [[face]] = engine.analyse([lin_photo])
    chip = align(lin_photo, face.landmarks)
    blob = np.ascontiguousarray(chip[None, :, :, ::-1].transpose(0, 3, 1, 2), np.float32)
    path = installed_path(settings.models_dir, "sface")
    reference_runner = load_runner(path, "onnxruntime", 2)
    assert reference_runner.backend == "onnxruntime"
    reference = reference_runner.run(blob)[0][0]
    for precision in ("f32", "bf16"):
        runner = load_runner(path, "openvino", 2, precision)
        # A silent fallback to ONNX Runtime would compare ONNX Runtime with itself.
        assert runner.backend == "openvino", f"OpenVINO did not load sface at {precision}"
        fast = runner.run(blob)[0][0]
        cosine = fast @ reference / np.linalg.norm(fast) / np.linalg.norm(reference)
        assert cosine > 0.999, precision


def test_flip_templates_are_mirror_invariant(settings: Settings, lin_photo: np.ndarray) -> None:
    mirrored = np.ascontiguousarray(lin_photo[:, ::-1])
    flipping = Engine(settings.model_copy(update={"flip_templates": True}))
    [[a]], [[b]] = flipping.analyse([lin_photo]), flipping.analyse([mirrored])
    plain = Engine(settings)
    [[c]], [[d]] = plain.analyse([lin_photo]), plain.analyse([mirrored])
    assert abs(float(np.linalg.norm(a.embedding)) - 1) < 1e-5
    assert float(a.embedding @ b.embedding) > 0.98
    assert float(a.embedding @ b.embedding) > float(c.embedding @ d.embedding)
