"""What the governance commands share: who is logged in, the store, files in, JSON and times
out."""

from __future__ import annotations

import json
import os
import stat
import sys
import tomllib
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from openlfr.config import Settings
from openlfr.domain.text import CONTROLS, escaped
from openlfr.errors import LfrError
from openlfr.files import FileError, private_folder, read_limited
from openlfr.jsonable import jsonable
from openlfr.services import housekeeping, identity
from openlfr.services.unit_of_work import Store


def visible(text: str, lines: bool = False) -> str:
    """``text`` as a terminal may show it: each control character (an escape, a line break, a
    text-direction override: ``domain.text.CONTROLS``) written as its escape (``\\u001b``), so
    stored text is shown as what it is and never steers the terminal. ``lines``: a document
    whose line breaks are kept."""
    return CONTROLS.sub(lambda c: c[0] if lines and c[0] == "\n" else escaped(c[0]), text)


class Terminal(Console):
    """A console that prints names, reasons and notes as given: no markup, and each text through
    ``visible``."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **options)


class Rows(Table):
    """A table whose text cells go through ``visible``."""

    def add_row(self, *cells: Any, **options: Any) -> None:
        super().add_row(*(visible(c) if isinstance(c, str) else c for c in cells), **options)


# Piped to a file or another program, a table keeps its width rather than wrap at 80 columns.
PIPED_WIDTH = None if sys.stdout.isatty() else 1000
out = Terminal(soft_wrap=True, markup=False, highlight=False, width=PIPED_WIDTH)
err = Terminal(stderr=True, soft_wrap=True, markup=False, highlight=False)

RECORD_LIMIT = 1_000_000  # bytes: a subject or an application is pages of text, never more

JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable output (JSON, stdout)")]


# Stores opened by ``governance`` whose housekeeping waits for the caller to be proven.
_housekeeping_due: weakref.WeakSet[Store] = weakref.WeakSet()


def acting_user(store: Store) -> str:
    """The user this OS account is logged in as (``lfr login``), proven by its session token;
    then what is due is done (``governance``)."""
    token = saved_token(store.settings.session_file)
    if token is None:
        raise LfrError("not logged in: run lfr login NAME")
    return proven(store, identity.authenticate(store, token))


def proven(store: Store, name: str) -> str:
    """``name``, just proven (by a session token or a password): the first time, the
    housekeeping ``governance`` holds back until then is done. Returns ``name``."""
    if store in _housekeeping_due:
        _housekeeping_due.discard(store)
        report_housekeeping(housekeeping.run(store), err)
    return name


def saved_token(path: Path) -> str | None:
    """The session token ``lfr login`` saved at ``path``; None if there is none. A file that
    others may read or that another account owns is refused: its token could be anyone's."""
    try:
        held = path.stat()
    except FileNotFoundError:
        return None
    if held.st_uid != os.getuid() or held.st_mode & 0o077:
        raise LfrError(
            f"the session file {path} is not this account's alone (mode "
            f"{stat.filemode(held.st_mode)}): delete it and run lfr login again"
        )
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["token"])
    except (OSError, ValueError, KeyError, TypeError):
        raise LfrError(f"the session file {path} is damaged: run lfr login again") from None


def ask_secret(label: str, confirm: bool = False) -> str:
    """A password typed at the terminal without echo (twice if ``confirm``), or, from a script
    or a pipe, the next line of standard input."""
    if sys.stdin.isatty():
        return str(typer.prompt(label, hide_input=True, confirmation_prompt=confirm))
    return sys.stdin.readline().rstrip("\r\n")


def save_session(path: Path, login: identity.Login) -> None:
    """Keep ``login``'s token at ``path``, readable by this OS account only (written whole)."""
    private_folder(path.parent)
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    body = json.dumps({"user": login.user, "token": login.token, "ends": iso(login.expires_at)})
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(body)
    os.replace(staged, path)


def current_settings(ctx: typer.Context) -> Settings:
    """This run's settings, read once by ``lfr``'s callback (environment, TOML file, defaults)
    and handed down in the context, as the API will hand its own to each request."""
    found = ctx.find_root().obj
    if not isinstance(found, Settings):
        raise LfrError("openlfr's settings were not read: run the command through lfr")
    return found


@contextmanager
def governance(ctx: typer.Context, run_housekeeping: bool = True) -> Iterator[Store]:
    """The store, then closed. With ``run_housekeeping``, what is due (closes, purges, review
    flags) is done once the caller is proven (``acting_user``, ``proven``), never for a caller
    no one has proven."""
    store = Store(current_settings(ctx))
    if run_housekeeping:
        _housekeeping_due.add(store)
    try:
        yield store
    finally:
        _housekeeping_due.discard(store)
        store.close()


def report_housekeeping(done: housekeeping.Done, console: Console) -> None:
    for ident in done.closed:
        console.print(f"housekeeping: deployment {ident} closed")
    if done.purged:
        alerts = ", ".join(str(i) for i in done.purged)
        console.print(f"housekeeping: biometrics of alert(s) {alerts} purged")
    if done.flagged:
        subjects = ", ".join(str(i) for i in done.flagged)
        console.print(f"housekeeping: subject(s) {subjects} due for review")
    if done.shredded:
        console.print("housekeeping: the pending shredding of deleted keys is finished")


def read_record(path: Path, what: str) -> dict[str, Any]:
    """The table in a TOML or JSON file (by suffix; TOML datetimes with offsets are aware)."""
    try:
        data = read_limited(path, RECORD_LIMIT)
    except FileError as exc:
        raise LfrError(f"the {what} file {exc}") from None
    try:
        text = data.decode("utf-8")
        fields = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except ValueError as exc:  # UnicodeDecodeError too
        raise LfrError(f"cannot read the {what} file {path}: {exc}") from None
    if not isinstance(fields, dict):
        raise LfrError(f"the {what} file {path} must hold one table (JSON object) of fields")
    return fields


def table(*columns: str | Column, title: str | None = None) -> Table:
    """A table that hides nothing: long values wrap, ``fixed`` columns never do."""
    made = [Column(c, overflow="fold") if isinstance(c, str) else c for c in columns]
    return Rows(*made, title=title, title_justify="left")


def fixed(header: str) -> Column:
    """A table column that is never wrapped (ids, times, dates)."""
    return Column(header, no_wrap=True)


def iso(value: datetime | date | None) -> str:
    """A time in ISO 8601 form, UTC, to the second (``2027-03-13T11:00:00Z``); "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def print_json(value: Any, indent: int | None = 2) -> None:
    """``value`` as JSON on stdout, its text's control characters escaped (JSON's own escapes
    leave out C1 controls and direction overrides)."""
    print(visible(json.dumps(jsonable(value), indent=indent, ensure_ascii=False), lines=True))


def done(message: str, value: Any, as_json: bool) -> None:
    """Report a change: ``value`` as JSON, or ``message`` as one line."""
    if as_json:
        print_json(value)
    else:
        out.print(message)
