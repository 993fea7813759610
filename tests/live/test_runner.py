"""Running a camera of a live deployment from its registered source: bad sources end in one
error naming the camera; a dead stream is retried until the run is stopped."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from openlfr.domain.errors import DomainError
from openlfr.errors import LfrError
from openlfr.live.runner import frames_of, run_camera
from openlfr.live.source import FrameSource
from openlfr.services import cameras
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.conftest import shared
from tests.services.conftest import Clock, enrol, start_deployment


def live_on(store: Store, engine: Engine, clock: Clock, camera: str, source: str) -> int:
    """A live deployment whose only camera is ``camera``, registered with ``source``."""
    cameras.add_camera(store, "root", camera, source)
    enrol(store, engine, "Aaron_Eckhart")
    return start_deployment(store, clock, cameras=[camera]).id or 0


def test_a_text_file_as_a_camera_is_one_error_naming_it(
    store: Store, engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n" * 100)
    ident = live_on(store, engine, clock, "desk-cam", str(notes))
    with pytest.raises(LfrError, match=r"camera desk-cam gave no frame: .*notes\.mp4"):
        run_camera(store, "omar", ident, "desk-cam", threading.Event())


def test_a_file_gone_since_it_was_registered_names_the_camera(
    store: Store, engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"soon gone")
    ident = live_on(store, engine, clock, "gone-cam", str(clip))
    clip.unlink()
    with pytest.raises(DomainError, match=r"camera gone-cam: camera source .* no such video file"):
        run_camera(store, "omar", ident, "gone-cam", threading.Event())


def test_a_closed_port_is_retried_until_the_run_is_stopped(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ident = live_on(store, engine, clock, "door-cam", "rtsp://viewer:pw@127.0.0.1:9/door")
    stop = threading.Event()
    threading.Timer(3.0, stop.set).start()
    run = run_camera(store, "omar", ident, "door-cam", stop)
    h = run.health
    assert not h.connected and not h.finished and h.reconnects >= 1 and h.frames_in == 0
    assert h.last_error and "pw@" not in h.last_error and run.raised == []


def test_a_camera_with_a_bad_source_is_not_registered(store: Store) -> None:
    with pytest.raises(DomainError, match="camera lobby: camera source scheme 'ftp'"):
        cameras.add_camera(store, "root", "lobby", "ftp://host/clip")


def test_frames_keep_coming_when_each_tick_takes_longer_than_its_period() -> None:
    # A tick (the liveness check, the counts) slower than its period once made a negative sleep.
    ticks = []

    def slow_tick() -> bool:
        ticks.append(time.monotonic())
        time.sleep(0.3)
        return len(ticks) < 4

    clip = shared("video", "hamilton", "short_hamilton_clip.mp4")
    with FrameSource("stage", str(clip), realtime=False) as source:
        frames = list(frames_of(source, threading.Event(), slow_tick, every=0.1, fps=20))
    assert len(ticks) == 4 and len(frames) >= 3
