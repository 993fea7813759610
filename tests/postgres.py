"""A throwaway PostgreSQL server for the test run, and fresh databases on it.

`postgres_server()` finds the server binaries (`initdb`, `pg_ctl`: on PATH, else the newest
`/usr/lib/postgresql/*/bin`, where Debian's `postgresql` package puts them; `make postgres`
installs that package when neither has them), initialises a cluster in a new temporary
directory, starts it listening on 127.0.0.1 only, on a free port, with its unix socket inside
that directory and fsync off (the data is thrown away), creates a database and yields its
SQLAlchemy URL. On exit it stops the server (`pg_ctl stop -m immediate`) and removes the
directory.

PostgreSQL refuses to run as root. Run as root (as CI is), the server runs as the unprivileged
`postgres` user that Debian's package creates, or, without that package, as a system user
`openlfr-pg` created for it; that user owns the temporary directory. Run as anyone else, it
runs as that user.

The superuser's password is random and TCP connections must give it, so other users of the
machine cannot reach the test databases while the server runs.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from sqlalchemy.engine import URL, make_url

SUPERUSER = "openlfr"
DATABASE = "openlfr_test"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
# The system user the server runs as when the tests run as root.
SERVER_USERS = ("postgres", "openlfr-pg")
START_TIMEOUT_S = 60
START_ATTEMPTS = 3  # a new free port each time another process takes the one chosen
LOG_TAIL_LINES = 25

# Safe and fast for a cluster that is thrown away; a caller's settings come on top.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresError(RuntimeError):
    """The throwaway server could not be set up; the message says why, with the log's tail."""


@dataclass(frozen=True)
class Binaries:
    """The server programs used: `initdb` and `pg_ctl` (which finds `postgres` beside it)."""

    initdb: Path
    pg_ctl: Path


@dataclass(frozen=True)
class RunAs:
    """The unprivileged user the server's programs run as when the tests run as root."""

    uid: int
    gid: int
    name: str


def _version_key(directory: Path) -> tuple[int, ...]:
    """`/usr/lib/postgresql/15/bin` -> (15,), `.../9.6/bin` -> (9, 6); unparsable is oldest."""
    return tuple(int(part) for part in re.findall(r"\d+", directory.parent.name)) or (-1,)


def find_binaries(path: str | None = None, roots: Sequence[Path] = (DEBIAN_ROOT,)) -> Binaries:
    """`initdb` and `pg_ctl` from `path` (default $PATH), else the newest `<root>/*/bin`.

    Raises PostgresError, naming what to install, when neither has both programs.
    """
    initdb, pg_ctl = shutil.which("initdb", path=path), shutil.which("pg_ctl", path=path)
    if initdb and pg_ctl:
        return Binaries(Path(initdb), Path(pg_ctl))
    candidates = [d for root in roots for d in root.glob("*/bin")]
    for directory in sorted(candidates, key=_version_key, reverse=True):
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return Binaries(directory / "initdb", directory / "pg_ctl")
    searched = ", ".join(str(root / "*" / "bin") for root in roots)
    raise PostgresError(
        f"PostgreSQL server programs (initdb, pg_ctl) not found on PATH nor in {searched}: "
        "install PostgreSQL (`make postgres` does: apt-get install postgresql)"
    )


