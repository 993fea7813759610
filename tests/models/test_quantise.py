"""The int8 SFace: built at install from shipped ranges in 7-bit weights, close to the float
model on any x86 CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from openlfr.config import Settings
from openlfr.models.manifest import ModelError, spec
from openlfr.models.provision import install, installed_path, status
from openlfr.models.quantise import (
    calibration_file,
    equalise,
    fold_batchnorm,
    load_ranges,
    measure_ranges,
    prepare,
    quantise,
)
from openlfr.models.runtime import ExactRunner, OnnxRuntimeRunner, load_runner
from openlfr.vision.align import align
from openlfr.vision.embed import build_embedder, chip_blob
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.models import load_embedder, shipped_runtime
from tests.conftest import shared


@pytest.fixture(scope="module")
def chips(engine: Engine, settings: Settings) -> np.ndarray:
    """Aligned chips of 40 LFW faces, one person each."""
    people = sorted(shared("lfw", "images").iterdir())[::100][:40]
    out = []
    for person in people:
        image = read_image(sorted(person.glob("*.jpg"))[0], 10**7, 10**7)
        found = engine.detect([image])[0]
        out.append(align(image, found.landmarks[0]))
    return np.stack(out)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_folding_and_equalising_keep_the_arithmetic(
    settings: Settings, chips: np.ndarray, tmp_path: Path
) -> None:
    path = installed_path(settings.models_dir, "sface")
    folded = fold_batchnorm(onnx.load(str(path)))
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in folded.graph.initializer}
    convs = {out for n in folded.graph.node if n.op_type == "Conv" for out in n.output}
    remaining = [n for n in folded.graph.node if n.op_type == "BatchNormalization"]
    assert all(n.input[0] not in convs for n in remaining)
    assert "Dropout" not in {n.op_type for n in folded.graph.node}
    equalised = equalise(folded)
    changed = [i.name for i in equalised.graph.initializer
               if not np.array_equal(onnx.numpy_helper.to_array(i), weights[i.name])]  # fmt: skip
    assert len(changed) >= 3 * 7, "each Conv -> PReLU -> depthwise Conv is rescaled"
    onnx.save(equalised, str(tmp_path / "prepared.onnx"))
    blob = chip_blob(chips[:8], swap_to_rgb=True, mean=0.0, std=1.0)
    reference = OnnxRuntimeRunner(path, threads=2).run(blob)[0]
    got = OnnxRuntimeRunner(tmp_path / "prepared.onnx", threads=2).run(blob)[0]
    np.testing.assert_allclose(got, reference, rtol=1e-3, atol=1e-3)


def test_what_runs_here_agrees_with_the_float_model(chips: np.ndarray) -> None:
    # Whatever precision this CPU chose (int8 where it agreed on the sample faces, else f32).
    float_templates = load_embedder(Settings(precision="f32")).infer(chips)
    chosen = load_embedder(Settings()).infer(chips)
    assert cosines(chosen, float_templates).mean() > 0.99
    assert cosines(chosen, float_templates).min() > 0.95


def test_the_int8_file_agrees_with_the_float_model_on_this_cpu(
    settings: Settings, chips: np.ndarray
) -> None:
    # The 7-bit file forced on, whatever was chosen: no saturation on a CPU with or without VNNI.
    path = installed_path(settings.models_dir, "sface", "int8")
    int8 = build_embedder(settings, load_runner(path, "openvino", 2, "int8")).infer(chips)
    float_templates = load_embedder(Settings(precision="f32")).infer(chips)
    assert cosines(int8, float_templates).mean() > 0.99
    assert cosines(int8, float_templates).min() > 0.95


# Computes the templates of each int8 file named after the chips' file, with OpenVINO, saving
# them beside it; run in a process of its own, as oneDNN reads its ISA limit once, at load.
EMBED_INT8 = """
import sys
from pathlib import Path
import numpy as np
from openlfr.config import Settings
from openlfr.models.runtime import load_runner
from openlfr.vision.embed import build_embedder
chips = np.load(sys.argv[1])
for n, path in enumerate(sys.argv[2:]):
    runner = load_runner(Path(path), "openvino", 2, "int8")
    np.save(f"{sys.argv[1]}.{n}.npy", build_embedder(Settings(), runner).infer(chips))
