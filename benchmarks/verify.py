"""What ``lfr audit verify`` costs as a store grows: the chain walked, and every governed row
held to its MAC and to the latest audit entry that wrote it.

    python benchmarks/verify.py --folder /tmp/verify-100k [--alerts 100000] [--runs 3]

The store in ``--folder`` (made the first time, then reused, so it can be timed again) holds
the demo deployment, live, and ``--alerts`` alerts raised through the services, each in its
own transaction with its audit entry and its probe crop, as a camera raises them. Verify then
runs ``--runs`` times as the demo admin; printed: the entries and rows checked, each run's
seconds, and the CPU.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import sqlalchemy as sa

from openlfr.config import Settings
from openlfr.live.demo import CAMERA, stage
from openlfr.models.hardware import this_cpu
from openlfr.services import alerts, audit, deployments
from openlfr.services.unit_of_work import Store
from openlfr.store.tables import alerts as alert_rows
from openlfr.vision.engine import Engine

CROP = bytes(range(256)) * 24  # about the size of a JPEG face crop


def populated(folder: Path, count: int) -> Store:
    """The store in ``folder``, holding ``count`` alerts on its live demo deployment."""
    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if fresh:
        (folder / "models").symlink_to(Settings().models_dir)
    settings = Settings(data_dir=folder, master_key_file=folder / "key")
    store = Store(settings, create=fresh)
    if fresh:
        stage(store, Engine(settings), folder / "demo.mp4", None, lambda _: None)
    [ident] = deployments.live_ids(store)
    with store.reading() as session:
        held = int(session.scalar(sa.select(sa.func.count()).select_from(alert_rows)) or 0)
    started = time.perf_counter()
    for n in range(held, count):
        alerts.raise_alert(store, ident, 1 + n % 2, CAMERA, CROP, 0.9)
        if (n + 1) % 10_000 == 0:
            print(f"{n + 1} alerts ({time.perf_counter() - started:.0f} s)", flush=True)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = populated(args.folder, args.alerts)
    try:
        for _ in range(args.runs):
            started = time.perf_counter()
            verdict = audit.verify(store, "ada")
            took = time.perf_counter() - started
            print(f"verify: {verdict.checked} entries, intact {verdict.intact}, {took:.1f} s")
    finally:
        store.close()
    cpu = this_cpu()
    print(f"CPU: {cpu.name}; flags: {' '.join(cpu.flags)}")


if __name__ == "__main__":
    main()
