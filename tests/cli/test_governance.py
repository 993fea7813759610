"""The governance lifecycle through the lfr app (in this process, and as a real process for what
``main`` prints), against a real SQLite file.

Each test has its own data folder (LFR_DATA_DIR) that borrows the installed models.
The services' clock is real time, so each application's window is set around now.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from openlfr.cli import app
from openlfr.config import Settings
from openlfr.services import alerts, cameras, deployments, users
from openlfr.services.unit_of_work import Store
from tests.conftest import REPO, shared

EXAMPLES = REPO / "docs" / "examples"
# Settings a developer may have set that would point a test away from its own data folder.
UNSET = {"LFR_DATABASE_URL", "LFR_MASTER_KEY", "LFR_MASTER_KEY_FILE"}
PASSWORD = "a long enough test password"


class Lfr:
    """``lfr`` against one data folder: in this process (quick), or as a real process.

    ``user=NAME`` runs it as NAME's OS account would, with NAME's session file (which
    ``login`` writes); without, as an account where no one is logged in.
    """

    def __init__(self, data: Path) -> None:
        self.data = data
        self.env: dict[str, str | None] = {k: None for k in UNSET}
        self.env |= {
            "LFR_DATA_DIR": str(data),
            "LFR_CONFIG": str(self.config),
            "LFR_MASTER_KEY_FILE": str(self.key_file),
        }

    @property
    def config(self) -> Path:
        """The settings file (absent unless a test writes it)."""
        return self.data / "config.toml"

    @property
    def key_file(self) -> Path:
        return self.data.parent / f"{self.data.name}.master.key"

    def session(self, user: str | None) -> Path:
        return self.data / "sessions" / f"{user or 'no one'}.json"

    def _env(self, user: str | None) -> dict[str, str | None]:
        return self.env | {"LFR_SESSION_FILE": str(self.session(user))}

    def __call__(self, *args: str, user: str | None = None, input: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), env=self._env(user), input=input)

    def process_env(self, user: str | None) -> dict[str, str]:
        """The environment of ``lfr`` run as a real process (a wide terminal)."""
        given = self._env(user)
        env = {k: v for k, v in os.environ.items() if k not in given}
        return env | {k: v for k, v in given.items() if v is not None} | {"COLUMNS": "200"}

    def login(self, name: str, one_time_password: str | None = None) -> None:
        """Log ``name`` in: with their one-time password (and then choose ``PASSWORD``)."""
        typed = f"{one_time_password}\n{PASSWORD}\n" if one_time_password else f"{PASSWORD}\n"
        done = self("login", name, user=name, input=typed)
        assert done.exit_code == 0, done.exception or done.stderr

    def json(self, *args: str, user: str | None = None) -> Any:
        done = self(*args, "--json", user=user)
        assert done.exit_code == 0, done.exception or done.stderr
        return json.loads(done.stdout)

    def run(
        self, *args: str, user: str | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``lfr`` as a real process, errors printed by its ``main`` (a wide terminal)."""
        return subprocess.run(
            [sys.executable, "-m", "openlfr.cli", *args],
            capture_output=True,
            text=True,
            env=self.process_env(user),
            input=input,
        )

    def refused(self, *args: str, user: str | None = None, input: str | None = None) -> str:
        """The one line ``lfr`` prints when it refuses, without ``error: ``."""
        done = self.run(*args, user=user, input=input)
        assert done.returncode == 1, done.stdout
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("error: "), line
        return line.removeprefix("error: ")

    def store(self) -> Store:
        """The same store, opened (made if new) in this process, for what no command does yet."""
        return Store(
            Settings(
                data_dir=self.data,
                database_url=None,
                master_key=None,
                master_key_file=self.key_file,
            ),
            create=True,
        )


@pytest.fixture
def lfr(tmp_path: Path) -> Lfr:
    (tmp_path / "models").symlink_to(Settings().models_dir)
    return Lfr(tmp_path)


