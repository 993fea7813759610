"""Runners on the installed SFace file: each backend asked for is the one that runs, and a
file OpenVINO cannot convert falls back to ONNX Runtime visibly."""

from __future__ import annotations

import logging
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from openlfr.config import Settings
from openlfr.models.manifest import spec
from openlfr.models.provision import installed_path
from openlfr.models.runtime import BackendName, load_runner
from openlfr.vision.align import align
from openlfr.vision.embed import chip_blob
from openlfr.vision.engine import Engine

# OpenVINO is a dependency on x86-64 only (pyproject.toml); elsewhere there is nothing to ask.
NO_OPENVINO = pytest.mark.skipif(
    find_spec("openvino") is None, reason="OpenVINO is not installed on this platform"
)
BACKENDS: list[BackendName] = ["onnxruntime", "openvino", "opencv"]


@pytest.fixture(scope="module")
def sface_input(engine: Engine, lin_photo: np.ndarray, alex_photo: np.ndarray) -> np.ndarray:
    """Two real faces as SFace's (2, 3, 112, 112) input, in its manifest's convention."""
    photos = (lin_photo, alex_photo)
    chips = np.stack([align(p, engine.detect([p])[0].landmarks[0]) for p in photos])
    sface = spec("sface")
    return chip_blob(chips, sface.colour == "rgb", sface.mean, sface.std)


@pytest.mark.parametrize(
    "backend", [pytest.param(b, marks=NO_OPENVINO if b == "openvino" else ()) for b in BACKENDS]
)
def test_each_backend_runs_sface_as_asked(
    backend: BackendName, settings: Settings, sface_input: np.ndarray
) -> None:
    path = installed_path(settings.models_dir, "sface")
    runner = load_runner(path, backend, 2)
    assert runner.backend == backend
    [out] = runner.run(sface_input)
    assert out.shape == (2, 128) and out.dtype == np.float32
    [reference] = load_runner(path, "onnxruntime", 2).run(sface_input)
    np.testing.assert_allclose(out, reference, atol=1e-3)
    lin, alex = out / np.linalg.norm(out, axis=1, keepdims=True)
    assert float(lin @ alex) < 0.3, "two different people came out alike"


def scaler_model(path: Path) -> None:
    """A one-node ONNX file, ``y = (x - 1) * 2`` as ai.onnx.ml's Scaler: ONNX Runtime runs it,
    OpenVINO has no conversion for it."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])
    node = helper.make_node(
        "Scaler", ["x"], ["y"], domain="ai.onnx.ml", offset=[1.0] * 3, scale=[2.0] * 3
    )
    graph = helper.make_graph([node], "scaler", [x], [y])
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
    onnx.save(helper.make_model(graph, opset_imports=opsets, ir_version=8), path)


@NO_OPENVINO
def test_a_file_openvino_cannot_load_runs_on_onnx_runtime_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scaler.onnx"
    scaler_model(path)
    with caplog.at_level(logging.WARNING, logger="openlfr.models.runtime"):
        runner = load_runner(path, "openvino", 1)
    assert runner.backend == "onnxruntime"
    [warning] = [r for r in caplog.records if r.name == "openlfr.models.runtime"]
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert str(path) in message and "backend openvino asked for" in message
    assert "Scaler" in message, "the warning does not say why OpenVINO refused"
    [out] = runner.run(np.array([[1.0, 2.0, 3.5]], np.float32))
    np.testing.assert_allclose(out, [[0.0, 2.0, 5.0]])
