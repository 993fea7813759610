"""Failed tries from the API's client addresses (a login, a bearer token), kept in memory by
the one process that serves them: past a few free failures in a row, each doubles the wait
before the address is heard again (``wait_after``), and what is refused is audited as one
summary entry per address and minute, never one entry a request, so a flood of bogus tries
can neither guess on nor fill the audit log."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from openlfr.domain.errors import Throttled
from openlfr.domain.identity import seconds, wait_after
from openlfr.services.unit_of_work import Store

WINDOW = timedelta(minutes=1)  # an address's refusals are audited together, a minute at a time
QUIET = timedelta(minutes=15)  # an address that fails no more for this long starts afresh
FREE_LOGINS = 5  # wrong passwords in a row from an address that cost it no wait (a name's: 0)
FREE_TOKENS = 10  # refused tokens in a row from an address that cost it no wait


@dataclass
class _Address:
    failures: int = 0  # in a row
    last: datetime | None = None  # the latest failure
    refused: int = 0  # refusals in the window, not yet audited
    since: datetime | None = None  # the window's first refusal (None: none since the last)
    until: datetime | None = None  # and its latest
    first: str = ""  # why the first was refused


class Attempts:
    """Failed tries of one kind, audited as ``action``, per client address; an address's first
    ``free`` failures in a row cost it no wait."""

    def __init__(self, store: Store, action: str, free: int) -> None:
        self.store, self.action, self.free = store, action, free
        self.seen: dict[str, _Address] = {}
        self.lock = threading.Lock()  # routes run on the event loop and in its thread pool

    def check(self, address: str) -> None:
        """Refuse (``Throttled``, counted for the summary) a try from ``address`` before its
        wait is over."""
        now = self.store.now()
        with self.lock:
            a = self.seen.get(address)
            if a is None or a.last is None:
                return
            left = a.last + wait_after(a.failures, self.free) - now
            if left <= timedelta(0):
                return
            wait = seconds(left)
            refusal = Throttled(f"too many failed tries from {address}: try again in {wait} s",
                                wait)  # fmt: skip
            self._count(a, now, str(refusal))
        raise refusal

    def failed(self, address: str, refusal: str | None) -> None:
        """Count a failed try from ``address``; ``refusal``: why it was refused, to be audited
        in the summary (None: it is audited already)."""
        now = self.store.now()
        with self.lock:
            a = self.seen.setdefault(address, _Address())
            if a.last is not None and now - a.last >= QUIET:
                a.failures = 0
            a.failures, a.last = a.failures + 1, now
            if refusal is not None:
                self._count(a, now, refusal)

    @staticmethod
    def _count(a: _Address, now: datetime, refusal: str) -> None:
        if a.since is None:
            a.since, a.first = now, refusal
        a.refused, a.until = a.refused + 1, now

    def summarise(self, every: bool = False) -> None:
        """Audit each address's refusals of a window that has ended (of every window:
        ``every``, as the server stops), one entry each; forget addresses gone quiet."""
        now, due = self.store.now(), []
        with self.lock:
            for address, a in list(self.seen.items()):
                if a.since and a.until and (every or now - a.since >= WINDOW):
                    due.append((address, a.refused, a.since, a.until, a.first))
                    a.refused, a.since, a.until, a.first = 0, None, None, ""
                if a.since is None and (a.last is None or now - a.last >= QUIET):
                    del self.seen[address]
        for address, refused, since, until, first in due:
            said = (f"{refused} refused from {address} from {since:%Y-%m-%d %H:%M:%S} "
                    f"to {until:%H:%M:%S} UTC")  # fmt: skip
            self.store.refused("(unproven)", self.action, f"address {address}",
                               f"{said}; the first: {first}")  # fmt: skip
