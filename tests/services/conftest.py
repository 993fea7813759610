"""A governance store on each backend, with a clock the test moves, and its staff."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from openlfr.config import Settings
from openlfr.domain.alert import Adjudication, Alert, Outcome
from openlfr.domain.deployment import Deployment
from openlfr.domain.watchlist import Subject
from openlfr.services import alerts, audit, cameras, counts, deployments, users, watchlists
from openlfr.services.unit_of_work import Store
from openlfr.store import audit as chain
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from tests.conftest import shared
from tests.domain.factories import NOW, application

STAFF = {
    "pat": "planner",
    "olu": "authorising_officer",
    "wendy": "watchlist_manager",
    "omar": "operator",
    "ada": "auditor",
}


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def staffed_store(folder: Path, database_url: str | None, clock: Clock) -> Store:
    """A store in ``folder`` (its data folder, master key outside it) with root and STAFF."""
    settings = Settings(
        data_dir=folder / "data", database_url=database_url, master_key_file=folder / "master.key"
    )
    # The installed models, for enrolment and the default threshold of the precision that runs.
    settings.data_dir.mkdir()
    settings.models_dir.symlink_to(Settings().models_dir)
    store = Store(settings, clock, create=True)
    users.add_first_admin(store, "root")
    for name, role in STAFF.items():
        users.add_user(store, "root", name, [role])
    register_cameras(store, "root")
    return store


def register_cameras(store: Store, admin: str) -> None:
    """The cameras the test application names (tests.domain.factories)."""
    for name in ("van-1-north", "van-1-south"):
        cameras.add_camera(store, admin, name, f"rtsp://viewer:secret@10.0.0.7/{name}")


@pytest.fixture
def store(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Store]:
    store = staffed_store(tmp_path, database_url, clock)
    yield store
    store.close()


def log(store: Store) -> list[chain.Entry]:
    """The audit log as it stands."""
    with store.reading() as session:
        return list(chain.entries(session))


def findings(store: Store) -> tuple[str, ...]:
    """The rows ``lfr audit verify`` finds not as the audit log left them, as "table row-id"."""
    return tuple(f"{r.table} {r.row}" for r in audit.verify(store, "ada").rows)


def count(store: Store, table: sa.Table) -> int:
    """How many rows ``table`` holds."""
    with store.reading() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def lfw(name: str, n: int = 1) -> Path:
    return shared("lfw", "images", name, f"{name}_{n:04d}.jpg")


def photo(name: str, n: int = 1) -> np.ndarray:
    return read_image(lfw(name, n), 10**8, 10**8)


def record(name: str, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        name=name.replace("_", " "),
        date_of_birth=date(1970, 1, 1),
        sex="male",
        ethnicity="white",
        category="wanted_by_court",
        reason="Failed to appear; warrant issued",
        case_reference=f"WARRANT/{name}",
        review_by=date(2027, 6, 1),
    )
    return fields | changes


def reference(path: Path, source: str = "custody_image") -> watchlists.ImageIn:
    """The image file at ``path`` as a submitted reference image."""
    return watchlists.ImageIn.from_file(path, source, 10**7)


def enrol(store: Store, engine: Engine, name: str, **changes: Any) -> Subject:
    return watchlists.enrol(store, "wendy", record(name, **changes), [reference(lfw(name))], engine)


def live_deployment(store: Store, engine: Engine, clock: Clock) -> Deployment:
    """Two subjects enrolled, a deployment authorised, compiled, approved and started."""
    enrol(store, engine, "Aaron_Eckhart")
    enrol(store, engine, "Angelina_Jolie", sex="female")
    return start_deployment(store, clock)


def start_deployment(store: Store, clock: Clock, **changes: Any) -> Deployment:
    """A deployment (the test application with ``changes``) of the subjects enrolled,
    authorised, compiled, approved and started."""
    d = deployments.request(store, "pat", application(**changes))
    assert d.id is not None
    deployments.authorise(store, "olu", d.id)
    deployments.compile_watchlist(store, "pat", d.id)
    deployments.approve(store, "olu", d.id)
    clock.advance(hours=2)
    return deployments.start(store, "omar", d.id, signs_up=True)


def live_alert(store: Store, engine: Engine, clock: Clock) -> tuple[int, Alert]:
    """A live deployment (its id) with one alert, on its first watchlist entry."""
    d = live_deployment(store, engine, clock)
    assert d.id is not None
    return d.id, alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.9)


def raw_bytes(store: Store, tables: Sequence[str] | None = None) -> bytes:
    """What the database holds on disk: the SQLite file and its write-ahead log, or
    PostgreSQL's pages of ``tables`` (default: every table and index), their TOAST tables
    and dead rows included."""
    if store.db.engine.dialect.name == "sqlite":
        database = Path(store.db.engine.url.database or "")
        log = database.with_name(database.name + "-wal")
        return database.read_bytes() + (log.read_bytes() if log.exists() else b"")
    pages = []
    with store.db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        if tables is None:
            tables = (
                connection.exec_driver_sql(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
                )
                .scalars()
                .all()
            )
        for table in tables:
            toast = connection.exec_driver_sql(
                f"SELECT NULLIF(reltoastrelid, 0)::regclass::text FROM pg_class "
                f"WHERE relname = '{table}'"
            ).scalar()
            for relation in filter(None, (table, toast)):
                blocks = connection.exec_driver_sql(
                    f"SELECT pg_relation_size('{relation}') / 8192"
                ).scalar()
                for block in range(int(blocks or 0)):
                    page: bytes = connection.exec_driver_sql(
                        f"SELECT get_raw_page('{relation}', {block})"
                    ).scalar_one()
                    pages.append(bytes(page))
    return b"".join(pages)


# Who ``reported_deployment`` enrols: an LFW person's photo, and a record with a name and
# case reference no report may hold.
REPORTED_SUBJECTS = {
    "Aaron_Eckhart": {"name": "Zebedee Quillfeather", "case_reference": "QF/7731/ZQ"},
    "Angelina_Jolie": {"name": "Ottoline Vantablack", "case_reference": "VB/5523/OV",
                       "sex": "female", "ethnicity": "black"},
}  # fmt: skip

# The alerts of ``reported_deployment``: watchlist entry (1: the first subject, male, white;
# 2: the second, female, black), verdict and outcome.
REPORTED_ALERTS = [
    (1, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED),
    (1, Adjudication.CONFIRMED_TRUE, Outcome.NOT_ENGAGED),
    (2, Adjudication.CONFIRMED_FALSE, Outcome.ENGAGED_NO_FURTHER_ACTION),
    (2, Adjudication.CONFIRMED_FALSE, None),
    (2, Adjudication.UNABLE_TO_CONFIRM, None),
    (1, Adjudication.UNADJUDICATED, None),
]


def reported_deployment(store: Store, engine: Engine, clock: Clock) -> Deployment:
    """A deployment that ran for three hours and closed: the alerts of REPORTED_ALERTS, and
    2,000 faces followed by its two cameras."""
    for photographed, changes in REPORTED_SUBJECTS.items():
        fields = record(photographed) | changes
        watchlists.enrol(store, "wendy", fields, [reference(lfw(photographed))], engine)
    d = start_deployment(store, clock)
    assert d.id is not None
    for entry, verdict, outcome in REPORTED_ALERTS:
        a = alerts.raise_alert(store, d.id, entry, "van-1-north", b"crop", 0.9)
        if verdict != Adjudication.UNADJUDICATED:
            alerts.adjudicate(store, "omar", a.id or 0, verdict, outcome)
    hour = clock.now.replace(minute=0)
    for camera, later, tracks in (("van-1-north", 0, 1000), ("van-1-south", 0, 500),
                                  ("van-1-north", 1, 500)):  # fmt: skip
        counts.record_counts(store, d.id, camera, hour + timedelta(hours=later), {"tracks": tracks})
    clock.advance(hours=3)
    return deployments.close(store, "omar", d.id)


def closed_deployment(store: Store, engine: Engine, clock: Clock) -> int:
    """A deployment that ran with one alert, found false on engaging the person, and closed:
    its id."""
    ident, a = live_alert(store, engine, clock)
    alerts.adjudicate(store, "omar", a.id or 0, Adjudication.CONFIRMED_FALSE,
                      Outcome.ENGAGED_NO_FURTHER_ACTION)  # fmt: skip
    deployments.close(store, "omar", ident)
    return ident
