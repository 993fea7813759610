"""How long raising an alert takes, from the call to its commit, while users log in, on
SQLite: every transaction there takes the database's one write lock, so a login that checked
its password (argon2, about 0.2 s) inside its transaction held alerts back that long.

    python benchmarks/login_contention.py [--alerts 100] [--logins 2]

A store in a temporary folder holds the demo deployment (live). This process raises
``--alerts`` alerts through the services 100 ms apart, as a camera worker does: first with
no one logging in, then while ``--logins`` threads each log a user in over and over with
the right password. Each alert's time to commit, p50, p95 and max, both ways, and the
logins made meanwhile; an alert whose transaction could not begin (SQLite's busy timeout,
30 s) stops the run and is reported.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import sqlalchemy as sa
from api import demo_deployment

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument("--logins", type=int, default=2, help="threads logging in (at most 4)")
    args = parser.parse_args()
    print(f"CPU: {this_cpu().describe()}")
    with demo_deployment() as (store, d):
        for name in USERS[: args.logins]:
            one_time = identity.reset_password(store, "ada", name)
            identity.login(store, name, one_time, PASSWORD)
        report("no one logging in", raise_alerts(store, d.id or 0, args.alerts))
        done, logins = threading.Event(), [0]

        def log_in(name: str) -> None:
            while not done.is_set():
                try:
                    identity.login(store, name, PASSWORD)
                except sa.exc.OperationalError:
                    continue  # locked out of the database too: try again
                logins[0] += 1

        threads = [threading.Thread(target=log_in, args=(name,))
                   for name in USERS[: args.logins]]  # fmt: skip
        for t in threads:
            t.start()
        start = time.monotonic()
        raised = raise_alerts(store, d.id or 0, args.alerts)
        seconds = time.monotonic() - start
        done.set()
        for t in threads:
            t.join()
        report(f"{args.logins} threads logging in ({logins[0] / seconds:.1f} logins a second)",
               raised)  # fmt: skip


if __name__ == "__main__":
    main()