def application(folder: Path, starts: datetime, ends: datetime) -> Path:
    """The example application with its window moved to ``starts``-``ends``."""
    text = (EXAMPLES / "deployment.toml").read_text()
    text = re.sub(r"(?m)^starts_at = .*$", f"starts_at = {starts.isoformat()}", text)
    text = re.sub(r"(?m)^ends_at = .*$", f"ends_at = {ends.isoformat()}", text)
    path = folder / "application.toml"
    path.write_text(text)
    return path


def subject(folder: Path, name: str, category: str) -> Path:
    """The example subject renamed, in ``category``, due for review in half a year."""
    text = (EXAMPLES / "subject.toml").read_text()
    review = date.today() + timedelta(days=180)
    for field, value in (("name", f'"{name}"'), ("category", f'"{category}"')):
        text = re.sub(rf"(?m)^{field} = .*$", f"{field} = {value}", text)
    text = re.sub(r"(?m)^review_by = .*$", f"review_by = {review.isoformat()}", text)
    path = folder / f"{name.replace(' ', '_')}.toml"
    path.write_text(text)
    return path


def lfw_image(person: str) -> str:
    return str(shared("lfw", "images", person, f"{person}_0001.jpg"))


ROLES = {
    "pat": ["planner"],
    "ali": ["authorising_officer"],
    "wendy": ["watchlist_manager"],
    "omar": ["operator", "auditor"],
}


# The example application's cameras: a recorded clip, and a stream whose URL holds a password.
CAMERAS = {
    "van-07-north": str(shared("video", "hamilton", "short_hamilton_clip.mp4")),
    "van-07-south": "rtsp://viewer:s3cret-pass@10.0.0.7:554/stream1?token=abc",
}


def add_users(lfr: Lfr) -> None:
    """The store made with ada its first admin, then the users of ``ROLES``, each logged in."""
    lfr.login("ada", lfr.json("init", "ada")["one_time_password"])
    for camera, source in CAMERAS.items():
        assert lfr("camera", "add", camera, source, user="ada").exit_code == 0
    for name, roles in ROLES.items():
        flags = [arg for role in roles for arg in ("--role", role)]
        added = lfr.json("user", "add", name, *flags, user="ada")
        assert added["roles"] == roles
        lfr.login(name, added["one_time_password"])


