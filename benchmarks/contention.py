"""How long raising an alert takes, from the call to its commit, while users log in or while
other processes read, on SQLite, where one write lock serialises every writer: a login that
checked its password (argon2, about 0.2 s) inside its transaction held alerts back that long,
and so did every read while reads took the write lock too.

    python benchmarks/contention.py [--alerts 100] [--load logins|reads] [--workers 2]

A store in a temporary folder holds the demo deployment (live). This process raises
``--alerts`` alerts through the services 100 ms apart, as a camera worker does: first with
nothing else going on, then under the load: ``logins``, ``--workers`` threads each log a user
in over and over with the right password; ``reads``, ``--workers`` processes each do what
every API request and the feed's poll do, check a session token and read the newest alert's
id, over and over. Each alert's time to commit, p50, p95 and max, both ways, and the logins
or reads made meanwhile; an alert whose transaction could not begin (SQLite's busy timeout,
30 s) stops the run and is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import threading
import time
from typing import Any

import sqlalchemy as sa
from api import demo_deployment

from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from openlfr.services import alerts, identity
from openlfr.services.unit_of_work import Store

PASSWORD = "a benchmark password, long enough"
USERS = ["pat", "olu", "wendy", "omar"]


def raise_alerts(store: Store, deployment_id: int, count: int) -> tuple[list[float], str]:
    """Seconds from each raise_alert call to its return (its commit), one every 100 ms; and
    the error that stopped them, if one did."""
    took: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        try:
            alerts.raise_alert(store, deployment_id, 1, "demo-cam", b"crop", 0.9)
        except sa.exc.OperationalError as exc:
            waited = time.perf_counter() - start
            return took, f"alert {len(took) + 1} failed after {waited:.1f} s: {exc.orig}"
        took.append(time.perf_counter() - start)
        time.sleep(0.1)
    return took, ""


def report(label: str, raised: tuple[list[float], str]) -> None:
    took, error = raised
    if len(took) >= 2:
        p95 = statistics.quantiles(took, n=20, method="inclusive")[18]
        print(f"{label}: {len(took)} alerts, commit p50 {1000 * statistics.median(took):.0f} "
              f"ms, p95 {1000 * p95:.0f} ms, max {1000 * max(took):.0f} ms")  # fmt: skip
    if error:
        print(f"{label}: {error}")


def under_logins(store: Store, deployment_id: int, count: int, workers: int) -> None:
    """Raise ``count`` alerts while ``workers`` threads log in over and over; the report."""
    done, logins = threading.Event(), [0]

    def log_in(name: str) -> None:
        while not done.is_set():
            try:
                identity.login(store, name, PASSWORD)
            except sa.exc.OperationalError:
                continue  # locked out of the database too: try again
            logins[0] += 1

    threads = [threading.Thread(target=log_in, args=(name,)) for name in USERS[:workers]]
    for t in threads:
        t.start()
    start = time.monotonic()
    raised = raise_alerts(store, deployment_id, count)
    seconds = time.monotonic() - start
    done.set()
    for t in threads:
        t.join()
    report(f"{workers} threads logging in ({logins[0] / seconds:.1f} logins a second)", raised)


def read_over_and_over(settings: Settings, token: str, stop: Any, reads: Any) -> None:
    """A process doing what each API request and the feed's poll do, until ``stop`` is set."""
    store = Store(settings)
    while not stop.is_set():
        identity.authenticate(store, token)
        alerts.last_alert_id(store)
        with reads.get_lock():
            reads.value += 1
    store.close()


def under_reads(store: Store, deployment_id: int, count: int, workers: int) -> None:
    """Raise ``count`` alerts while ``workers`` processes read over and over; the report."""
    context = multiprocessing.get_context("spawn")
    stop, reads = context.Event(), context.Value("i", 0)
    token = identity.login(store, USERS[0], PASSWORD).token
    readers = [context.Process(target=read_over_and_over, args=(store.settings, token, stop, reads))
               for _ in range(workers)]  # fmt: skip
    for p in readers:
        p.start()
    while reads.value < 10 * workers:  # every reader has started reading
        time.sleep(0.1)
    start, before = time.monotonic(), reads.value
    raised = raise_alerts(store, deployment_id, count)
    rate = (reads.value - before) / (time.monotonic() - start)
    stop.set()
    for p in readers:
        p.join()
    report(f"{workers} processes reading ({rate:.0f} token checks and polls a second)", raised)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument("--load", choices=["logins", "reads"], default="logins")
    parser.add_argument("--workers", type=int, default=2, help="at most 4")
    args = parser.parse_args()
    print(f"CPU: {this_cpu().describe()}")
    with demo_deployment() as (store, d):
        for name in USERS[: args.workers]:
            one_time = identity.reset_password(store, "ada", name)
            identity.login(store, name, one_time, PASSWORD)
        report("nothing else going on", raise_alerts(store, d.id or 0, args.alerts))
        load = under_logins if args.load == "logins" else under_reads
        load(store, d.id or 0, args.alerts, args.workers)


if __name__ == "__main__":
    main()
