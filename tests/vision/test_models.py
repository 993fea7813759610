"""Which precision each model runs at here: tried on this CPU on the sample faces, recorded,
tried again on another CPU, and a reduced precision that disagrees with f32 refused."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from openlfr.models.manifest import spec
from openlfr.models.precision import record_file
from openlfr.services.models import install_models
from openlfr.vision.models import load_embedder, precision_choice, shipped_runtime
from openlfr.vision.samples import check_frames
from openlfr.vision.trials import compare_detections
from openlfr.vision.types import Detections


@pytest.fixture
def own_models(settings: Settings, tmp_path: Path) -> Settings:
    """Settings over a copy of the installed default models, with no precision record."""
    target = tmp_path / "models"
    target.mkdir()
    for name in ("centerface", "sface"):
        for path in settings.models_dir.glob(f"{name}.*"):
            shutil.copy(path, target / path.name)
    return settings.model_copy(update={"data_dir": tmp_path})


def break_int8_scales(path: Path) -> None:
    """Multiply the int8 file's per-channel weight scales by 4, as a bad build would."""
    model = onnx.load(str(path))
    for init in model.graph.initializer:
        value = numpy_helper.to_array(init)
        if init.name.endswith("_scale") and value.ndim == 1:
            init.CopyFrom(numpy_helper.from_array(value * 4, init.name))
    onnx.save(model, str(path))


def test_the_sample_frames_show_both_people() -> None:
    frames = check_frames()
    assert len(frames) == 16 and all(f.shape == (720, 1280, 3) for f in frames)
    assert len({f.tobytes() for f in frames}) == 16, "each frame varies them differently"


def test_int8_passes_here_and_the_fastest_passing_precision_runs(own_models: Settings) -> None:
    choice = precision_choice(own_models, spec("sface"), "openvino")
    trials = {t.precision: t for t in choice.trials}
    assert trials["f32"].ms is not None and trials["int8"].refusal is None, trials["int8"]
    assert "on 32 faces" in trials["int8"].agreement
    passing = [t for t in choice.trials if t.refusal is None and t.ms is not None]
    assert choice.precision == min(passing, key=lambda t: t.ms or 0).precision
    assert shipped_runtime(own_models, "sface").precision == choice.precision


def test_a_broken_int8_file_is_refused_and_the_float_file_runs(
    own_models: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    break_int8_scales(own_models.models_dir / "sface.int8.onnx")
    with caplog.at_level(logging.WARNING):
        run = shipped_runtime(own_models, "sface")
    # The float file runs: at f32, or at bf16 where this CPU has it and it was faster.
    assert run.path.name == "sface.onnx" and run.precision in ("f32", "bf16")
    assert "int8 refused: agreement with f32 mean cosine" in run.reason
    [line] = [r.getMessage() for r in caplog.records if "sface" in r.getMessage()]
    assert line.startswith("sface: int8 refused") and line.endswith(f"running {run.precision}")


def test_bf16_runs_only_where_the_cpu_has_it(own_models: Settings) -> None:
    choice = precision_choice(own_models, spec("centerface"), "openvino")
    [bf16] = [t for t in choice.trials if t.precision == "bf16"]
    forced = shipped_runtime(own_models.model_copy(update={"precision": "bf16"}), "centerface")
    if this_cpu().bf16:
        assert bf16.ms is not None and forced.precision == "bf16"
    else:
        assert bf16.refusal == "not supported by this CPU (OpenVINO reports no BF16)"
        assert choice.precision == "f32"
        assert (forced.precision, forced.path.name) == ("f32", "centerface.onnx")
        assert "bf16" in forced.reason and "runs f32" in forced.reason


def test_on_another_cpu_the_trials_run_again_at_first_load(own_models: Settings) -> None:
    load_embedder(own_models)
    path = record_file(own_models.models_dir)
    moved = json.loads(path.read_text())
    moved["cpu"]["name"] = "the machine the data folder came from"
    moved["models"]["sface"]["precision"] = "bf16"  # what ran there
    path.write_text(json.dumps(moved))
    load_embedder(own_models)
    again = json.loads(path.read_text())
    assert again["cpu"] == this_cpu().as_dict()
    assert again["models"]["sface"]["precision"] != "bf16" or this_cpu().bf16


def test_install_tries_the_precisions_again_on_the_same_cpu(own_models: Settings) -> None:
    load_embedder(own_models)
    path = record_file(own_models.models_dir)
    stale = json.loads(path.read_text())
    stale["models"]["sface"]["reason"] = "judged by an older openlfr"
    path.write_text(json.dumps(stale))
    install_models(own_models, ["sface"], False, lambda _: None)
    again = json.loads(path.read_text())["models"]["sface"]
    assert again["reason"] != "judged by an older openlfr" and again["trials"]


def test_no_trial_on_onnx_runtime(own_models: Settings) -> None:
    run = shipped_runtime(own_models.model_copy(update={"backend": "onnxruntime"}), "sface")
    assert (run.backend, run.precision) == ("onnxruntime", "f32")
    assert not record_file(own_models.models_dir).exists()


def detections(*boxes: tuple[float, float, float, float, float]) -> Detections:
    rows = np.array(boxes, np.float32).reshape(-1, 5)
    return Detections(rows[:, :4], rows[:, 4], np.zeros((len(rows), 5, 2), np.float32))


def test_detections_are_compared_face_by_face() -> None:
    reference = [detections((0, 0, 10, 10, 0.9), (20, 20, 30, 30, 0.8)), detections()]
    close = [detections((20, 20, 30, 31, 0.78), (0, 0, 10, 10, 0.9)), detections()]
    least_iou, gap, unmatched = compare_detections(reference, close)
    assert least_iou == pytest.approx(100 / 110, abs=1e-6) and gap == pytest.approx(0.02, abs=1e-6)
    assert unmatched == 0
    missing_and_extra = [detections((0, 0, 10, 10, 0.9)), detections((5, 5, 9, 9, 0.7))]
    assert compare_detections(reference, missing_and_extra)[2] == 2
