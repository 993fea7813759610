"""Shared fixtures: the shared data folder, the installed models, decoded test video, and the
databases (a SQLite file; a throwaway PostgreSQL server, see tests/postgres.py)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from openlfr.config import Settings
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.people import read_people
from openlfr.evaluation.study import Study, evaluate_study
from openlfr.evaluation.templates import cache_path
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


@pytest.fixture(scope="session")
def study_folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A force's own people as a study reads them (people.csv naming 24 of LFW's people with 2
    to 4 images each, in the shared data, with LFW's sex and race labels) and a folder of 150
    strangers (labels.csv naming UTKFace files in the shared data, some of them the int8
    SFace's calibration faces): the identification study in seconds."""
    lfw, root = Lfw(shared("lfw")), tmp_path_factory.mktemp("study")
    small = root / "people"
    small.mkdir()
    chosen = [p for p, count in lfw.people.items() if 2 <= count <= 4][:24]
    labels = lfw.demographics
    listed = [(lfw.path(i), p, *labels.get(i.relpath, ("", ""))) for p in chosen
              for i in lfw.images(p)]  # fmt: skip
    with (small / "people.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "person", "sex", "race"), *listed])
    utk = root / "utkface"
    utk.mkdir()
    rows = []
    for folder, start, step, count in (("utkface_subset", 0, 1, 20),
                                       ("utkface_subset", 20, 97, 20),
                                       ("utkface_distractors", 0, 83, 110)):  # fmt: skip
        lines = (shared(folder) / "labels.csv").read_text().splitlines()[1:]
        for line in lines[start::step][:count]:
            relpath, rest = line.split(",", 1)
            rows.append(f"{shared(folder) / relpath},{rest}\n")
    (utk / "labels.csv").write_text("file,age,sex,race,race_code\n" + "".join(rows))
    return small, utk


@pytest.fixture(scope="session")
def small_studies(
    study_folders: tuple[Path, Path], engine: Engine, settings: Settings
) -> tuple[Study, Study]:
    """The study of study_folders at 24 entries (LFW alone) and 84 (fillers in two folds), with
    MobileFaceNet from the shared data as referee."""
    people, utk = study_folders
    referee = Engine(
        settings.model_copy(
            update={
                "embedder": "custom",
                "embedder_path": shared("models", "mobilefacenet_paddle.onnx"),
            }
        )
    )
    small, grown = evaluate_study(
        read_people(people), engine, [utk], [24, 84], referee=referee, threshold=0.5684,
        cache=cache_path(settings),
    )  # fmt: skip
    return small, grown
