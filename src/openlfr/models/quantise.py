"""Post-training int8 quantisation of an embedder, from activation ranges shipped with openlfr.

The int8 file is built at install time from the fixed-up float file and the
model's calibration (``calibration/<model>.json``: for the input of every
Conv and Gemm, the range its values take on aligned faces, measured by
``benchmarks/calibrate.py``). Nothing is learned at install time and no face
image is needed there.

The graph is rewritten in the standard ONNX QDQ form every runtime reads
(OpenVINO and ONNX Runtime turn each QuantizeLinear/DequantizeLinear pair
around a convolution into an int8 kernel):

- BatchNormalization after a Conv is folded into its weights and bias, so
  that the weights quantised are the ones the convolution really applies;
- across each Conv -> PReLU -> depthwise Conv, channel scales are evened out
  (cross-layer equalisation, Nagel et al. 2019, from the weights alone): a
  channel's output is divided by s and the depthwise kernel reading it
  multiplied by s, which PReLU lets through unchanged. Without it a few wide
  channels set one scale for a whole tensor and crush the rest (on the
  calibration faces it takes the int8 templates' cosine to the float ones
  from 0.961 to 0.973 at worst and from 0.987 to 0.994 on average);
- each Conv and Gemm input is quantised per tensor to uint8 with the shipped
  range (asymmetric: PReLU outputs are mostly, not all, positive);
- each weight is quantised per output channel to symmetric 7-bit integers,
  [-63, 63], stored as int8.

Seven bits, not eight, so that the file gives the same templates on every
x86 CPU. With VNNI (AVX512_VNNI, AVX_VNNI, AMX) an int8 convolution adds its
u8 x s8 products in 32 bits; without it (AVX2, AVX-512 without VNNI) pairs of
products are first added in 16 bits and saturate (OpenVINO's "Saturation
(overflow) issue"): SFace's 8-bit file kept a mean cosine of 0.88 to the
float model on such a CPU. With |w| <= 63 and activations <= 255 a pair sum
stays within 2^15, so both kinds of CPU compute the same integers. The cost,
measured in exact arithmetic, is in docs/benchmarks.md ("The same accuracy on every CPU").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from importlib.resources import files
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper, version_converter

from openlfr.models.manifest import ModelError

Ranges = dict[str, tuple[float, float]]

QUANTISED_OPS = ("Conv", "Gemm")
QDQ_OPSET = 13  # per-channel DequantizeLinear (its axis attribute) needs opset 13
WEIGHT_LIMIT = 63  # 7-bit weights: 2 x 255 x 64 < 2^15, no saturation without VNNI


def calibration_file(model_name: str) -> Path:
    """The shipped calibration of ``model_name``."""
    return Path(str(files("openlfr.models") / "calibration" / f"{model_name}.json"))


def load_ranges(path: Path) -> Ranges:
    """The activation ranges of a calibration file."""
    return {name: (lo, hi) for name, (lo, hi) in json.loads(path.read_text())["ranges"].items()}


def prepare(model: onnx.ModelProto) -> onnx.ModelProto:
    """The float ``model`` rewritten for quantisation (same arithmetic): folded and equalised.
    Ranges are measured on this form."""
    return equalise(fold_batchnorm(model))


def fold_batchnorm(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` with each BatchNormalization that alone reads a Conv folded into it,
    and Dropout (the identity at inference) removed."""
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    producer_of = _sole_producers(graph)
    dropped: dict[str, str] = {}  # output of a removed Dropout -> its input
    for node in list(graph.node):
        if node.op_type == "Dropout":
            dropped[node.output[0]] = node.input[0]
            graph.node.remove(node)
        elif node.op_type == "BatchNormalization":
            conv = producer_of(node.input[0], "Conv")
            if conv is not None:
                _fold(conv, node, graph, weights)
                graph.node.remove(node)
    for node in graph.node:
        for k, name in enumerate(node.input):
            node.input[k] = dropped.get(name, name)
    _drop_unread_initializers(graph)
    return model


