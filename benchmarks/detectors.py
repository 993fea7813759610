"""Detection speed: milliseconds per frame (fastest of --repeats) for each detector, end to end.

    python benchmarks/detectors.py [--threads 2] [--repeats 20] [--all-backends]

The frame is frame 150 of the shared hamilton clip (640x360) scaled up to
1280x720 and 1920x1080; each is detected at the default detect_max_side (960)
and at full size, counting resizing, inference and decoding. Bring-your-own
detectors come from the shared models folder ($LFR_SHARED_DATA, default
../shared/data). Each detector runs on the backend it is given by default
(marked *); with --all-backends, on ONNX Runtime, OpenVINO and OpenCV DNN too,
with how far its boxes stray from ONNX Runtime's.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np

from openlfr.config import DetectorName, Settings
from openlfr.models.manifest import spec
from openlfr.models.runtime import BackendName
from openlfr.vision.detect import FAMILIES
from openlfr.vision.detect.base import Detector
from openlfr.vision.models import effective_backend, load_detector
from openlfr.vision.types import Detections

SHARED = Path(os.environ.get("LFR_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data"))
# label -> (family, bring-your-own file in the shared models folder, or None: shipped)
DETECTORS: dict[str, tuple[DetectorName, str | None]] = {
    "yunet": ("yunet", None),
    "centerface": ("centerface", None),
    "scrfd_500m": ("scrfd", None),
    "scrfd_2.5g": ("scrfd", "scrfd_2.5g_bnkps.onnx"),
    "retinaface": ("retinaface", "retinaface_mobilenet0.25.onnx"),
}
BACKENDS: tuple[BackendName, ...] = ("onnxruntime", "openvino", "opencv")
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
MAX_SIDES = {"960": 960, "full": 1 << 15}
ROUNDS = 3


def hamilton_frame() -> np.ndarray:
    capture = cv2.VideoCapture(str(SHARED / "video" / "hamilton" / "short_hamilton_clip.mp4"))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 150)
    ok, frame = capture.read()
    if not ok:
        raise SystemExit(f"cannot read frame 150 of the hamilton clip under {SHARED}")
    return frame


def timed(
    detectors: dict[BackendName, Detector], frame: np.ndarray, repeats: int
) -> dict[BackendName, tuple[float, Detections]]:
    """Milliseconds of the fastest ``detect`` call of each detector, and what it found.

    The fastest call is the figure least disturbed by other processes on a
    shared machine. The detectors take turns in blocks of calls, so such load
    falls on all alike and a runtime's idle threads (ONNX Runtime's spin) slow
    only the first call of the next block.
    """
    found = {backend: d.detect(frame) for backend, d in detectors.items()}
    times: dict[BackendName, list[float]] = {backend: [] for backend in detectors}
    for _ in range(ROUNDS):
        for backend, detector in detectors.items():
            for _ in range(max(repeats // ROUNDS, 1)):
                start = time.perf_counter()
                detector.detect(frame)
                times[backend].append(time.perf_counter() - start)
    return {b: (min(times[b]) * 1e3, found[b]) for b in detectors}


def deviation(found: Detections, reference: Detections) -> float:
    """Largest box coordinate difference in pixels; infinite if the face counts differ."""
    if len(found) != len(reference):
        return float("inf")
    return float(np.abs(found.boxes - reference.boxes).max(initial=0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--all-backends", action="store_true")
    args = parser.parse_args()
    small = hamilton_frame()
    frames = {name: cv2.resize(small, size, interpolation=cv2.INTER_CUBIC)
              for name, size in SIZES.items()}  # fmt: skip
    configs = [(size, side) for size in SIZES for side in MAX_SIDES]
    header = " | ".join(f"{size} @{side}" for size, side in configs)
    print(f"| detector | backend | {header} | boxes vs ONNX Runtime (px) |")
    print("|---|---|" + "---|" * len(configs) + "---|")
    for label, (family, file) in DETECTORS.items():
        shipped = FAMILIES[family][1]
        chosen = effective_backend(spec(shipped) if shipped and not file else None)
        path = SHARED / "models" / file if file else None
        backends = BACKENDS if args.all_backends else (chosen,)
        cells: dict[BackendName, list[str]] = {backend: [] for backend in backends}
        strays: dict[BackendName, float] = {}
        for size, side in configs:
            detectors: dict[BackendName, Detector] = {}
            for backend in backends:
                settings = Settings(
                    detector=family, detector_path=path, backend=backend,
                    threads=args.threads, detect_max_side=MAX_SIDES[side],
                )  # fmt: skip
                try:
                    detectors[backend] = load_detector(settings)
                    detectors[backend].detect(frames[size])  # the first call compiles
                except Exception as exc:  # a backend that cannot run a graph is a result too
                    cells[backend].append(f"fails: {str(exc).splitlines()[0][:40]}")
            results = timed(detectors, frames[size], args.repeats)
            for backend, (ms, found) in results.items():
                cells[backend].append(f"{ms:.1f}")
                if "onnxruntime" in results:
                    gap = deviation(found, results["onnxruntime"][1])
                    strays[backend] = max(strays.get(backend, 0.0), gap)
        for backend in backends:
            mark = "*" if backend == chosen else ""
            strayed = f"{strays[backend]:.2f}" if backend in strays else "-"
            print(f"| {label} | {backend}{mark} | {' | '.join(cells[backend])} | {strayed} |")


if __name__ == "__main__":
    main()
