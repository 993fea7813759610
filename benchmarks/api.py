"""The API under load, on loopback: how long a committed alert takes to reach a client of the
live feed (server-sent events), and how many alert lists a second it serves to 50 clients at
once, with nothing lost.

    python benchmarks/api.py [--alerts 100] [--clients 50] [--seconds 20]

The server is ``lfr serve`` in a process of its own over a SQLite store holding the demo
deployment (live, two people on its watchlist). This process raises alerts with the
services (as a camera worker does) and times, for each, from its commit to its event read
by a feed client, then (half as many) to its card shown by the operator's console in
Debian's Chromium. Then ``--clients`` clients each ask for the deployment's alert list over
and over for ``--seconds``: requests a second, their latency, and whether every answer held
every alert.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from openlfr.config import Settings
from openlfr.domain.deployment import Deployment
from openlfr.live.demo import stage
from openlfr.models.hardware import this_cpu
from openlfr.services import alerts, identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine

PASSWORD = "a benchmark password, long enough"


def quantiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values), cuts[18]


def serve(settings: Settings, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "LFR_DATA_DIR": str(settings.data_dir),
           "LFR_MASTER_KEY_FILE": str(settings.master_key_file)}  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "openlfr.cli", "serve", "--port", str(port)],
                              env=env, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def feed_latency(store: Store, base: str, token: str, deployment: int, n: int) -> list[float]:
    """Seconds from each of ``n`` alerts' commit to its event at a feed client."""
    arrived: dict[int, float] = {}
    connected = threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{base}/api/v1/alerts/feed?deployment={deployment}"
        with httpx.stream("GET", url, headers=headers, timeout=None) as answer:
            connected.set()
            for line in answer.iter_lines():
                if line.startswith("id: "):
                    arrived[int(line[4:])] = time.monotonic()
                    if len(arrived) == n:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    connected.wait(30)
    time.sleep(1.0)
    committed: dict[int, float] = {}
    for i in range(n):
        a = alerts.raise_alert(store, deployment, 1 + i % 2, "demo-cam", b"crop", 0.9)
        committed[a.id or 0] = time.monotonic()
        time.sleep(0.2)
    listener.join(60)
    return [arrived[i] - t for i, t in committed.items() if i in arrived]


def browser_latency(store: Store, base: str, deployment: int, n: int) -> list[float]:
    """Seconds from each of ``n`` alerts' commit to its card in the operator's console, in
    Debian's Chromium (the card's arrival stamped by the page itself)."""
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = shutil.which("chromium") or "chromium"
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(base_url=base)
        page.goto("/login")
        page.fill("input[name=name]", "omar")
        page.fill("input[name=password]", PASSWORD)
        page.click("button")
        page.goto(f"/console/alerts?deployment={deployment}")
        page.wait_for_selector("#feed-state:text('live')")
        page.evaluate("""() => {
            window.arrived = {};
            new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(
                (n) => { if (n.id) window.arrived[n.id] = Date.now() / 1000; }
            ))).observe(document.getElementById("alerts"), { childList: true });
        }""")
        committed: dict[str, float] = {}
        for i in range(n):
            a = alerts.raise_alert(store, deployment, 1 + i % 2, "demo-cam", b"crop", 0.9)
            committed[f"alert-{a.id}"] = time.time()
            time.sleep(0.2)
        page.wait_for_function(f"Object.keys(window.arrived).length >= {n}", timeout=60_000)
        arrived: dict[str, float] = page.evaluate("window.arrived")
        browser.close()
    return [arrived[k] - t for k, t in committed.items() if k in arrived]


async def hammer(base: str, token: str, deployment: int, clients: int, seconds: float,
                 expected: int) -> tuple[int, int, list[float]]:  # fmt: skip
    """``clients`` clients asking for the alert list for ``seconds``: answers, answers that
    were wrong or incomplete, and each request's seconds."""
    headers = {"Authorization": f"Bearer {token}"}
    took: list[float] = []
    wrong = 0
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=60) as client:  # fmt: skip
        end = time.monotonic() + seconds

        async def one() -> None:
            nonlocal wrong
            while time.monotonic() < end:
                start = time.monotonic()
                answer = await client.get("/api/v1/alerts", params={"deployment": deployment})
                took.append(time.monotonic() - start)
                if answer.status_code != 200 or len(answer.json()) != expected:
                    wrong += 1

        await asyncio.gather(*(one() for _ in range(clients)))
    return len(took), wrong, took


@contextmanager
def demo_deployment() -> Iterator[tuple[Store, Deployment]]:
    """A store in a temporary folder (the installed models linked in) holding the demo
    deployment, live; closed and removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        (data / "models").symlink_to(Settings().models_dir)
        settings = Settings(data_dir=data, master_key_file=data / "key")
        store = Store(settings, create=True)
        try:
            yield store, stage(store, Engine(settings), data / "demo.mp4", None, lambda _: None)
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    print(f"CPU: {this_cpu().describe()}")
    with demo_deployment() as (store, d):
        one_time = identity.reset_password(store, "ada", "omar")
        token = identity.login(store, "omar", one_time, PASSWORD).token
        server = serve(store.settings, args.port)
        base = f"http://127.0.0.1:{args.port}"
        try:
            latency = feed_latency(store, base, token, d.id or 0, args.alerts)
            p50, p95 = quantiles(latency)
            print(f"feed: {len(latency)} of {args.alerts} alerts arrived; commit to client "
                  f"p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms, max "
                  f"{1000 * max(latency):.0f} ms")  # fmt: skip
            seen = browser_latency(store, base, d.id or 0, args.alerts // 2)
            p50, p95 = quantiles(seen)
            print(f"console in Chromium: {len(seen)} of {args.alerts // 2} alerts shown; commit "
                  f"to card p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms, max "
                  f"{1000 * max(seen):.0f} ms")  # fmt: skip
            expected = args.alerts + args.alerts // 2
            done, wrong, took = asyncio.run(
                hammer(base, token, d.id or 0, args.clients, args.seconds, expected)
            )
            p50, p95 = quantiles(took)
            print(f"alert list, {args.clients} clients for {args.seconds:.0f} s: {done} answers, "
                  f"{done / args.seconds:.1f} a second, {wrong} wrong or incomplete; each "
                  f"p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms")  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
