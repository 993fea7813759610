"""How many 720p cameras this machine watches at a given analysed rate: a deployment with
1, 2, ... cameras, each in its worker process, as ``lfr deployment run`` runs them.

    python benchmarks/live_streams.py [--streams 1,2,3,4] [--fps 5] [--seconds 40]
        [--threads N] [--detect-max-side 960] [--shared ../shared/data]

Each camera reads, in real time at 30 frames a second, a 1280x720 clip made of
the walking clip (people in an arcade, a crowd's load) resized to 720p and the
demo clip (the two sample people on the watchlist crossing: alerts), in turn,
for ``--seconds``. Per run: each camera's analysed frames per second while all
were running (the rate the cap allows is ``--fps``), frames dropped, alerts, and
the alerts' latency from their frame's arrival to their commit (p50 and p95,
as the deployment keeps them). Worker threads split the cores between cameras
unless ``--threads`` says otherwise.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.live import status
from openlfr.live.demo import clip_frames, stage
from openlfr.live.supervisor import Supervisor
from openlfr.models.hardware import this_cpu
from openlfr.services import counts, deployments
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.samples import sample_people

RATE = 30  # frames a second of the clip the cameras read


def clip_frames_720p(walking: Path, seconds: float) -> Iterator[np.ndarray]:
    """The walking clip at 720p, then the demo clip (each frame twice: its people cross at
    their pace), in turn, for ``seconds``."""
    with av.open(str(walking)) as container:
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    crowd = [cv2.resize(f, (1280, 720), interpolation=cv2.INTER_AREA) for f in decoded]
    photos = {name: read_image(path, 10**7, 10**7) for name, path in sample_people().items()}
    demo = [f for f in clip_frames(photos) for _ in range(2)]
    for number in range(int(seconds * RATE)):
        turn = number % (len(crowd) + len(demo))
        yield crowd[turn] if turn < len(crowd) else demo[turn - len(crowd)]


def write_h264(path: Path, frames: Iterator[np.ndarray]) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        for image in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        out.mux(stream.encode(None))


def run(settings: Settings, clip: Path, n: int, seconds: float) -> dict[str, float]:
    """One deployment of ``n`` cameras on ``clip``, run until the clip ends."""
    store = Store(settings, create=True)
    try:
        names = {f"cam-{i + 1}": clip for i in range(n)}
        d = stage(store, Engine(settings), settings.data_dir / "demo.mp4", None, lambda _: None,
                  names)  # fmt: skip
        ident = d.id or 0
        supervisor = Supervisor(store, "omar", ident, deployments.begin_run(store, "omar", ident))
        running = threading.Thread(target=supervisor.run, args=(threading.Event(),))
        running.start()
        samples: list[tuple[float, list[status.CameraStatus]]] = []
        while running.is_alive():
            running.join(1.0)
            found = status.running(settings.data_dir)
            if len(found) == n and all(c.state == "connected" for c in found):
                samples.append((time.monotonic(), found))
        (t0, first), (t1, last) = samples[len(samples) // 10], samples[-1]  # past the start
        rates = [(b.frames_analysed - a.frames_analysed) / (t1 - t0)
                 for a, b in zip(first, last, strict=True)]  # fmt: skip
        latency = counts.deployment_latency(store, "omar", ident)
        dropped = sum(c.frames_dropped for c in last)
        alerts = sum(c.alerts for c in last)
    finally:
        store.close()
    return {"min_fps": min(rates), "mean_fps": float(np.mean(rates)), "dropped": dropped,
            "alerts": alerts, "p50_ms": 1000 * (latency.p50 or float("nan")),
            "p95_ms": 1000 * (latency.p95 or float("nan"))}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).parents[2] / "shared" / "data"
    )
    parser.add_argument("--streams", default="1,2,3,4")
    parser.add_argument("--fps", type=float, default=5.0, help="analysed frames a second a camera")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--threads", type=int, help="model threads per worker (default: split)")
    parser.add_argument("--detect-max-side", type=int, default=Settings().detect_max_side)
    args = parser.parse_args()
    print(f"CPU: {this_cpu().describe()}")
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "stream-720p.mp4"
        walking = args.shared / "video" / "walking" / "facenet-pytorch_video.mp4"
        write_h264(clip, clip_frames_720p(walking, args.seconds))
        print(f"analysed fps cap {args.fps}, detect_max_side {args.detect_max_side}, threads "
              f"{args.threads or 'split'}, {args.seconds:.0f} s of 720p at {RATE} fps")  # fmt: skip
        print("| streams | analysed fps a camera (min / mean) | dropped | alerts | "
              "latency p50 / p95 ms |")  # fmt: skip
        print("|---|---|---|---|---|")
        for n in (int(s) for s in args.streams.split(",")):
            data = Path(folder) / f"run-{n}"
            data.mkdir()
            (data / "models").symlink_to(Settings().models_dir)
            changes = {"threads": args.threads} if args.threads else {}
            settings = Settings(data_dir=data, master_key_file=data / "key",
                                analysed_fps=args.fps, detect_max_side=args.detect_max_side,
                                **changes)  # fmt: skip
            r = run(settings, clip, n, args.seconds)
            fps, ms = (
                f"{r['min_fps']:.1f} / {r['mean_fps']:.1f}",
                f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f}",
            )
            print(f"| {n} | {fps} | {r['dropped']:.0f} | {r['alerts']:.0f} | {ms} |", flush=True)


if __name__ == "__main__":
    main()
