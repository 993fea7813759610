"""``lfr alert list|adjudicate``."""

from __future__ import annotations

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
        found = alerts.list_alerts(store, deployment)
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
