"""Folders openlfr makes are its account's alone; files it reads are read within a limit."""

from __future__ import annotations

import stat
from pathlib import Path

from openlfr.config import Settings
from openlfr.files import private_folder
from openlfr.models.provision import install


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_folder_made_and_every_folder_made_above_it_is_0700(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir(mode=0o755)
    made = private_folder(tmp_path / "shared" / "state" / "openlfr")
    assert made.is_dir() and mode(made) == mode(made.parent) == 0o700
    assert mode(tmp_path / "shared") == 0o755  # there already: left as it was
    assert private_folder(made) == made  # and again: nothing to do


def test_models_install_makes_the_data_folder_0700(tmp_path: Path) -> None:
    """The first ``lfr models install`` makes the data folder, which the database joins."""
    settings = Settings(data_dir=tmp_path / "share" / "openlfr")
    assert install(settings.models_dir, []) == []
    for folder in (settings.models_dir, settings.data_dir, settings.data_dir.parent):
        assert mode(folder) == 0o700, folder