def test_a_deployment_from_request_to_close(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    assert [u["name"] for u in lfr.json("user", "list")] == ["ada", "ali", "omar", "pat", "wendy"]

    wanted = lfr.json(
        "watchlist", "add", str(subject(tmp_path, "Daniel Marsh", "wanted_by_court")),
        "--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image", user="wendy",
    )  # fmt: skip
    missing = lfr.json(
        "watchlist", "add", str(subject(tmp_path, "Erin Hale", "missing_person")),
        "--image", lfw_image("Aaron_Peirsol"), "--source", "missing_person_report", user="wendy",
    )  # fmt: skip
    listed = lfr.json("watchlist", "list", user="wendy")
    assert [(s["name"], s["reference_images"]) for s in listed] == [
        ("Daniel Marsh", 1),
        ("Erin Hale", 1),
    ]
    # Every data key is re-wrapped (the register's, the cameras', the audit chain's and the
    # row MACs'); what follows must still open them.
    assert lfr.json("keys", "rotate", user="ada") == {"data_keys": 4}

    now = datetime.now(UTC)
    app = application(tmp_path, now - timedelta(hours=1), now + timedelta(hours=2))
    d = lfr.json("deployment", "create", str(app), user="pat")
    ident = str(d["id"])
    assert d["state"] == "draft" and d["requested_by"] == "pat" and d["threshold"] == 0.6
    assert d["starts_at"] == (now - timedelta(hours=1)).isoformat()

    refusal = lfr.refused("deployment", "authorise", ident, user="pat")
    assert refusal == (
        "user pat (planner) may not authorise a deployment: that needs the role authorising_officer"
    )
    assert lfr.json("deployment", "authorise", ident, user="ali")["state"] == "authorised"

    compiled = lfr.json("deployment", "compile", ident, user="pat")
    assert compiled["watchlist_size"] == 1
    assert compiled["left_out"] == [
        f"subject {missing['id']} (Erin Hale): category missing_person is not among the "
        "authorised criteria"
    ]
    done = lfr("deployment", "compile", ident, user="pat")
    assert "left out (1):" in done.stdout and "Erin Hale" in done.stdout
    assert lfr.json("deployment", "approve", ident, user="ali")["watchlist_approved_by"] == "ali"

    refusal = lfr.refused("deployment", "start", ident, user="omar")
    assert refusal.endswith("confirm that the public notice signs are up before going live")
    live = lfr.json("deployment", "start", ident, "--signs-up", user="omar")
    assert live["state"] == "live" and live["signs_confirmed_by"] == "omar"

    # An operator runs a camera: the stage clip, where no one on this watchlist appears.
    assert lfr.refused("deployment", "run", ident, "--camera", "van-07-north", user="pat") == (
        "user pat (planner) may not start a deployment: that needs the role "
        "authorising_officer or operator"
    )
    assert lfr.refused("deployment", "run", ident, "--camera", "van-99", user="omar").endswith(
        "has no camera van-99: its cameras are van-07-north, van-07-south"
    )
    ran = lfr.run("deployment", "run", ident, "--camera", "van-07-north", "--fast", user="omar")
    assert ran.returncode == 0, ran.stderr
    summary = re.search(r"van-07-north: ended; (\d+) frames analysed \((\d+) dropped\), "
                        r"(\d+) faces", ran.stdout)  # fmt: skip
    assert summary is not None, ran.stdout
    analysed, dropped, faces = map(int, summary.groups())
    assert (analysed, dropped) == (275, 0) and faces > 0  # --fast: every frame, none dropped
    assert "0 alert(s)" in ran.stdout
    # In real time, SIGTERM stops it cleanly: the run's end and counts are recorded.
    running = subprocess.Popen(
        [sys.executable, "-m", "openlfr.cli", "deployment", "run", ident, "--camera",
         "van-07-north"], env=lfr.process_env("omar"), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(8)
    # While it runs, anyone may see how its camera is doing: numbers, never a face.
    [camera] = lfr.json("camera", "status", user="ada")
    assert (camera["deployment_id"], camera["camera"], camera["restarts"]) == (int(ident),
            "van-07-north", 0)  # fmt: skip
    assert camera["state"] in ("starting", "connected") and camera["worker"] != running.pid
    running.send_signal(signal.SIGTERM)
    stdout, _ = running.communicate(timeout=60)
    assert running.returncode == 0 and "van-07-north: stopped; " in stdout
    assert lfr.run("camera", "status", user="ada").stdout.strip() == "no deployment is running"
    counted = lfr.json("deployment", "counts", ident, user="ada")
    assert sum(c["frames"] for c in counted["hours"]) > analysed
    assert counted["latency"] == {"alerts": 0, "p50": None, "p95": None}  # no one to alert on
    # As a service, an operator's watch runs every live deployment's cameras until SIGTERM: the
    # file camera plays to its end; the RTSP one (nothing there) is retried until the stop.
    service = subprocess.Popen(
        [sys.executable, "-m", "openlfr.cli", "deployment", "watch", "--fast"],
        env=lfr.process_env("omar") | {"PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert service.stdout is not None
    lines, deadline = [], time.monotonic() + 120
    for line in service.stdout:
        lines.append(line)
        if line.startswith("van-07-north: ended") or time.monotonic() > deadline:
            break
    service.send_signal(signal.SIGTERM)
    rest, _ = service.communicate(timeout=60)
    stdout = "".join(lines) + rest
    assert service.returncode == 0, stdout
    assert f"deployment {ident}: watching van-07-north, van-07-south" in stdout
    assert "van-07-north: ended, " in stdout and "van-07-south: reconnecting, " in stdout
    assert f"deployment {ident}: its cameras are no longer watched" in stdout

    # The service raises an alert directly too, as the pipeline does.
    store = lfr.store()
    try:
        [entry] = alerts.load_watchlist(store, int(ident)).entries
        raised = alerts.raise_alert(store, int(ident), entry, "van-07-north", b"crop", 0.81)
    finally:
        store.close()

    [alert] = lfr.json("alert", "list", "--deployment", ident, user="omar")
    assert alert["id"] == raised.id and alert["subject_id"] == wanted["id"]
    assert alert["adjudication"] == "unadjudicated" and alert["camera"] == "van-07-north"
    assert alert["raised_at"].endswith("+00:00")
    table = lfr.run("alert", "list", user="omar").stdout
    assert "unadjudicated" in table and "Daniel Marsh" in table
    judged = lfr.json(
        "alert", "adjudicate", str(raised.id), "confirmed_true", "--outcome", "arrested",
        user="omar",
    )  # fmt: skip
    assert judged["adjudication"] == "confirmed_true" and judged["outcome"] == "arrested"
    assert (judged["adjudicated_by"], judged["version"]) == ("omar", 2)
    # A second verdict is refused (finding 10): a change is an amendment, on the version seen.
    assert lfr.refused("alert", "adjudicate", str(raised.id), "confirmed_false", user="omar") == (
        f"alert {raised.id} was already adjudicated confirmed_true, arrested by omar: nothing "
        "recorded; if that verdict is wrong, amend it with a reason (lfr alert amend)"
    )
    change = ("alert", "amend", str(raised.id), "confirmed_true", "--outcome", "not_engaged",
              "--reason", "he walked off before the arrest")  # fmt: skip
    assert "has changed since it was seen (version 1, now 2" in lfr.refused(
        *change, "--seen-version", "1", user="omar"
    )
    amended = lfr.json(*change, "--seen-version", "2", user="omar")
    assert (amended["outcome"], amended["version"]) == ("not_engaged", 3)
    written = lfr.run("alert", "images", str(raised.id), str(tmp_path / "seen"), user="omar")
    probe_file, reference_file = written.stdout.split()
    assert Path(probe_file).read_bytes() == b"crop" and probe_file.endswith(".bin")
    assert reference_file.endswith("-reference.jpg")
    assert {Path(f).stat().st_mode & 0o777 for f in (probe_file, reference_file)} == {0o600}
    reads = len(lfr.run("audit", "export", "--json", user="omar").stdout.splitlines())
    # A second copy would overwrite the first; a planted link would write through to its target;
    # a file given as the folder cannot take them: each refused before the audited read.
    assert lfr.refused("alert", "images", str(raised.id), str(tmp_path / "seen"), user="omar") == (
        f"{probe_file} already exists: move it or give an empty folder"
    )
    trap = tmp_path / "trap"
    trap.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (trap / f"alert-{raised.id}-probe.bin").symlink_to(victim)
    assert "already exists" in lfr.refused(
        "alert", "images", str(raised.id), str(trap), user="omar"
    )
    assert victim.read_text() == "precious"
    assert lfr.refused("alert", "images", str(raised.id), str(victim), user="omar") == (
        f"{victim}: not a folder (or a link to one): give a folder to write into"
    )
    after = lfr.run("audit", "export", "--json", user="omar").stdout.splitlines()
    assert len(after) == reads + 1  # the first export: no read of the images was audited

    closed = lfr.json("deployment", "close", ident, user="omar")
    assert closed["state"] == "closed" and closed["close_requested_by"] == "omar"
    assert lfr.json("deployment", "show", ident, user="pat")["closed_at"] == closed["closed_at"]
    assert [d["id"] for d in lfr.json("deployment", "list", "--state", "closed", user="pat")] == [
        d["id"]
    ]

    verified = lfr("audit", "verify", user="omar")
    assert verified.exit_code == 0, verified.exception
    assert re.fullmatch(r"\d+ entries checked: intact; head [0-9a-f]{64}\n", verified.stdout)
    exported = lfr("audit", "export", "--json", user="ada")
    entries = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    actions = [(e["actor"], e["action"], e["outcome"]) for e in entries]
    for step in [
        ("pat", "deployment.authorise", "refused"),
        ("ali", "deployment.authorise", "done"),
        ("omar", "deployment.start", "refused"),
        ("system", "alert.raise", "done"),
        ("omar", "alert.adjudicate", "done"),
        ("system", "deployment.close", "done"),
        ("omar", "audit.verify", "done"),
    ]:
        assert step in actions


def test_only_lfr_init_makes_a_store_and_its_first_admin(lfr: Lfr) -> None:
    """No other command makes a store (a mistyped database URL, a lost key file), and no one
    becomes an admin by running lfr first on an empty database."""
    assert lfr.refused("user", "add", "ada", "--role", "admin").startswith(
        "there is no openlfr store in "
    )
    assert not (lfr.data / "openlfr.db").exists() or lfr.refused("whoami").startswith(
        "there is no openlfr store"
    )
    done = lfr("init", "ada")
    said = re.fullmatch(
        r"store made in \S+; admin ada added, one-time password: (\S+) \(lfr login ada "
        r"replaces it within 72 hours\)\n",
        done.stdout,
    )
    assert said is not None, done.stdout
    assert lfr.refused("init", "eve").startswith("this store has its users already")
    lfr.login("ada", said[1])
    assert lfr.json("whoami", user="ada") == {"user": "ada"}


def test_the_stores_owner_recovers_an_admin_who_cannot_log_in(lfr: Lfr) -> None:
    """ada's one-time password lapsed (or her password is lost), and she is the only admin."""
    lfr("init", "ada")
    assert lfr.refused("recover", "pat").startswith("pat is not an admin of this store")
    recovered = lfr.json("recover", "ada")
    lfr.login("ada", recovered["one_time_password"])
    assert lfr.json("whoami", user="ada") == {"user": "ada"}
    exported = lfr("audit", "export", "--json", user="ada").stdout.splitlines()
    [entry] = [e for e in map(json.loads, exported)
               if e["action"] == "user.recover" and e["outcome"] == "done"]  # fmt: skip
    assert entry["actor"].startswith("(store owner ")


def test_who_acts_is_proven_by_a_login_not_named(lfr: Lfr) -> None:
    one_time = lfr.json("init", "ada")["one_time_password"]
    assert lfr.refused("user", "add", "pat", "--role", "planner") == (
        "not logged in: run lfr login NAME"
    )
    for command in (["deployment", "authorise", "1"], ["audit", "verify"], ["whoami"]):
        assert lfr.refused(*command) == "not logged in: run lfr login NAME"
    # The attack: naming someone else is no longer a way in.
    assert lfr.run("--user", "ada", "user", "add", "eve", "--role", "admin").returncode == 2
    lfr.env["LFR_USER"] = "ada"
    assert lfr.refused("user", "add", "eve", "--role", "admin").startswith("not logged in")
    lfr.env["LFR_USER"] = None
    lfr.login("ada", one_time)
    assert lfr.json("whoami", user="ada") == {"user": "ada"}
    session = lfr.session("ada")
    assert oct(session.stat().st_mode & 0o777) == "0o600"
    assert oct(session.parent.stat().st_mode & 0o777) == "0o700"
    # Only digests are kept: a copy of the database holds no password or token that works.
    database = (lfr.data / "openlfr.db").read_bytes()
    token = json.loads(session.read_text())["token"]
    assert token.encode() not in database and PASSWORD.encode() not in database
    assert one_time.encode() not in database
    # A session file others could read is refused; so is one whose token was edited.
    session.chmod(0o644)
    assert lfr.refused("whoami", user="ada").startswith(f"the session file {session} is not")
    session.chmod(0o600)
    session.write_text(json.dumps({"token": token[:-1] + "x"}))
    assert lfr.refused("whoami", user="ada").startswith("this session has ended")
    # A copy of the session taken before logging out no longer works after.
    session.write_text(json.dumps({"token": token}))
    kept = session.read_bytes()
    assert lfr("logout", user="ada").stdout == "logged out\n"
    assert not session.exists()
    session.write_bytes(kept)
    session.chmod(0o600)
    assert lfr.refused("whoami", user="ada").startswith("this session has ended")


def test_a_wrong_password_makes_a_name_wait_and_an_admin_resets_it(lfr: Lfr) -> None:
    add_users(lfr)
    for pause in (1, 0):  # the wait after the first wrong password, then none
        refused = lfr("login", "pat", user="pat", input="not pat's password\n")
        assert refused.exit_code == 1 and str(refused.exception) == "wrong user name or password"
        time.sleep(pause)
    # The next try, the right password too, waits 2 s: the rule the API's logins follow.
    refused = lfr("login", "pat", user="pat", input=f"{PASSWORD}\n")
    assert str(refused.exception).startswith("2 wrong passwords for pat in a row: try again in")
    time.sleep(2)
    lfr.login("pat")
    # Unknown names get the same answer as wrong passwords.
    assert lfr.refused("login", "nobody", input="whatever it is\n") == (
        "wrong user name or password"
    )
    reset = lfr.json("user", "reset", "pat", user="ada")
    assert lfr.refused("user", "reset", "ada", user="wendy").startswith(
        "user wendy (watchlist_manager) may not manage users"
    )
    # pat's session ended with the reset; the one-time password opens a new one.
    assert lfr.refused("whoami", user="pat").startswith("this session has ended")
    lfr.login("pat", reset["one_time_password"])
    assert lfr.json("whoami", user="pat") == {"user": "pat"}
    # pat changes their password; the old one stops working.
    changed = lfr("user", "passwd", user="pat", input=f"{PASSWORD}\nanother long password\n")
    assert changed.stdout == "password changed\n", changed.exception
    assert lfr.refused("login", "pat", user="pat", input=f"{PASSWORD}\n") == (
        "wrong user name or password"
    )
    exported = lfr("audit", "export", "--json", user="omar").stdout.splitlines()
    actions = [(e["actor"], e["action"], e["outcome"]) for e in map(json.loads, exported)]
    # 3 wrong passwords, 2 one-time passwords that asked for a new one; 1 try too soon.
    assert actions.count(("pat", "user.login", "refused")) == 5
    assert actions.count(("pat", "user.login_early", "refused")) == 1
    assert ("ada", "user.reset", "done") in actions and ("pat", "user.passwd", "done") in actions


def test_a_corrupt_subject_file_is_one_line_and_enrols_no_one(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    image = ["--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image"]
    corrupt = tmp_path / "corrupt.toml"
    corrupt.write_text('name = "Daniel Marsh\ndate_of_birth = 1991-04-17\n')
    refusal = lfr.refused("watchlist", "add", str(corrupt), *image, user="wendy")
    assert refusal.startswith(f"cannot read the subject file {corrupt}: ")
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"name": "Daniel Marsh", "date_of_birth": "1991-04-17"}))
    refusal = lfr.refused("watchlist", "add", str(partial), *image, user="wendy")
    assert refusal.startswith("the subject record is not valid: sex: Field required")
    unpaired = lfr.refused(
        "watchlist", "add", str(EXAMPLES / "subject.toml"), *image, "--image", image[1],
        user="wendy",
    )  # fmt: skip
    assert unpaired == "2 --image but 1 --source: give one source per image"
    assert lfr.json("watchlist", "list", user="wendy") == []


def test_review_extends_a_subject_and_remove_deletes_them(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    s = lfr.json(
        "watchlist", "add", str(subject(tmp_path, "Daniel Marsh", "wanted_by_court")),
        "--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image", user="wendy",
    )  # fmt: skip
    assert lfr.json("watchlist", "review", user="wendy") == []  # no one is due
    # A review keeps a subject at most a year more, as enrolment does.
    too_far = (date.today() + timedelta(days=400)).isoformat()
    refused = lfr.refused("watchlist", "review", str(s["id"]), "--until", too_far, user="wendy")
    assert refused.endswith("is more than 366 days away: a subject is reviewed at least yearly")
    until = (date.today() + timedelta(days=300)).isoformat()
    reviewed = lfr.json("watchlist", "review", str(s["id"]), "--until", until, user="wendy")
    assert reviewed["review_by"] == until
    assert lfr.refused("watchlist", "remove", str(s["id"]), user="pat").startswith("user pat")
    assert lfr.json("watchlist", "remove", str(s["id"]), user="wendy") == {"removed": s["id"]}
    assert lfr.json("watchlist", "list", user="wendy") == []


def test_an_application_in_json_its_threshold_and_cancelling(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    example = tomllib.loads((EXAMPLES / "deployment.toml").read_text())
    path = tmp_path / "application.json"
    path.write_text(json.dumps(example, default=datetime.isoformat))
    d = lfr.json("deployment", "create", str(path), user="pat")
    assert d["starts_at"] == "2027-03-13T11:00:00+00:00" and d["cameras"] == example["cameras"]
    ident = str(d["id"])
    assert lfr.json("deployment", "threshold", ident, "0.65", user="ali")["threshold"] == 0.65
    assert lfr.refused("deployment", "threshold", ident, "1.5", user="ali") == (
        "match threshold 1.5 must lie between 0.2 and 0.95 (cosine similarity)"
    )
    assert lfr.json("deployment", "cancel", ident, user="pat")["state"] == "cancelled"
    assert lfr.json("deployment", "list", "--state", "draft", user="pat") == []


def test_a_deployment_closes_by_itself_when_its_window_ends(lfr: Lfr, tmp_path: Path) -> None:
    store = lfr.store()
    try:
        users.add_first_admin(store, "ada")
        pat = users.add_user(store, "ada", "pat", ["planner"]).one_time_password
        users.add_user(store, "ada", "ali", ["authorising_officer"])
        for camera, source in CAMERAS.items():
            cameras.add_camera(store, "ada", camera, source)
        example = tomllib.loads((EXAMPLES / "deployment.toml").read_text())
        now = datetime.now(UTC)
        ends = now + timedelta(seconds=3)
        d = deployments.request(store, "pat", example | {"starts_at": now, "ends_at": ends})
        deployments.authorise(store, "ali", d.id or 0)
    finally:
        store.close()
    lfr.login("pat", pat)
    time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()))
    assert lfr.refused("housekeeping") == "not logged in: run lfr login NAME"
    assert lfr.json("housekeeping", user="pat") == {"closed": [d.id], "purged": [], "flagged": [],
                                                    "shredded": False}  # fmt: skip
    shown = lfr.json("deployment", "show", str(d.id), user="pat")
    assert shown["state"] == "closed" and shown["close_requested_by"] == "system: window ended"
    assert lfr("housekeeping", user="pat").stdout.strip() == "housekeeping: nothing was due"


def test_audit_verify_names_the_first_broken_entry(lfr: Lfr) -> None:
    add_users(lfr)
    db = sqlite3.connect(lfr.data / "openlfr.db")  # tampering, past the triggers
    with db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    db.close()
    done = lfr.run("audit", "verify", user="ada")
    assert done.returncode == 1
    assert done.stdout.startswith(
        "2 entries checked: broken at entry 3: its content does not match its hash"
    )
    verdict = lfr("audit", "verify", "--json", user="ada")
    assert verdict.exit_code == 1
    assert json.loads(verdict.stdout)["broken_at"] == 3


def test_audit_verify_lists_rows_edited_outside_openlfr(lfr: Lfr) -> None:
    add_users(lfr)
    assert lfr.run("audit", "verify", user="omar").returncode == 0
    db = sqlite3.connect(lfr.data / "openlfr.db")  # pat makes themself an admin
    with db:
        db.execute("""UPDATE users SET roles = '["admin"]' WHERE name = 'pat'""")
    db.close()
    done = lfr.run("audit", "verify", user="omar")
    assert done.returncode == 1
    assert "  users 2: changed outside openlfr (its MAC does not match)" in done.stdout.splitlines()
    assert lfr.refused("user", "add", "eve", "--role", "admin", user="pat").startswith(
        "users row 2 was changed outside openlfr"
    )


def test_a_log_cut_short_after_its_head_was_published(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    published = tmp_path / "head.json"
    published.write_text(lfr("audit", "head", "--json", user="ada").stdout)
    lfr("user", "add", "eve", "--role", "planner", user="ada")
    db = sqlite3.connect(lfr.data / "openlfr.db")  # an insider removes the last entries
    with db:
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute(
            "DELETE FROM audit_log WHERE seq >= ?", (json.loads(published.read_text())["seq"],)
        )
    db.close()
    done = lfr.run("audit", "verify", "--head", str(published), user="ada")
    assert done.returncode == 1
    assert "before the published head's" in done.stdout
    assert "audit_log_no_delete (gone)" in done.stdout
    forged = json.loads(published.read_text()) | {"seq": 1}
    published.write_text(json.dumps(forged))
    assert (
        "not signed by this installation"
        in lfr.run("audit", "verify", "--head", str(published), user="ada").stdout
    )
    published.write_text("not a head")
    assert lfr.refused("audit", "verify", "--head", str(published), user="ada").startswith(
        f"{published}: not a head file from `lfr audit head`"
    )


def from_now(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


def test_cameras_are_registered_by_an_admin_and_their_credentials_never_shown(
    lfr: Lfr, tmp_path: Path
) -> None:
    add_users(lfr)
    listed = lfr.json("camera", "list", user="pat")
    assert [(c["name"], c["kind"], c["source"]) for c in listed] == [
        ("van-07-north", "file", CAMERAS["van-07-north"]),
        ("van-07-south", "stream", "rtsp://***@10.0.0.7:554/stream1?***"),
    ]
    refused = lfr.refused("camera", "add", "van-09", "rtsp://x/y", user="pat")
    assert refused.startswith("user pat (planner) may not register or remove cameras")
    for source, why in (
        ("ftp://host/clip", "camera source scheme 'ftp'"),
        ("clip.mp4", "give a video file by its absolute path"),
        (str(tmp_path / "missing.mp4"), "no such video file"),
    ):
        assert why in lfr.refused("camera", "add", "van-09", source, user="ada")
    # A deployment naming an unregistered camera is not authorised.
    application_file = application(tmp_path, from_now(days=1), from_now(days=1, hours=4))
    text = application_file.read_text().replace('"van-07-south"', '"van-99"')
    application_file.write_text(text)
    d = lfr.json("deployment", "create", str(application_file), user="pat")
    assert lfr.refused("deployment", "authorise", str(d["id"]), user="ali").endswith(
        "names camera(s) not registered: van-99; an admin adds each (lfr camera add NAME SOURCE)"
    )
    # A camera an authorised deployment names stays until it closes or is cancelled.
    ok = lfr.json("deployment", "create", str(application(tmp_path, from_now(days=1),
                  from_now(days=1, hours=4))), user="pat")  # fmt: skip
    lfr.json("deployment", "authorise", str(ok["id"]), user="ali")
    assert lfr.refused("camera", "remove", "van-07-south", user="ada").startswith(
        f"camera van-07-south is named by deployment {ok['id']}"
    )
    lfr.json("deployment", "cancel", str(ok["id"]), user="pat")
    assert (
        lfr("camera", "remove", "van-07-south", user="ada").stdout
        == "camera van-07-south removed\n"
    )
    # The password and token appear nowhere: not in the database, the audit log or any output.
    files = [lfr.data / "openlfr.db", lfr.data / "openlfr.db-wal"]
    database = b"".join(f.read_bytes() for f in files if f.exists())
    exported = lfr("audit", "export", "--json", user="omar").stdout
    assert b"s3cret-pass" not in database and b"token=abc" not in database
    assert "s3cret-pass" not in exported and "token=abc" not in exported


def test_api_tokens_are_made_listed_and_revoked_by_their_user_alone(lfr: Lfr) -> None:
    add_users(lfr)
    created = lfr("token", "create", "--days", "7", "--json", user="pat", input=f"{PASSWORD}\n")
    made = json.loads(created.stdout)
    ident = str(made["id"])
    listed = lfr.json("token", "list", user="pat")
    assert made["secret"] and [t["id"] for t in listed] == [made["id"]]
    assert listed[0]["secret"] is None and lfr.json("token", "list", user="ali") == []
    assert lfr.refused("token", "revoke", ident, user="ali").startswith("ali has no API token")
    assert lfr("token", "revoke", ident, user="pat").stdout == f"API token {ident} revoked\n"
    assert lfr.json("token", "list", user="pat")[0]["revoked_at"]
    assert lfr.refused("token", "create", "--days", "400", user="pat").startswith(
        "an API token lasts 1 to 90 days"
    )
