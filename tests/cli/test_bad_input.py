"""What a user may hand ``lfr`` that must do no harm: devices and endless files for images and
records.

Each refusal is one line, and nothing is read to its end.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_governance import EXAMPLES, Lfr, add_users, lfw_image
from tests.cli.test_governance import lfr as lfr  # the fixture: a data folder of its own

MEMORY = 2 * 1024**3  # bytes of address space: a command that reads /dev/zero to its end fails


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def refused_within_memory(lfr: Lfr, *args: str, user: str) -> str:
    """The one line ``lfr`` run as ``user`` prints when it refuses, with its memory capped."""
    done = subprocess.run(
        [sys.executable, "-m", "openlfr.cli", *args],
        capture_output=True, text=True, env=lfr.process_env(user), preexec_fn=_capped, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: "), line
    return line.removeprefix("error: ")


@pytest.mark.parametrize("device", ["/dev/zero", "pipe"])
def test_a_device_given_as_an_image_or_a_record_is_refused_unread(
    lfr: Lfr, tmp_path: Path, device: str
) -> None:
    add_users(lfr)
    if device == "pipe":
        device = str(tmp_path / "pipe")
        os.mkfifo(device)
    record, image = str(EXAMPLES / "subject.toml"), lfw_image("Aaron_Eckhart")
    unread = "not a regular file (a device, a pipe or a folder)"
    as_image = refused_within_memory(
        lfr, "watchlist", "add", record, "--image", device, "--source", "custody_image",
        user="wendy",
    )  # fmt: skip
    assert as_image == f"refused reference image {device}: {unread}"
    as_record = refused_within_memory(
        lfr, "watchlist", "add", device, "--image", image, "--source", "custody_image",
        user="wendy",
    )  # fmt: skip
    assert as_record == f"the subject file {device}: {unread}"
    assert lfr.json("watchlist", "list", user="wendy") == []
