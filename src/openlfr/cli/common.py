"""What the governance commands share: who is acting, the store, files in, JSON and times out."""

from __future__ import annotations

import dataclasses
import json
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from openlfr.config import Settings
from openlfr.errors import LfrError
from openlfr.services import housekeeping
from openlfr.services.store import Store

# No markup: names, reasons and notes are printed as given.
# Piped to a file or another program, a table keeps its width rather than wrap at 80 columns.
PIPED_WIDTH = None if sys.stdout.isatty() else 1000
out = Console(soft_wrap=True, markup=False, highlight=False, width=PIPED_WIDTH)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable output (JSON, stdout)")]

_acting: str | None = None


def set_acting_user(name: str | None) -> None:
    """Record the ``--user`` / ``LFR_USER`` given to ``lfr`` (its callback calls this)."""
    global _acting
    _acting = name.strip() if name and name.strip() else None


def acting_user() -> str:
    """The user this command acts as; a command that changes anything needs one."""
    if _acting is None:
        raise LfrError("say who you are: --user NAME or LFR_USER")
    return _acting


def given_user() -> str | None:
    """The acting user if one was given (the very first ``lfr user add`` needs none)."""
    return _acting


@contextmanager
def governance(run_housekeeping: bool = True) -> Iterator[Store]:
    """The store, after what is due (closes, purges, review flags) has been done; then closed."""
    store = Store(Settings())
    try:
        if run_housekeeping:
            report_housekeeping(housekeeping.run(store), err)
        yield store
    finally:
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


def read_record(path: Path, what: str) -> dict[str, Any]:
    """The table in a TOML or JSON file (by suffix; TOML datetimes with offsets are aware)."""
    try:
        text = path.read_text(encoding="utf-8")
        fields = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LfrError(f"cannot read the {what} file {path}: {exc}") from None
    if not isinstance(fields, dict):
        raise LfrError(f"the {what} file {path} must hold one table (JSON object) of fields")
    return fields


def table(*columns: str | Column, title: str | None = None) -> Table:
    """A table that hides nothing: long values wrap, ``fixed`` columns never do."""
    made = [Column(c, overflow="fold") if isinstance(c, str) else c for c in columns]
    return Table(*made, title=title, title_justify="left")


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


def jsonable(value: Any) -> Any:
    """``value`` (dataclasses, enums, times, lists) as plain JSON values; times ISO UTC."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def done(message: str, value: Any, as_json: bool) -> None:
    """Report a change: ``value`` as JSON, or ``message`` as one line."""
    if as_json:
        print_json(value)
    else:
        out.print(message)