def _fold(
    conv: onnx.NodeProto,
    norm: onnx.NodeProto,
    graph: onnx.GraphProto,
    weights: dict[str, onnx.TensorProto],
) -> None:
    def array(name: str) -> np.ndarray:
        return numpy_helper.to_array(weights[name]).astype(np.float64)

    eps = next((a.f for a in norm.attribute if a.name == "epsilon"), 1e-5)
    gamma, beta, mean, var = (array(name) for name in norm.input[1:5])
    factor = gamma / np.sqrt(var + eps)
    kernel = array(conv.input[1])
    bias = array(conv.input[2]) if len(conv.input) > 2 else np.zeros(len(kernel))
    folded = {
        f"{norm.output[0]}_kernel": kernel * factor.reshape(-1, *[1] * (kernel.ndim - 1)),
        f"{norm.output[0]}_bias": (bias - mean) * factor + beta,
    }
    for name, value in folded.items():
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), name))
    del conv.input[1:]
    conv.input.extend(folded)
    conv.output[0] = norm.output[0]


def equalise(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` (folded) with each Conv -> PReLU -> depthwise Conv's channels rescaled so
    that, channel by channel, both kernels have the same largest weight."""
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    producer_of = _sole_producers(graph)
    for second in graph.node:
        prelu = producer_of(second.input[0], "PRelu") if second.op_type == "Conv" else None
        first = producer_of(prelu.input[0], "Conv") if prelu is not None else None
        if first is None or len(first.input) < 3:
            continue
        kernel, bias, depthwise = (
            numpy_helper.to_array(weights[name]).astype(np.float64)
            for name in (first.input[1], first.input[2], second.input[1])
        )
        if depthwise.shape[1] != 1 or len(depthwise) != len(kernel):
            continue  # not one filter per channel of the first convolution's output
        widest = [np.abs(k).reshape(len(k), -1).max(axis=1) for k in (kernel, depthwise)]
        scale = np.sqrt(np.maximum(widest[0], 1e-12) / np.maximum(widest[1], 1e-12))
        rescaled = {
            first.input[1]: kernel / scale.reshape(-1, 1, 1, 1),
            first.input[2]: bias / scale,
            second.input[1]: depthwise * scale.reshape(-1, 1, 1, 1),
        }
        for name, value in rescaled.items():
            weights[name].CopyFrom(numpy_helper.from_array(value.astype(np.float32), name))
    return model


def quantised_inputs(model: onnx.ModelProto) -> list[str]:
    """Names of the tensors quantised: the inputs of every Conv and Gemm, in graph order."""
    return list(dict.fromkeys(n.input[0] for n in model.graph.node if n.op_type in QUANTISED_OPS))


def measure_ranges(model: onnx.ModelProto, batches: Iterable[np.ndarray]) -> Ranges:
    """For each quantised tensor of ``model`` (already prepared), the mean over the
    calibration images of its per-image minimum and maximum.

    The mean of per-image extremes, not the extreme over all images, keeps one
    unusual image from widening a range for everyone.
    """
    import onnxruntime as ort

    names = quantised_inputs(model)
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    del probe.graph.output[:]
    probe.graph.output.extend(helper.make_empty_tensor_value_info(n) for n in names)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(probe.SerializeToString(), options, ["CPUExecutionProvider"])
    feed = session.get_inputs()[0].name
    lows: dict[str, list[np.ndarray]] = {n: [] for n in names}
    highs: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for batch in batches:
        for name, value in zip(names, session.run(names, {feed: batch}), strict=True):
            flat = value.reshape(len(batch), -1)
            lows[name].append(flat.min(axis=1))
            highs[name].append(flat.max(axis=1))
    return {
        n: (float(np.concatenate(lows[n]).mean()), float(np.concatenate(highs[n]).mean()))
        for n in names
    }


def quantise(
    model: onnx.ModelProto, ranges: Ranges, weight_limit: int = WEIGHT_LIMIT
) -> onnx.ModelProto:
    """The QDQ int8 form of ``model`` (already prepared) with activation ``ranges``, its
    weights in [-weight_limit, weight_limit] (7 bits unless asked otherwise, as
    benchmarks/int8_check.py does to compare with 8)."""
    missing = [n for n in quantised_inputs(model) if n not in ranges]
    if missing:
        raise ModelError(
            f"the calibration has no range for {', '.join(missing[:3])}: it was measured on "
            "another model file; re-run benchmarks/calibrate.py"
        )
    model = version_converter.convert_version(model, QDQ_OPSET)
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    dequantised: dict[str, str] = {}
    for node in graph.node:
        if node.op_type in QUANTISED_OPS:
            name = node.input[0]
            if name not in dequantised:
                nodes += _activation_qdq(graph, name, *ranges[name])
                dequantised[name] = f"{name}_dq"
            node.input[0] = dequantised[name]
            transposed = any(a.name == "transB" and a.i for a in node.attribute)
            axis = 0 if node.op_type == "Conv" or transposed else 1
            nodes.append(_weight_dq(graph, weights[node.input[1]], axis, weight_limit))
            node.input[1] = nodes[-1].output[0]
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    _drop_unread_initializers(graph)
    onnx.checker.check_model(model)
    return model


def quantise_file(source: Path, target: Path, calibration: Path) -> None:
    """Write the int8 form of the float model at ``source`` to ``target``."""
    model = prepare(onnx.load(str(source)))
    onnx.save(quantise(model, load_ranges(calibration)), str(target))


def _activation_qdq(
    graph: onnx.GraphProto, name: str, low: float, high: float
) -> list[onnx.NodeProto]:
    low, high = min(low, 0.0), max(high, 0.0)  # zero must be exact (padding)
    scale = (high - low) / 255 or 1.0
    zero_point = int(np.clip(round(-low / scale), 0, 255))
    graph.initializer.extend([
        numpy_helper.from_array(np.array(scale, np.float32), f"{name}_scale"),
        numpy_helper.from_array(np.array(zero_point, np.uint8), f"{name}_zero"),
    ])  # fmt: skip
    args = [f"{name}_scale", f"{name}_zero"]
    return [
        helper.make_node("QuantizeLinear", [name, *args], [f"{name}_q"]),
        helper.make_node("DequantizeLinear", [f"{name}_q", *args], [f"{name}_dq"]),
    ]


def _weight_dq(
    graph: onnx.GraphProto, weight: onnx.TensorProto, axis: int, limit: int
) -> onnx.NodeProto:
    value = numpy_helper.to_array(weight)
    others = tuple(k for k in range(value.ndim) if k != axis)
    scale = (np.abs(value).max(axis=others) / limit).astype(np.float32)
    scale[scale == 0] = 1.0
    shape = [1] * value.ndim
    shape[axis] = -1
    quantised = np.clip(np.round(value / scale.reshape(shape)), -limit, limit).astype(np.int8)
    name = weight.name
    graph.initializer.extend([
        numpy_helper.from_array(quantised, f"{name}_int8"),
        numpy_helper.from_array(scale, f"{name}_scale"),
        numpy_helper.from_array(np.zeros_like(scale, np.int8), f"{name}_zero"),
    ])  # fmt: skip
    inputs = [f"{name}_int8", f"{name}_scale", f"{name}_zero"]
    return helper.make_node("DequantizeLinear", inputs, [f"{name}_dq"], axis=axis)


def _sole_producers(
    graph: onnx.GraphProto,
) -> Callable[[str, str], onnx.NodeProto | None]:
    """A lookup: the ``op_type`` node producing a tensor that one node alone reads, or None.

    A rewrite that changes what a tensor holds (folding, rescaling) is safe
    only where nothing else reads it.
    """
    producer = {out: node for node in graph.node for out in node.output}
    readers = Counter(name for node in graph.node for name in node.input)

    def lookup(name: str, op_type: str) -> onnx.NodeProto | None:
        node = producer.get(name)
        return node if node is not None and node.op_type == op_type and readers[name] == 1 else None

    return lookup


def _drop_unread_initializers(graph: onnx.GraphProto) -> None:
    read = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in read]
    del graph.initializer[:]
    graph.initializer.extend(kept)
