"""A deployment's cameras in worker processes: a worker killed mid-run is restarted, the gap
in the audit log, no alert half-written or raised twice; a close stops every camera; an RTSP
camera switched off and on again is reconnected; the status file shows the cameras while they
run and goes when the run ends.

Workers are separate processes with the real clock, so these deployments run now."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openlfr.domain.errors import DomainError
from openlfr.live import status
from openlfr.live.status import CameraStatus
from openlfr.live.supervisor import Supervisor, Watched, start_deaf
from openlfr.services import alerts, audit, deployments
from openlfr.services.unit_of_work import Store
from openlfr.store.repositories import Alerts
from openlfr.vision.engine import Engine
from tests.live.conftest import STAGE, listed, live_now
from tests.live.rtsp import RtspCamera, free_port
from tests.services.conftest import Clock, log


def running_in_background(
    supervisor: Supervisor, stop: threading.Event
) -> Callable[[float], list[Watched]]:
    """Run ``supervisor`` in a thread; the function returned waits up to its seconds for the
    run to end and gives what the run returned."""
    result: list[list[Watched]] = []
    thread = threading.Thread(target=lambda: result.append(supervisor.run(stop)), daemon=True)
    thread.start()

    def finished(within: float) -> list[Watched]:
        thread.join(within)
        [watched] = result
        return watched

    return finished
    return result


def wait_for(
    data_dir: Path, ready: Callable[[list[CameraStatus]], bool], within: float = 60
) -> list[CameraStatus]:
    """The status of the running cameras once ``ready`` says so."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = status.running(data_dir)
        if ready(found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"cameras not ready: {status.running(data_dir)}")


