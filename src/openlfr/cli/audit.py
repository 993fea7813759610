"""``lfr audit verify|export``: the hash-chained audit log (auditor or admin)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer

from openlfr.cli.common import JsonFlag, acting_user, fixed, governance, iso, out, print_json, table
from openlfr.services import audit

app = typer.Typer(no_args_is_help=True, help="Check and export the audit log.")


@app.command("verify")
def verify(as_json: JsonFlag = False) -> None:
    """Check every entry's hash chain: intact, or the first entry that does not hold (exit 1)."""
    actor = acting_user()
    with governance() as store:
        verdict = audit.verify(store, actor)
    if as_json:
        print_json({**asdict(verdict), "intact": verdict.intact})
    elif verdict.intact:
        out.print(f"{verdict.checked} entries checked: intact; head {verdict.head}")
    else:
        out.print(
            f"{verdict.checked} entries checked: broken at entry {verdict.broken_at}: "
            f"{verdict.reason}; last good hash {verdict.head}",
            style="red",
        )
    if not verdict.intact:
        raise typer.Exit(1)


@app.command("export")
def export(
    since: Annotated[int, typer.Option("--since", min=1, help="first entry number")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """The audit entries from --since on (--json: one JSON object per line, as hashed)."""
    actor = acting_user()
    with governance() as store:
        entries = audit.export(store, actor, since)
    if as_json:
        for e in entries:
            print(json.dumps(asdict(e), ensure_ascii=False))
        return
    shown = table(fixed("seq"), fixed("at (UTC)"), "actor", "action", "target", "outcome", "detail")
    for e in entries:
        at = iso(datetime.fromisoformat(e.at))
        shown.add_row(str(e.seq), at, e.actor, e.action, e.target, e.outcome, e.detail)
    out.print(shown)
