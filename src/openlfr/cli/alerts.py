"""``lfr alert list|adjudicate|images``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    done,
    fixed,
    governance,
    iso,
    out,
    print_json,
    table,
)
from openlfr.domain.alert import Adjudication, Outcome
from openlfr.services import alerts

app = typer.Typer(no_args_is_help=True, help="Alerts and their adjudication by an operator.")


@app.command("list")
def list_(
    deployment: Annotated[
        int | None, typer.Option("--deployment", help="only this deployment's alerts")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Alerts, oldest first, with their adjudication and outcome."""
    with governance() as store:
        found = alerts.list_alerts(store, acting_user(), deployment)
    if as_json:
        print_json(found)
        return
    shown = table(
        fixed("id"), "deployment", fixed("raised (UTC)"), "camera", "subject", "score",
        "adjudication", "outcome", title=f"{len(found)} alert(s)",
    )  # fmt: skip
    for a in found:
        outcome = f"{a.outcome or ''}" + (f": {a.outcome_note}" if a.outcome_note else "")
        shown.add_row(
            str(a.id), str(a.deployment_id), iso(a.raised_at), a.camera,
            f"{a.subject_name} ({a.subject_id})", f"{a.score:.4f}",
            a.adjudication + (f" by {a.adjudicated_by}" if a.adjudicated_by else ""), outcome,
        )  # fmt: skip
    out.print(shown)


@app.command("adjudicate")
def adjudicate(
    ident: Annotated[int, typer.Argument(help="alert id")],
    verdict: Annotated[Adjudication, typer.Argument(help="the operator's verdict")],
    outcome: Annotated[
        Outcome | None, typer.Option("--outcome", help="what happened after it")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="needed for the outcome 'other'")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Record an operator's verdict on an alert, and what happened."""
    actor = acting_user()
    with governance() as store:
        a = alerts.adjudicate(store, actor, ident, verdict, outcome, note)
    done(f"{a}: {a.adjudication}" + (f", {a.outcome}" if a.outcome else ""), a, as_json)


@app.command("images")
def images(
    ident: Annotated[int, typer.Argument(help="alert id")],
    folder: Annotated[Path, typer.Argument(help="where to write the two images")],
) -> None:
    """Write an alert's probe crop and the matched reference image to a folder (audited read)."""
    actor = acting_user()
    with governance() as store:
        probe, reference = alerts.view_biometrics(store, actor, ident)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (("probe", probe), ("reference", reference)):
        path = folder / f"alert-{ident}-{name}{suffix(data)}"
        path.write_bytes(data)
        out.print(str(path))


def suffix(data: bytes) -> str:
    """The file suffix for encoded image ``data``, by its signature."""
    signatures = {b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png", b"RIFF": ".webp"}
    return next((s for sig, s in signatures.items() if data.startswith(sig)), ".bin")
