"""Every live deployment watched by one service: a deployment that goes live while it runs
has its cameras run at once and alerts; one that is closed stops being watched; a service
that may not run cameras says so once per deployment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from openlfr.live.watch import WatchAll
from openlfr.services import deployments
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.live.conftest import listed, live_now
from tests.services.conftest import Clock, log


def until(done: Callable[[], bool], within: float = 90) -> None:
    deadline = time.monotonic() + within
    while not done():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.2)


def test_a_deployment_that_goes_live_is_watched_at_once_until_it_closes(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    said: list[str] = []
    watch, stop = WatchAll(store, "omar", say=said.append, every=0.5), threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(1)  # nothing live yet: nothing run
        assert watch.runs == {}
        ident = live_now(store, engine, clock, ["stage"])  # the operator pressed Start
        until(lambda: bool(listed(store, ident)))
        [alert] = listed(store, ident)
        assert alert.subject_name == "Lin Manuel Miranda" and alert.camera == "stage"
        assert f"deployment {ident}: watching stage" in said
        deployments.close(store, "omar", ident)
        until(lambda: ident in watch.watched)  # its cameras stopped with the deployment
        assert f"deployment {ident}: its cameras are no longer watched" in said
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    [run] = [e for e in log(store) if e.action == "deployment.run"]
    assert run.actor == "omar"


def test_a_service_that_may_not_run_cameras_says_so_once(
    real_time_store: tuple[Store, Clock], engine: Engine
) -> None:
    store, clock = real_time_store
    ident = live_now(store, engine, clock, ["stage"])
    said: list[str] = []
    watch, stop = WatchAll(store, "pat", say=said.append, every=0.1), threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(1.5)  # a dozen looks
    stop.set()
    thread.join(10)
    refused = [e for e in log(store) if e.action == "deployment.run"]
    assert [e.outcome for e in refused] == ["refused"] and watch.runs == {ident: None}
    assert said == [f"deployment {ident}: not watched: user pat (planner) may not start a "
                    "deployment: that needs the role authorising_officer or operator"]  # fmt: skip
