"""Which runtime runs each installed model fastest here, at the same output.

    python benchmarks/runtimes.py [--threads 2] [--repeats 30]

For each installed model and each backend (OpenVINO f32 and bf16, ONNX
Runtime, OpenCV DNN, and for a model with an int8 file that file on OpenVINO
and ONNX Runtime) prints milliseconds per call (per face for embedders at
batch 16) and how far the output strays from ONNX Runtime f32: the lowest
cosine for embedders, the largest absolute difference for detectors (on
random input: an int8 model's agreement on faces is what
benchmarks/calibrate.py prints). The manifest's ``backend`` and
``precision`` record the winner.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from openlfr.models.manifest import MODELS, ModelSpec
from openlfr.models.provision import installed_path, status
from openlfr.models.runtime import BackendName, Precision, Runner, load_runner

CANDIDATES: list[tuple[BackendName, Precision]] = [
    ("onnxruntime", "f32"),
    ("openvino", "f32"),
    ("openvino", "bf16"),
    ("opencv", "f32"),
]
INT8: list[tuple[BackendName, Precision]] = [("onnxruntime", "int8"), ("openvino", "int8")]


def inputs_for(model: ModelSpec) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    if model.kind == "embedder":
        return {"batch 1": rng.uniform(0, 255, (1, 3, 112, 112)).astype(np.float32),
                "batch 16": rng.uniform(0, 255, (16, 3, 112, 112)).astype(np.float32)}  # fmt: skip
    return {"160x160": rng.uniform(0, 255, (1, 3, 160, 160)).astype(np.float32),
            "960x544": rng.uniform(0, 255, (1, 3, 544, 960)).astype(np.float32)}  # fmt: skip


def ms_per_item(run: Callable[[], object], items: int, repeats: int) -> float:
    run()  # first call compiles or allocates
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    return (time.perf_counter() - start) / repeats / items * 1e3


def deviation(model: ModelSpec, out: list[np.ndarray], ref: list[np.ndarray]) -> str:
    if model.kind == "embedder":
        a, b = out[0].reshape(len(out[0]), -1), ref[0].reshape(len(ref[0]), -1)
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return f"min cosine {cos.min():.5f}"
    return (
        f"max abs diff {max(float(np.abs(o - r).max()) for o, r in zip(out, ref, strict=True)):.1e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    models_dir = Settings().models_dir
    print(f"CPU: {this_cpu().describe()}, {args.threads} threads\n")
    print("| model | backend | input | ms per call (per face) | output vs ONNX Runtime f32 |")
    print("|---|---|---|---|---|")
    for model in MODELS.values():
        state = status(models_dir, model)
        if state.state != "installed":
            continue
        for label, batch in inputs_for(model).items():
            reference: list[np.ndarray] | None = None
            int8 = INT8 if model.int8 else []
            for backend, precision in CANDIDATES + int8:
                path = installed_path(models_dir, model.name, precision)
                try:
                    runner: Runner = load_runner(path, backend, args.threads, precision)
                    out = runner.run(batch)
                except Exception as exc:  # a backend that cannot run a graph is a result too
                    failure = str(exc).splitlines()[0][:60]
                    print(
                        f"| {model.name} | {backend} {precision} | {label} | fails: {failure} | |"
                    )
                    continue
                reference = reference or out
                ms = ms_per_item(partial(runner.run, batch), len(batch), args.repeats)
                print(f"| {model.name} | {backend} {precision} | {label} | {ms:.2f} | "
                      f"{deviation(model, out, reference)} |")  # fmt: skip


if __name__ == "__main__":
    main()
