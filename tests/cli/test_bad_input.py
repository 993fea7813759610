"""What a user may hand ``lfr`` that must do no harm: devices and endless files for images and
records, terminal escapes and direction overrides in names.

Each refusal is one line; nothing is read to its end; stored text never steers the terminal.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from openlfr.domain.text import CONTROLS
from openlfr.domain.watchlist import Subject
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


# Clears the screen, sets the window title, then reverses what follows ("Marsh" reads "hsraM").
ESCAPING = "Daniel\x1b[2J\x1b]0;owned\x07 \u202ehsraM"
SHOWN = "Daniel\\u001b[2J\\u001b]0;owned\\u0007 \\u202ehsraM"


def test_a_name_that_steers_the_terminal_is_refused_and_one_stored_is_shown_escaped(
    lfr: Lfr, tmp_path: Path
) -> None:
    add_users(lfr)
    record = tmp_path / "subject.json"
    record.write_text(
        json.dumps(
            tomllib.loads((EXAMPLES / "subject.toml").read_text())
            | {"name": ESCAPING, "date_of_birth": "1991-04-17", "review_by": "2027-05-31"}
        )
    )
    image = ["--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image"]
    refusal = lfr.refused("watchlist", "add", str(record), *image, user="wendy")
    assert refusal == (
        "the subject's name holds the control character \\u001b (a terminal escape, a line "
        "break or a text-direction override): remove it"
    )
    named = tmp_path / f"{ESCAPING}.jpg"  # in an error line, escaped too
    refusal = lfr.refused("watchlist", "add", str(record), "--image", str(named), *image[2:],
                          user="wendy")  # fmt: skip
    assert refusal == f"refused reference image {tmp_path}/{SHOWN}.jpg: no such file"
    # A name stored before the rule (or by a path that missed it) is shown, never obeyed.
    store = lfr.store()
    try:
        with store.action("wendy", "subject.enrol", "new subject") as act:
            act.session.add(Subject(
                ESCAPING, date(1991, 4, 17), "male", "white", "wanted_by_court", "a reason",
                "ASH/26/1", date(2027, 5, 31), "wendy", datetime.now(UTC),
            ))  # fmt: skip
    finally:
        store.close()
    table = lfr.run("watchlist", "list", user="wendy")
    assert table.returncode == 0, table.stderr
    assert SHOWN in table.stdout and not CONTROLS.search(table.stdout.replace("\n", ""))
    listed = lfr.run("watchlist", "list", "--json", user="wendy").stdout
    assert not CONTROLS.search(listed.replace("\n", ""))
    assert json.loads(listed)[0]["name"] == ESCAPING  # JSON's escapes: the same text, read back
