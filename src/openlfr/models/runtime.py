"""Inference runners: one small interface over OpenVINO, ONNX Runtime and OpenCV DNN.

Every model openlfr runs has one input and is run as ``runner.run(batch)``,
returning the model's outputs in graph order. Which backend runs a model is a
measured choice recorded in the manifest; where OpenVINO cannot load (it is
not installed, the CPU is not one it supports, or it cannot convert the file)
ONNX Runtime takes over. That fallback is logged as a warning and the runner's
``backend`` names the backend really running, whatever was asked for.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

BackendName = Literal["openvino", "onnxruntime", "opencv"]
Precision = Literal["f32", "bf16", "int8"]

log = logging.getLogger(__name__)


class Runner(Protocol):
    backend: BackendName

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        """Outputs of the model for one float32 NCHW batch."""
        ...


class OpenVinoRunner:
    backend: BackendName = "openvino"

    def __init__(self, path: Path, threads: int, precision: Precision) -> None:
        import openvino as ov

        config = {
            "INFERENCE_NUM_THREADS": threads,
            # An int8 file carries its own precision; the layers left in float run in f32.
            "INFERENCE_PRECISION_HINT": "f32" if precision == "int8" else precision,
            "PERFORMANCE_HINT": "LATENCY",
        }
        compiled = ov.Core().compile_model(str(path), "CPU", config)
        self.runs_at = _compiled_precision(compiled, precision)
        self._request = compiled.create_infer_request()

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        results = self._request.infer({0: batch})
        return [np.array(results[k]) for k in range(len(results))]


def _compiled_precision(compiled: Any, asked: Precision) -> Precision:
    """The precision OpenVINO really runs a compiled model at, read from its convolutions'
    kernels: a bf16 hint on a CPU without bf16 runs f32, and an int8 file runs int8 only where
    its convolutions got int8 kernels."""
    kernels = {
        str(op.get_rt_info()["runtimePrecision"].astype(str))
        for op in compiled.get_runtime_model().get_ordered_ops()
        if str(op.get_rt_info()["layerType"].astype(str)) == "Convolution"
    }
    return asked if kernels & _KERNELS[asked] else "f32"


# What OpenVINO's runtime model calls a convolution kernel of each precision.
_KERNELS: dict[Precision, set[str]] = {"f32": {"f32"}, "bf16": {"bf16"}, "int8": {"u8", "i8"}}


class OnnxRuntimeRunner:
    backend: BackendName = "onnxruntime"

    def __init__(self, path: Path, threads: int, optimise: bool = True) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if not optimise:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        return list(self._session.run(None, {self._input: batch}))


class ExactRunner(OnnxRuntimeRunner):
    """ONNX Runtime with every graph optimisation off: a quantised file's QuantizeLinear and
    DequantizeLinear run as written and its convolutions in float on the dequantised values,
    the arithmetic that int8 kernels with VNNI do in integers (up to float rounding). The
    reference an int8 run is checked against, on any CPU; slow."""

    def __init__(self, path: Path, threads: int) -> None:
        super().__init__(path, threads, optimise=False)


class OpenCvRunner:
    backend: BackendName = "opencv"

    def __init__(self, path: Path, threads: int) -> None:
        import cv2

        cv2.setNumThreads(threads)
        self._net = cv2.dnn.readNetFromONNX(str(path))
        self._outputs = self._net.getUnconnectedOutLayersNames()

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        self._net.setInput(batch)
        return list(self._net.forward(self._outputs))


def load_runner(
    path: Path, backend: BackendName, threads: int, precision: Precision = "f32"
) -> Runner:
    """A runner for the ONNX file at ``path`` on ``backend``.

    OpenVINO falls back to ONNX Runtime where it cannot load the file; the
    warning names the file, the backend asked for and why, so a slower (or
    differently rounded) run is never silent. ``runner.backend`` says which ran.
    """
    if backend == "openvino":
        try:
            return OpenVinoRunner(path, threads, precision)
        except (ImportError, RuntimeError) as exc:
            why = " ".join(str(exc).split()) or type(exc).__name__  # OpenVINO's are multi-line
            log.warning(
                "%s: backend %s asked for, but it cannot load the file (%s); "
                "running it on ONNX Runtime instead", path, backend, why,
            )  # fmt: skip
            return OnnxRuntimeRunner(path, threads)
    if backend == "opencv":
        return OpenCvRunner(path, threads)
    return OnnxRuntimeRunner(path, threads)
