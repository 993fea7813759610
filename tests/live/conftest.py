"""The live tests use the services' store (each backend) and clock, and the stage clip's
deployment: its two enrolment photos on the watchlist (shared/data/video/hamilton)."""

from typing import Any

from openlfr.domain.deployment import Deployment
from openlfr.services import watchlists
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.conftest import shared
from tests.services.conftest import Clock, clock, record, reference, start_deployment, store

__all__ = ["clock", "stage_deployment", "store"]

STAGE = shared("video", "hamilton", "short_hamilton_clip.mp4")
PHOTOS = {"Lin_Manuel_Miranda": "lin-manuel-miranda.png", "Alex_Lacamoire": "alex-lacamoire.png"}


def stage_deployment(store: Store, engine: Engine, clock: Clock, **changes: Any) -> Deployment:
    """The two people of the stage clip enrolled, and a deployment of them started."""
    for name, photo in PHOTOS.items():
        image = shared("video", "hamilton", photo)
        watchlists.enrol(store, "wendy", record(name), [reference(image)], engine)
    return start_deployment(store, clock, **changes)
