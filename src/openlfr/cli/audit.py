"""``lfr audit verify|head|export``: the keyed, chained audit log (auditor or admin)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from openlfr.cli.common import JsonFlag, acting_user, fixed, governance, iso, out, print_json, table
from openlfr.errors import LfrError
from openlfr.files import FileError, read_limited
from openlfr.services import audit
from openlfr.store.audit import Head

app = typer.Typer(no_args_is_help=True, help="Check and export the audit log.")


@app.command("verify")
def verify(
    ctx: typer.Context,
    head: Annotated[
        Path | None,
        typer.Option("--head", help="a head file from `lfr audit head` to check against"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check every entry's chain (and that it reaches a published head) and every row that
    decides lawfulness: intact, or the first entry that does not hold, the rows edited outside
    openlfr, or the database's guards gone (exit 1)."""
    published = _read_head(head) if head else None
    with governance(ctx) as store:
        actor = acting_user(store)
        verdict = audit.verify(store, actor, published)
    if as_json:
        print_json({**asdict(verdict), "rows": [str(r) for r in verdict.rows],
                    "intact": verdict.intact})  # fmt: skip
    elif verdict.broken_at is None:
        holds = "intact" if verdict.intact else "the chain holds"
        out.print(f"{verdict.checked} entries checked: {holds}; head {verdict.head}")
    else:
        out.print(
            f"{verdict.checked} entries checked: broken at entry {verdict.broken_at}: "
            f"{verdict.reason}; last good hash {verdict.head}"
        )
    if verdict.broken_guards and not as_json:
        out.print(
            "the database may no longer refuse edits to the log: "
            f"{', '.join(verdict.broken_guards)}"
        )
    if verdict.rows and not as_json:
        out.print(f"{len(verdict.rows)} row(s) not as the audit log last left them:")
        for finding in verdict.rows:
            out.print(f"  {finding}")
    if not verdict.intact:
        raise typer.Exit(1)


@app.command("head")
def head(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The log's last entry, signed: keep it outside this machine (publish or escrow it) and
    check against it later with `lfr audit verify --head FILE`."""
    with governance(ctx) as store:
        actor = acting_user(store)
        signed = audit.head(store, actor)
    print(json.dumps(asdict(signed)) if as_json else json.dumps(asdict(signed), indent=2))


def _read_head(path: Path) -> Head:
    try:
        fields = json.loads(read_limited(path, 10_000))  # a head file is some 250 bytes
        return Head(int(fields["seq"]), str(fields["hash"]), str(fields["tag"]))
    except FileError as exc:
        raise LfrError(f"the head file {exc}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise LfrError(
            f"{path}: not a head file from `lfr audit head` ({exc.__class__.__name__}: {exc})"
        ) from None


@app.command("export")
def export(
    ctx: typer.Context,
    since: Annotated[int, typer.Option("--since", min=1, help="first entry number")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """The audit entries from --since on (--json: one JSON object per line, as hashed)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        entries = audit.export(store, actor, since)
    if as_json:
        for e in entries:
            print_json(asdict(e), indent=None)
        return
    shown = table(fixed("seq"), fixed("at (UTC)"), "actor", "action", "target", "outcome", "detail")
    for e in entries:
        at = iso(datetime.fromisoformat(e.at))
        shown.add_row(str(e.seq), at, e.actor, e.action, e.target, e.outcome, e.detail)
    out.print(shown)
