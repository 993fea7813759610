"""Shared fixtures: the shared data folder, the installed models, decoded test video, and the
databases (a SQLite file; a throwaway PostgreSQL server, see tests/postgres.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from openlfr.config import Settings
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from tests.postgres import fresh_database, postgres_server

REPO = Path(__file__).resolve().parents[1]
# $LFR_SHARED_DATA, else ../shared/data beside the checkout, else where this workplace mounts it.
CANDIDATES = [
    *([Path(os.environ["LFR_SHARED_DATA"])] if "LFR_SHARED_DATA" in os.environ else []),
    REPO.parent / "shared" / "data",
    Path("/work/shared/data"),
]


def shared(*parts: str) -> Path:
    """A path in the shared data folder. Its absence fails the test: data tests never skip."""
    for root in CANDIDATES:
        if root.is_dir():
            return root.joinpath(*parts)
    pytest.fail(
        f"shared data folder not found in {[str(c) for c in CANDIDATES]}: set LFR_SHARED_DATA"
    )


@pytest.fixture(scope="session", autouse=True)
def own_config_and_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Config and state folders of the test run's own (settings file, master key, session),
    and none of the developer's LFR_ settings: every test starts from the defaults. Installed
    models (the data folder) are shared."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            patch.setenv(variable, str(tmp_path_factory.mktemp(variable.lower())))
        for variable in [v for v in os.environ if v.startswith("LFR_")]:
            if variable != "LFR_SHARED_DATA":
                patch.delenv(variable)
        yield


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings (models installed by `lfr models install`, as `make test` does)."""
    return Settings()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Engine:
    return Engine(settings)


@pytest.fixture(scope="session")
def hamilton_frames() -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(shared("video", "hamilton", "short_hamilton_clip.mp4")))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    return frames


@pytest.fixture(scope="session")
def lin_photo() -> np.ndarray:
    return read_image(shared("video", "hamilton", "lin-manuel-miranda.png"), 10**8, 10**8)


@pytest.fixture(scope="session")
def alex_photo() -> np.ndarray:
    return read_image(shared("video", "hamilton", "alex-lacamoire.png"), 10**8, 10**8)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server's database URL, started once a run, when a test asks."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database's SQLAlchemy URL, once per backend: a SQLite file in tmp_path, and a
    database of its own on the shared PostgreSQL server, dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'openlfr.db'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as url:
        yield url
