"""The demo: a whole deployment, from its staff to its audit, on a clip of two people.

The two people are the sample photos every installation has
(openlfr.vision.samples). The clip shows each person changed from the enrolment
photo (scaled, turned, relit, mirrored) so that a match is not a copy.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from openlfr.config import Settings
from openlfr.domain.alert import Adjudication, Outcome
from openlfr.domain.deployment import Deployment
from openlfr.errors import LfrError
from openlfr.files import private_folder
from openlfr.live.camera import CameraWatch
from openlfr.live.source import stamped
from openlfr.services import alerts, audit, cameras, deployments, users, watchlists
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.samples import FRAME_SIZE, blank_frame, place, sample_people, vary

FPS = 12


def clip_frames(photos: dict[str, np.ndarray]) -> Iterator[np.ndarray]:
    """The demo clip: each person crossing alone, both together, then an empty scene."""
    first, second = photos.values()
    one = vary(first, 0.8, 6, 0.9, False)
    two = vary(second, 0.7, -5, 1.15, True)
    for t in range(16):
        frame = blank_frame()
        place(frame, one, 40 + t * 45, 150)
        yield frame
    for t in range(16):
        frame = blank_frame()
        place(frame, two, 800 - t * 40, 120)
        yield frame
    small_one, small_two = (vary(p, 0.45, 0, 1.0, False) for p in (first, second))
    for t in range(12):
        frame = blank_frame()
        place(frame, small_one, 100 + t * 10, 300)
        place(frame, small_two, 800 - t * 10, 280)
        yield frame
    for _ in range(4):
        yield blank_frame()


def write_clip(path: Path, frames: Iterator[np.ndarray]) -> int:
    """Encode ``frames`` to an MP4 file at ``path``; returns the frame count."""
    private_folder(path.parent)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, FRAME_SIZE)
    count = 0
    for frame in frames:
        writer.write(frame)
        count += 1
    writer.release()
    return count


def read_clip(path: Path) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield frame
    capture.release()


@dataclass(frozen=True)
class DemoResult:
    clip: Path
    alerted: dict[str, int]  # subject name -> alerts
    intact: bool  # the audit log verified after the close


def run_demo(settings: Settings, threshold: float | None, say: Callable[[str], None]) -> DemoResult:
    """A whole deployment, in a demo folder of its own (``data_dir/demo``, made afresh): its
    staff, its camera (a clip made of the two sample people), both enrolled, the deployment
    requested, authorised, compiled, approved and started, the camera watched, the alerts
    adjudicated, the deployment closed and the audit log verified. ``say`` is told each step."""
    demo = _demo_settings(settings, "demo")
    engine = Engine(demo)
    store = Store(demo, create=True)
    try:
        return _deployment(store, engine, demo.data_dir, threshold, say)
    finally:
        store.close()


def run_console_demo(
    settings: Settings, port: int, say: Callable[[str], None], stop: threading.Event
) -> None:
    """The console on a live demo deployment, in a demo folder of its own
    (``data_dir/demo-console``, made afresh): the staff (their one-time passwords told to
    ``say``), the deployment started, the API and console served on 127.0.0.1:``port`` (free:
    ``check_port``) and the demo camera watched, its clip played again each time it ends,
    until ``stop``."""
    from openlfr.api.app import create_app, server
    from openlfr.live.supervisor import Supervisor
    from openlfr.services import identity

    demo = _demo_settings(settings, "demo-console")
    engine = Engine(demo)
    store = Store(demo, create=True)
    try:
        d = stage(store, engine, demo.data_dir / "demo_clip.mp4", None, say)
        assert d.id is not None
        for name in ["ada", *STAFF]:
            roles = " and ".join(["admin"] if name == "ada" else STAFF[name])
            say(f"log in as {name} ({roles}) with the one-time password "
                f"{identity.reset_password(store, 'ada', name)}")  # fmt: skip
        served = server(create_app(store, engine), "127.0.0.1", port)
        serving = threading.Thread(target=served.run, daemon=True)
        serving.start()
        while not served.started:  # say where to log in only once it answers
            if not serving.is_alive():
                raise LfrError(f"the console could not be served on 127.0.0.1:{port}")
            time.sleep(0.05)
        say(f"console: open http://127.0.0.1:{port}/login and log in as omar to watch the "
            "alerts arrive (Ctrl-C stops the demo)")  # fmt: skip
        while not stop.is_set() and deployments.is_live(store, d.id):
            running = deployments.begin_run(store, "omar", d.id)
            Supervisor(store, "omar", d.id, running, realtime=True).run(stop)
        served.should_exit = True
        serving.join(timeout=10)
    finally:
        store.close()


def check_port(port: int) -> None:
    """Refuse a port on 127.0.0.1 that cannot be served on, before anything is made."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise LfrError(f"port {port}: {exc.strerror}; give another with --port") from None