def _server_user() -> RunAs | None:
    """None when not root; as root, the unprivileged system user to run the server as."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return RunAs(entry.pw_uid, entry.pw_gid, name)
    name = SERVER_USERS[-1]
    create = ["useradd", "--system", "--user-group", "--no-create-home"]
    create += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
    done = subprocess.run(create, capture_output=True, text=True, check=False)
    try:  # another test run may have created it meanwhile: its existence is what counts
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PostgresError(
            f"running as root, PostgreSQL needs an unprivileged user and `{' '.join(create)}` "
            f"failed: {(done.stderr or done.stdout).strip()}"
        ) from None
    return RunAs(entry.pw_uid, entry.pw_gid, name)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(log: Path, start: int = 0) -> str:
    try:
        with log.open("rb") as file:
            file.seek(start)
            lines = file.read().decode(errors="replace").splitlines()
    except OSError:
        return "(no server log)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(server log empty)"


def _run(command: list[str], run_as: RunAs | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a server program, as `run_as` when given, with no PG* variables to redirect it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    if run_as is None:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    env.update(HOME=str(cwd), USER=run_as.name, LOGNAME=run_as.name)
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        user=run_as.uid,
        group=run_as.gid,
        extra_groups=[],
    )


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return (done.stdout + done.stderr).strip()


def server_url(host: str, port: int, password: str, database: str) -> str:
    """The SQLAlchemy URL (psycopg 3 driver) of `database` as the superuser."""
    url = URL.create(
        "postgresql+psycopg",
        username=SUPERUSER,
        password=password,
        host=host,
        port=port,
        database=database,
    )
    return url.render_as_string(hide_password=False)


def connect(url: str | URL) -> psycopg.Connection[TupleRow]:
    """An autocommit psycopg connection to the database of a SQLAlchemy URL."""
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,
    )


@contextmanager
def postgres_server(settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """Start a throwaway server and yield the SQLAlchemy URL of its database `openlfr_test`.

    `settings` (name -> postgresql.conf value, quoted as the file wants) add to or override
    the defaults. Raises PostgresError, with the server log's tail, when it cannot start.
    """
    binaries = find_binaries()
    run_as = _server_user()
    directory = Path(tempfile.mkdtemp(prefix="openlfr-pg-"))
    data, log = directory / "data", directory / "server.log"
    password = secrets.token_urlsafe(24)
    try:
        (directory / "password").write_text(password + "\n")
        if run_as is not None:
            for item in (directory, directory / "password"):
                os.chown(item, run_as.uid, run_as.gid)
        init = [str(binaries.initdb), "--pgdata", str(data), "--username", SUPERUSER]
        init += ["--pwfile", str(directory / "password"), "--auth", "scram-sha-256"]
        init += ["--encoding", "UTF8", "--no-locale", "--no-sync"]
        done = _run(init, run_as, directory)
        (directory / "password").unlink()
        if done.returncode != 0:
            raise PostgresError(f"initdb failed ({binaries.initdb}):\n{_output(done)}")
        conf = {**SETTINGS, "unix_socket_directories": f"'{directory}'", **(settings or {})}
        with (data / "postgresql.conf").open("a") as file:
            file.write("\n# openlfr test server\n")
            file.writelines(f"{name} = {value}\n" for name, value in conf.items())

        for attempt in range(1, START_ATTEMPTS + 1):
            port = _free_port()
            offset = log.stat().st_size if log.exists() else 0
            start = [str(binaries.pg_ctl), "start", "--pgdata", str(data), "--log", str(log)]
            start += ["--wait", "--timeout", str(START_TIMEOUT_S), "--options", f"-p {port}"]
            done = _run(start, run_as, directory)
            if done.returncode == 0:
                break
            tail = _tail(log, offset)
            if "already in use" in tail and attempt < START_ATTEMPTS:
                continue
            raise PostgresError(
                f"PostgreSQL did not start ({binaries.pg_ctl}, port {port}): {_output(done)}\n"
                f"server log ({log}), last lines:\n{tail}"
            )

        admin = server_url("127.0.0.1", port, password, "postgres")
        with connect(admin) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        yield server_url("127.0.0.1", port, password, DATABASE)
    finally:
        if (data / "postmaster.pid").exists():  # started, or still starting when pg_ctl gave up
            stop = [str(binaries.pg_ctl), "stop", "--pgdata", str(data), "--mode", "immediate"]
            _run([*stop, "--wait"], run_as, directory)
        shutil.rmtree(directory, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """Create database `name` on the server of `url`; returns the new database's URL."""
    with connect(url) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    """Drop database `name` on the server of `url`, ending any connection still open to it
    (`WITH (FORCE)`: PostgreSQL 13 or later)."""
    with connect(url) as connection:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        connection.execute(drop.format(sql.Identifier(name)))


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of `url`, dropped on exit; yields its URL."""
    name = f"test_{secrets.token_hex(6)}"
    created = create_database(url, name)
    try:
        yield created
    finally:
        drop_database(url, name)


def shut_out(url: str) -> None:
    """Close the database of ``url`` to new connections and end those open, as a server
    restarting or failing over does for a while; ``let_in`` opens it again."""
    _allow_connections(url, False)
    with connect(make_url(url).set(database="postgres")) as connection:
        ending = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
        connection.execute(ending, (make_url(url).database,))


def let_in(url: str) -> None:
    """Open the database of ``url`` to connections again."""
    _allow_connections(url, True)


def _allow_connections(url: str, allowed: bool) -> None:
    name = sql.Identifier(str(make_url(url).database))
    with connect(make_url(url).set(database="postgres")) as connection:
        setting = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
        connection.execute(setting.format(name, sql.Literal(allowed)))
