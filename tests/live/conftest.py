"""The live tests use the services' store (each backend) and clock, and the stage clip's
deployment: its two enrolment photos on the watchlist (shared/data/video/hamilton); tests
with worker processes, which read the real clock, use a store whose deployments run now."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openlfr.domain.alert import Alert
from openlfr.domain.deployment import Deployment
from openlfr.services import cameras, watchlists
from openlfr.services.unit_of_work import Store
from openlfr.store.repositories import Alerts
from openlfr.vision.engine import Engine
from tests.conftest import shared
from tests.services.conftest import (
    Clock,
    clock,
    record,
    reference,
    staffed_store,
    start_deployment,
    store,
)

__all__ = ["clock", "stage_deployment", "store"]

STAGE = shared("video", "hamilton", "short_hamilton_clip.mp4")
PHOTOS = {"Lin_Manuel_Miranda": "lin-manuel-miranda.png", "Alex_Lacamoire": "alex-lacamoire.png"}


def stage_deployment(store: Store, engine: Engine, clock: Clock, **changes: Any) -> Deployment:
    """The two people of the stage clip enrolled, and a deployment of them started."""
    for name, photo in PHOTOS.items():
        image = shared("video", "hamilton", photo)
        watchlists.enrol(store, "wendy", record(name), [reference(image)], engine)
    return start_deployment(store, clock, **changes)


@pytest.fixture
def real_time_store(tmp_path: Path) -> Iterator[tuple[Store, Clock]]:
    """A SQLite store whose clock reaches now when ``start_deployment`` starts one (it moves
    the clock 2 h on)."""
    clock = Clock(datetime.now(UTC) - timedelta(hours=2))
    store = staffed_store(tmp_path, None, clock)
    yield store, clock
    store.close()


def live_now(
    store: Store, engine: Engine, clock: Clock, names: list[str], source: Path | str = STAGE
) -> int:
    """The stage deployment, live from now for four hours, its cameras ``names`` each
    reading ``source``."""
    for name in names:
        cameras.add_camera(store, "root", name, str(source))
    now = clock.now + timedelta(hours=2)
    window = {"starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=4)}
    return stage_deployment(store, engine, clock, cameras=names, **window).id or 0


def listed(store: Store, deployment_id: int) -> list[Alert]:
    """The deployment's alerts, read without an audit entry (a test's polling)."""
    with store.reading() as session:
        return Alerts(session).listed(deployment_id)