def _demo_settings(settings: Settings, name: str) -> Settings:
    """Settings for a demo folder ``name`` in the data folder, made afresh (models shared)."""
    folder = settings.data_dir / name
    key = settings.data_dir / f"{name}-master.key"
    shutil.rmtree(folder, ignore_errors=True)
    key.unlink(missing_ok=True)
    private_folder(folder)
    (folder / "models").symlink_to(settings.models_dir.resolve())
    return settings.model_copy(update={"data_dir": folder, "database_url": None,
                                       "master_key": None, "master_key_file": key})  # fmt: skip


def _deployment(
    store: Store, engine: Engine, folder: Path, threshold: float | None, say: Callable[[str], None]
) -> DemoResult:
    clip = folder / "demo_clip.mp4"
    d = stage(store, engine, clip, threshold, say)
    assert d.id is not None
    watch = CameraWatch(store, d.id, CAMERA, engine)
    alerted: dict[str, int] = {}
    for r in watch.run(stamped(read_clip(clip))):
        alerted[r.alert.subject_name] = alerted.get(r.alert.subject_name, 0) + 1
        say(f"{r.alert}: {r.alert.subject_name}, score {r.alert.score:.3f}, frame {r.frame}, "
            f"track of {r.track_length} frames")  # fmt: skip
        alerts.adjudicate(store, "omar", r.alert.id or 0, Adjudication.CONFIRMED_TRUE,
                          Outcome.NOT_ENGAGED, "demo")  # fmt: skip
    c = watch.counts
    say(f"{CAMERA}: {c.frames} frames ({c.still} still, not searched), {c.faces} faces "
        f"({c.below_gate} below the quality gate), {c.tracks} tracks, {c.embedded} embeddings, "
        f"{c.alerts} alert(s), each adjudicated by omar")  # fmt: skip
    deployments.close(store, "omar", d.id)
    verdict = audit.verify(store, "omar")
    say(
        f"{d} closed: watchlist and key destroyed; audit log of {verdict.checked} entries "
        + ("intact" if verdict.intact else f"BROKEN at entry {verdict.broken_at}")
    )
    return DemoResult(clip, alerted, verdict.intact)


def stage(
    store: Store,
    engine: Engine,
    clip: Path,
    threshold: float | None,
    say: Callable[[str], None],
    sources: dict[str, Path] | None = None,
) -> Deployment:
    """In an empty ``store``: the demo staff, the demo clip written to ``clip`` and registered
    as camera ``CAMERA`` (or ``sources``: camera names and their files), the two sample people
    enrolled, and a deployment of those cameras requested, authorised, compiled, approved and
    started; the live deployment."""
    users.add_first_admin(store, "ada")
    for name, role in STAFF.items():
        users.add_user(store, "ada", name, role)
    staff = [f"{name} ({' and '.join(roles)})" for name, roles in STAFF.items()]
    say(f"users: ada (admin), {', '.join(staff)}")
    photos = sample_people()
    pictures = {name: read_image(path, 10**7, 10**7) for name, path in photos.items()}
    frames = write_clip(clip, clip_frames(pictures))
    for name, source in (sources or {CAMERA: clip}).items():
        cameras.add_camera(store, "ada", name, str(source))
    say(f"camera {CAMERA}: {clip} ({frames} frames, each person crossing, then both)")
    for name, path in photos.items():
        image = watchlists.ImageIn.from_file(path, "custody_image", store.settings.max_image_bytes)
        s = watchlists.enrol(store, "wendy", _subject(name, store.now()), [image], engine)
        say(f"enrolled {s}")
    named = list(sources or [CAMERA])
    d = deployments.request(store, "pat", _application(store.now(), threshold, named))
    assert d.id is not None
    deployments.authorise(store, "olu", d.id)
    deployments.compile_watchlist(store, "pat", d.id)
    deployments.approve(store, "olu", d.id)
    deployments.start(store, "omar", d.id, signs_up=True)
    say(f"{d}: requested by pat, authorised by olu (threshold {d.threshold:.3f}), watchlist "
        "compiled by pat and approved by olu, started by omar")  # fmt: skip
    return d


CAMERA = "demo-cam"
STAFF = {"pat": ["planner"], "olu": ["authorising_officer"], "wendy": ["watchlist_manager"],
         "omar": ["operator", "auditor"]}  # fmt: skip


def _subject(name: str, now: datetime) -> dict[str, Any]:
    review = (now + timedelta(days=30)).date()
    return {"name": name, "date_of_birth": date(1980, 1, 1), "sex": "female",
            "ethnicity": "white", "category": "wanted_by_court",
            "reason": "Demo: a sample photo shipped with scikit-image or matplotlib",
            "case_reference": f"DEMO/{name}", "review_by": review}  # fmt: skip


def _application(now: datetime, threshold: float | None, named: list[str]) -> dict[str, Any]:
    text = "Demo deployment on a made-up clip; no real person is processed."
    return {"name": "Demo", "use_case": "crime_hotspot", "legal_basis": text,
            "necessity": text, "location": "the demo clip", "location_grounds": text,
            "starts_at": now, "ends_at": now + timedelta(hours=1), "cameras": named,
            "criteria": ["wanted_by_court"], "rights_assessment": text,
            "dpia_ref": "DEMO", "eqia_ref": "DEMO", "threshold": threshold}  # fmt: skip