def test_a_killed_worker_is_restarted_and_its_gap_audited(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    ident = live_now(store, engine, clock, ["stage-left", "stage-right"])
    said: list[str] = []
    running = deployments.begin_run(store, "omar", ident)
    supervisor = Supervisor(store, "omar", ident, running, realtime=True, say=said.append)
    finished = running_in_background(supervisor, threading.Event())

    # Both cameras run, each in a process of its own; the left one is killed once it alerted.
    up = wait_for(store.settings.data_dir, lambda s: all(c.state == "connected" for c in s)
                  and len(s) == 2)  # fmt: skip
    [left] = [c for c in up if c.camera == "stage-left"]
    assert left.worker and left.worker != os.getpid() and len({c.worker for c in up}) == 2
    deadline = time.monotonic() + 60
    while not [a for a in listed(store, ident) if a.camera == "stage-left"]:
        assert time.monotonic() < deadline, "no alert from stage-left"
        time.sleep(0.1)
    os.kill(left.worker, signal.SIGKILL)
    left_run, right_run = sorted(finished(120), key=lambda w: w.job.camera)

    # Restarted once, after a one-second pause: the loss and the gap are in the audit log.
    assert (left_run.restarts, right_run.restarts) == (1, 0)
    assert (left_run.state, right_run.state) == ("ended", "ended")
    assert "stage-left: worker killed by SIGKILL; restarting in 1 s" in said
    entries = [e for e in log(store) if e.action.startswith("deployment.run")]
    lost = [json.loads(e.detail) for e in entries if e.action == "deployment.run_lost"]
    [resumed] = [json.loads(e.detail) for e in entries if e.action == "deployment.run_resumed"]
    assert lost == [{"camera": "stage-left", "how": "killed by SIGKILL"}]
    assert resumed["camera"] == "stage-left" and float(resumed["gap_seconds"]) >= 1.0
    ended = sorted(
        json.loads(e.detail)["camera"] for e in entries if e.action == "deployment.run_ended"
    )
    assert ended == ["stage-left", "stage-right"]  # the killed worker never recorded an end

    # Lin alerts once on each camera, each alert whole: the restarted worker played its clip
    # again, seeing him within realert_after of the alert its predecessor raised.
    raised = alerts.list_alerts(store, "omar", ident)
    assert sorted((a.camera, a.subject_name) for a in raised) == [
        ("stage-left", "Lin Manuel Miranda"), ("stage-right", "Lin Manuel Miranda")]  # fmt: skip
    with store.reading() as session:
        assert all(Alerts(session).biometrics(a.id or 0) for a in raised)
    assert any(line.startswith("alert ") and "camera stage-right" in line for line in said)
    assert audit.verify(store, "ada").intact
    assert status.running(store.settings.data_dir) == []  # the status file went with the run


def test_a_close_request_stops_every_camera(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    ident = live_now(store, engine, clock, ["stage"])
    supervisor = Supervisor(store, "omar", ident, deployments.begin_run(store, "omar", ident))
    finished = running_in_background(supervisor, threading.Event())
    wait_for(store.settings.data_dir, lambda s: bool(s) and s[0].frames_analysed > 0)
    deployments.close(store, "omar", ident)
    [stage] = finished(60)
    # The worker saw the deployment was no longer live and ended before its clip did.
    assert stage.state == "ended" and stage.restarts == 0
    assert 0 < stage.counts.frames < 275


def test_a_camera_that_cannot_run_is_refused_not_restarted(
    real_time_store: tuple[Store, Clock], engine: Engine, tmp_path: Path
) -> None:
    store, clock = real_time_store
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n" * 100)
    ident = live_now(store, engine, clock, ["desk"], source=notes)
    said: list[str] = []
    supervisor = Supervisor(store, "omar", ident, ["desk"], say=said.append)
    [desk] = supervisor.run(threading.Event())
    assert (desk.state, desk.restarts) == ("refused", 0)
    assert desk.error.startswith("camera desk gave no frame: ") and "notes.mp4" in desk.error
    assert said == [desk.error]
    assert not [e for e in log(store) if e.action == "deployment.run_lost"]


def test_an_rtsp_camera_switched_off_and_on_is_reconnected_and_alerts_continue(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    port = free_port()
    camera = RtspCamera(STAGE, port).start()  # the stage clip, looping: Lin every 9.2 s
    try:
        url = f"rtsp://viewer:hunter22@127.0.0.1:{port}/cam"
        ident = live_now(store, engine, clock, ["door"], source=url)
        said: list[str] = []
        stop = threading.Event()
        finished = running_in_background(
            Supervisor(store, "omar", ident, ["door"], say=said.append), stop
        )
        data = store.settings.data_dir
        wait_for(data, lambda s: bool(s) and s[0].alerts >= 1)
        camera.stop()
        down = wait_for(data, lambda s: s[0].state == "reconnecting")
        time.sleep(2)
        camera.start()
        back = wait_for(data, lambda s: s[0].state == "connected" and s[0].reconnects >= 1)
        reconnected = datetime.now(UTC)
        wait_for(data, lambda s: s[0].alerts > back[0].alerts)
        stop.set()
        [door] = finished(60)
    finally:
        camera.close()
    assert door.state == "stopped" and door.restarts == 0 and door.health.reconnects >= 1
    # The gap shows in its health; the password never does, anywhere it was said.
    assert down[0].last_error and "hunter22" not in down[0].last_error
    assert not [line for line in said if "hunter22" in line]
    later = [a for a in alerts.list_alerts(store, "omar", ident) if a.raised_at > reconnected]
    assert later and {a.subject_name for a in later} == {"Lin Manuel Miranda"}
    assert audit.verify(store, "ada").intact


def test_a_lost_camera_is_not_resumed_once_the_deployment_is_closed(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    ident = live_now(store, engine, clock, ["stage"])
    deployments.resume_run(store, "omar", ident, "stage", 2.0)  # live: allowed, and audited
    with pytest.raises(DomainError, match="may not start a deployment"):
        deployments.resume_run(store, "pat", ident, "stage", 2.0)  # a planner may not
    deployments.close(store, "omar", ident)
    with pytest.raises(DomainError, match="is not live"):
        deployments.resume_run(store, "omar", ident, "stage", 2.0)
    resumed = [(e.actor, e.outcome) for e in log(store) if e.action == "deployment.run_resumed"]
    assert resumed == [("omar", "done"), ("pat", "refused"), ("omar", "refused")]


def test_a_worker_ignores_ctrl_c_from_its_first_instruction() -> None:
    """A Ctrl-C that comes while a worker is still importing must not end it in a traceback:
    the worker's interpreter starts with SIGINT ignored, and the parent's handler is back."""
    spawn = multiprocessing.get_context("spawn")
    before = signal.getsignal(signal.SIGINT)
    deaf = spawn.Process(target=signal.raise_signal, args=(signal.SIGINT,))
    start_deaf(deaf)
    deaf.join(timeout=60)
    assert deaf.exitcode == 0  # the signal came and was ignored
    assert signal.getsignal(signal.SIGINT) == before
    hearing = spawn.Process(target=signal.raise_signal, args=(signal.SIGINT,))
    hearing.start()
    hearing.join(timeout=60)
    assert hearing.exitcode != 0  # started the usual way, the same signal ends it