"""


def test_without_vnni_the_7_bit_file_computes_what_every_cpu_does(
    settings: Settings, chips: np.ndarray, tmp_path: Path
) -> None:
    """OpenVINO's kernels held to AVX2 (``ONEDNN_MAX_CPU_ISA``: a CPU without VNNI, on any
    CPU) give the 7-bit file's exact arithmetic, which a VNNI CPU computes; an 8-bit build of
    the same model saturates there, which shows the limit took hold."""
    seven = installed_path(settings.models_dir, "sface", "int8")
    eight = tmp_path / "sface.int8-8bit.onnx"
    model = prepare(onnx.load(str(installed_path(settings.models_dir, "sface"))))
    onnx.save(quantise(model, load_ranges(calibration_file("sface")), 127), str(eight))
    np.save(tmp_path / "chips.npy", chips)
    held = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2"}
    command = [
        sys.executable,
        "-c",
        EMBED_INT8,
        str(tmp_path / "chips.npy"),
        str(seven),
        str(eight),
    ]
    subprocess.run(command, env=held, check=True, timeout=300)
    for n, path in enumerate((seven, eight)):
        without_vnni = np.load(tmp_path / f"chips.npy.{n}.npy")
        exact = build_embedder(settings, ExactRunner(path, 2)).infer(chips)
        agreement = cosines(without_vnni, exact)
        if path == seven:
            assert agreement.min() > 0.998, agreement.min()
        else:
            assert agreement.mean() < 0.95, agreement.mean()


def test_the_int8_file_runs_on_openvino_only(chips: np.ndarray) -> None:
    # ONNX Runtime runs the int8 file slower than the float one: there the float file runs.
    portable = shipped_runtime(Settings(backend="onnxruntime"), "sface")
    assert (portable.backend, portable.precision) == ("onnxruntime", "f32")
    templates = load_embedder(Settings(backend="onnxruntime")).infer(chips)
    float_templates = load_embedder(Settings(precision="f32")).infer(chips)
    assert cosines(templates, float_templates).min() > 0.9999


def test_every_int8_weight_fits_in_7_bits(settings: Settings) -> None:
    # |w| <= 64 keeps a pair of u8 x s8 products within 16 bits: no saturation without VNNI.
    model = onnx.load(str(installed_path(settings.models_dir, "sface", "int8")))
    initializers = {i.name: i for i in model.graph.initializer}
    dequantise = {n.output[0]: n for n in model.graph.node if n.op_type == "DequantizeLinear"}
    weighted = [n for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    weights = [initializers[dequantise[n.input[1]].input[0]] for n in weighted]
    assert len(weights) == 28
    for weight in weights:
        assert weight.data_type == onnx.TensorProto.INT8
        value = numpy_helper.to_array(weight)
        assert value.min() >= -64 and value.max() <= 63, weight.name


def test_the_int8_file_quantises_every_convolution(settings: Settings) -> None:
    model = onnx.load(str(installed_path(settings.models_dir, "sface", "int8")))
    produced_by = {out: node.op_type for node in model.graph.node for out in node.output}
    weighted = [n for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    assert len(weighted) == 28
    for node in weighted:
        assert produced_by[node.input[0]] == "DequantizeLinear", node.name
        assert produced_by[node.input[1]] == "DequantizeLinear", node.name


def test_ranges_are_the_mean_of_each_images_extremes() -> None:
    # One 1x1 convolution doubling its input: its input's range is measured, hand-computed.
    weight = numpy_helper.from_array(np.full((1, 1, 1, 1), 2.0, np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["n", 1, 2, 2])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["n", 1, 2, 2])],
        [weight],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    images = np.array([[[[0, 1], [2, 3]]], [[[-1, 5], [2, 2]]]], np.float32)
    assert measure_ranges(model, [images[:1], images[1:]]) == {"x": (-0.5, 4.0)}


def test_a_calibration_measured_on_another_model_is_refused(settings: Settings) -> None:
    yunet = onnx.load(str(installed_path(settings.models_dir, "yunet")))
    with pytest.raises(ModelError, match=r"calibration has no range for .*benchmarks/calibrate"):
        quantise(prepare(yunet), load_ranges(calibration_file("sface")))


def test_the_calibration_names_its_model_and_how_it_was_measured() -> None:
    record = json.loads(calibration_file("sface").read_text())
    assert record["model_sha256"] == spec("sface").sha256
    assert "UTKFace" in record["faces"] and "benchmarks/calibrate.py" in record["command"]
    assert len(record["ranges"]) == 28


def test_a_tampered_or_missing_int8_file_is_made_again(tmp_path: Path) -> None:
    sface = spec("sface")
    [first] = install(tmp_path, [sface])
    int8 = tmp_path / sface.int8_filename
    assert first.state == "installed" and int8.exists()
    assert json.loads((tmp_path / "sface.json").read_text())["int8_sha256"]
    with int8.open("ab") as f:
        f.write(b"tampered")
    assert status(tmp_path, sface).state == "modified"
    int8.unlink()
    assert status(tmp_path, sface).state == "modified"
    [again] = install(tmp_path, [sface])
    assert again.state == "installed" and int8.exists()


def test_an_int8_file_from_another_calibration_is_made_again(tmp_path: Path) -> None:
    sface = spec("sface")
    install(tmp_path, [sface])
    record = tmp_path / "sface.json"
    record.write_text(json.dumps(json.loads(record.read_text()) | {"calibration_sha256": "0"}))
    assert status(tmp_path, sface).state == "outdated"
    with pytest.raises(ModelError, match="prepared by an older openlfr"):
        installed_path(tmp_path, "sface", "int8")
    [again] = install(tmp_path, [sface])
    assert again.state == "installed"


def test_int8_for_a_model_without_calibration_is_refused(settings: Settings) -> None:
    with pytest.raises(ModelError, match="centerface has no int8 calibration"):
        installed_path(settings.models_dir, "centerface", "int8")
