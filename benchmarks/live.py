"""One camera of a live deployment, frames to alerts: how fast, and at what cost per track.

    python benchmarks/live.py [--shared ../shared/data]

The demo deployment is staged in a temporary folder (openlfr.live.demo.stage:
its staff, the two sample people on the watchlist, a started deployment) and
``CameraWatch`` is run over pre-decoded frames of the walking clip (people in
an arcade, 1920x1080, 105 frames) at 1080p and resized to 720p, and of the
stage clip (640x360, 275 frames); decoding is timed apart, with PyAV as the
live source does it. Then a quiet camera: 300 frames of an empty 720p picture
with fresh sensor noise in each, with the motion gate (the default) and
without. Per clip: analysed frames per second (wall time of the whole run,
alerts and their database writes included), per-frame latency p50 and p95,
still frames (not searched for faces), faces, tracks and embeddings. Two
threads, as the engine's default.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.live.camera import CameraWatch
from openlfr.live.demo import CAMERA, stage
from openlfr.live.source import Frame
from openlfr.models.hardware import this_cpu
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine


def decoded(path: Path) -> tuple[list[np.ndarray], float]:
    """Every frame of ``path`` (BGR) and the decoding rate in frames per second."""
    started = time.perf_counter()
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    return frames, len(frames) / (time.perf_counter() - started)


def quiet(frames: int) -> list[np.ndarray]:
    """An empty 720p picture as a camera gives it: fresh sensor noise in every frame."""
    rng = np.random.default_rng(0)
    empty = np.full((720, 1280, 3), 90.0)
    return [np.clip(empty + rng.normal(0, 3, empty.shape), 0, 255).astype(np.uint8)
            for _ in range(frames)]  # fmt: skip


def watch(
    store: Store, engine: Engine, deployment: int, frames: list[np.ndarray]
) -> dict[str, float]:
    camera = CameraWatch(store, deployment, CAMERA, engine)
    latencies = []
    started = time.perf_counter()
    for number, frame in enumerate(frames):
        t = time.perf_counter()
        camera.process(Frame(frame, number, time.monotonic()))
        latencies.append(time.perf_counter() - t)
    camera._end(camera.tracker.finish())
    wall = time.perf_counter() - started
    c = camera.counts
    return {"fps": len(frames) / wall, "p50_ms": 1000 * float(np.percentile(latencies, 50)),
            "p95_ms": 1000 * float(np.percentile(latencies, 95)), "still": c.still,
            "faces": c.faces,
            "tracks": c.tracks, "embedded": c.embedded, "alerts": c.alerts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    print(f"CPU: {this_cpu().describe()}")
    walking, walking_rate = decoded(args.shared / "video" / "walking" / "facenet-pytorch_video.mp4")
    stage_clip, stage_rate = decoded(args.shared / "video" / "hamilton" / "short_hamilton_clip.mp4")
    clips = {
        "walking 1080p": (walking, walking_rate),
        "walking 720p": ([cv2.resize(f, (1280, 720), interpolation=cv2.INTER_AREA)
                          for f in walking], None),
        "stage 360p": (stage_clip, stage_rate),
        "quiet 720p": (quiet(300), None),
        "quiet 720p, no motion gate": (quiet(300), None),
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), master_key_file=Path(folder) / "key")
        (Path(folder) / "models").symlink_to(Settings().models_dir)
        store, engine = Store(settings, create=True), Engine(settings)
        try:
            d = stage(store, engine, Path(folder) / "demo_clip.mp4", None, lambda _: None)
            watch(store, engine, d.id or 0, stage_clip[:10])  # warm-up: models loaded
            print("| clip | frames | decode fps | analysed fps | latency p50 / p95 ms | still | "
                  "faces | tracks | embeddings | embeddings a track |")  # fmt: skip
            print("|---|---|---|---|---|---|---|---|---|---|")
            for name, (frames, rate) in clips.items():
                store.settings.motion_gate = "no motion gate" not in name
                r = watch(store, engine, d.id or 0, frames)
                per_track = r["embedded"] / max(r["tracks"], 1)
                decode = f"{rate:.0f}" if rate else "-"
                latency = f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f}"
                print(f"| {name} | {len(frames)} | {decode} | {r['fps']:.1f} | {latency} | "
                      f"{r['still']:.0f} | {r['faces']:.0f} | {r['tracks']:.0f} | "
                      f"{r['embedded']:.0f} | {per_track:.1f} |")  # fmt: skip
        finally:
            store.close()


if __name__ == "__main__":
    main()
