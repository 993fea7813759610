"""What a user may hand ``lfr`` that must do no harm: devices and endless files for images and
records, terminal escapes and direction overrides in names.

Each refusal is one line; nothing is read to its end; stored text never steers the terminal.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
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
    as_head = refused_within_memory(lfr, "audit", "verify", "--head", device, user="ada")
    assert as_head == f"the head file {device}: {unread}"
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


def test_settings_a_database_and_a_folder_that_cannot_be_used_are_one_line_each(
    lfr: Lfr, tmp_path: Path
) -> None:
    settings = Path(lfr.env["LFR_CONFIG"] or "")
    settings.write_text('threads = 2\ndetector = "yunet\n')  # the quote is never closed
    refusal = lfr.refused("whoami")
    assert refusal.startswith(f"the settings file {settings} is not valid TOML: ")
    settings.write_text("threads = 0\n")
    assert lfr.refused("whoami") == (
        "the settings are not valid: threads: Input should be greater than or equal to 1 "
        f"(from the settings file {settings} or an LFR_ variable)"
    )
    settings.unlink()

    lfr.env["LFR_DATABASE_URL"] = f"sqlite:///{tmp_path}"
    assert lfr.refused("whoami") == (
        f"database_url names a folder: {tmp_path}: name the database file in it "
        f"(sqlite:///{tmp_path}/openlfr.db)"
    )
    lfr.env["LFR_DATABASE_URL"] = None

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for folder, why in ((a_file / "images", "Not a directory"), (Path("/proc/1/images"), "")):
        refusal = lfr.refused("alert", "images", "1", str(folder))
        assert refusal.startswith(f"{folder}: cannot make it ({why}"), refusal


def test_text_where_sealed_bytes_go_is_refused_in_one_line(lfr: Lfr) -> None:
    """Someone with the database file stores text in a column of sealed bytes (SQLite keeps
    what it is given): whatever opens it refuses, in one line, and nothing is compiled."""
    add_users(lfr)
    lfr.json(
        "watchlist", "add", str(EXAMPLES / "subject.toml"),
        "--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image", user="wendy",
    )  # fmt: skip
    ident = str(
        lfr.json("deployment", "create", str(EXAMPLES / "deployment.toml"), user="pat")["id"]
    )
    lfr.json("deployment", "authorise", ident, user="ali")
    with sqlite3.connect(lfr.data / "openlfr.db") as database:
        database.execute("UPDATE reference_images SET image = 'not sealed at all'")
    refusal = lfr.refused("deployment", "compile", ident, user="pat")
    assert "changed outside openlfr" in refusal, refusal
    assert lfr.json("deployment", "show", ident, user="pat")["watchlist_size"] in (0, None)
