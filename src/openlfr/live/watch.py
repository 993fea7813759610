"""Every live deployment's cameras watched, for a service that runs beside the console: a
deployment that goes live (its operator pressed Start) has its cameras run at once, by a
supervisor of its own, until it stops being live.

The service runs as an operator (``deployments.begin_run`` allows each run, audited). A
deployment refused, or whose cameras all ended by themselves (file sources), is not run
again until the service restarts: a refusal is not audited every few seconds, and a file is
not played twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from openlfr.errors import LfrError
from openlfr.live.supervisor import Supervisor, Watched
from openlfr.services import deployments
from openlfr.services.unit_of_work import Store

EVERY = 5.0  # seconds between looks for deployments gone live


class WatchAll:
    """Runs the cameras of each deployment live now or later, for ``actor``, telling ``say``
    what happens, until stopped."""

    def __init__(
        self,
        store: Store,
        actor: str,
        realtime: bool = True,
        say: Callable[[str], None] = lambda line: None,
        every: float = EVERY,
    ) -> None:
        self.store, self.actor, self.realtime, self.say, self.every = (
            store, actor, realtime, say, every)  # fmt: skip
        self.runs: dict[int, threading.Thread | None] = {}  # None: refused
        self.watched: dict[int, list[Watched]] = {}  # each deployment's cameras, once it ends

    def run(self, stop: threading.Event) -> dict[int, list[Watched]]:
        """Look for deployments gone live every ``every`` seconds and run each one's cameras,
        until ``stop`` is set; then stop them all. Each run's cameras, by deployment."""
        while not stop.is_set():
            for ident in deployments.live_ids(self.store):
                if ident not in self.runs:
                    self.runs[ident] = self._start(ident, stop)
            stop.wait(self.every)
        for thread in self.runs.values():
            if thread is not None:
                thread.join()
        return self.watched

    def _start(self, ident: int, stop: threading.Event) -> threading.Thread | None:
        try:
            cameras = deployments.begin_run(self.store, self.actor, ident)
        except LfrError as exc:
            self.say(f"deployment {ident}: not watched: {exc}")
            return None
        self.say(f"deployment {ident}: watching {', '.join(cameras)}")
        supervisor = Supervisor(self.store, self.actor, ident, cameras, self.realtime, self.say)

        def watch() -> None:
            self.watched[ident] = supervisor.run(stop)
            self.say(f"deployment {ident}: its cameras are no longer watched")

        thread = threading.Thread(target=watch, name=f"deployment {ident}", daemon=True)
        thread.start()
        return thread
