"""``lfr alert list|adjudicate|amend|correct|disposal|images``."""

from __future__ import annotations

import os
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
from openlfr.domain.alert import Adjudication, Disposal, Outcome, verdict_of
from openlfr.errors import LfrError
from openlfr.image_types import image_kind
from openlfr.services import alerts

app = typer.Typer(no_args_is_help=True, help="Alerts and their adjudication by an operator.")

Seen = Annotated[
    int | None,
    typer.Option(
        "--seen-version",
        help="the alert's version the decision was made on (lfr alert list shows it): "
        "refused if the alert has changed since",
    ),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    deployment: Annotated[
        int | None, typer.Option("--deployment", help="only this deployment's alerts")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Alerts, oldest first, with their adjudication and outcome."""
    with governance(ctx) as store:
        found = alerts.list_alerts(store, acting_user(store), deployment)
    if as_json:
        print_json(found)
        return
    shown = table(
        fixed("id"), "deployment", fixed("raised (UTC)"), "camera", "subject", "score",
        "adjudication", "outcome", fixed("version"), title=f"{len(found)} alert(s)",
    )  # fmt: skip
    for a in found:
        outcome = f"{a.outcome or ''}" + (f": {a.outcome_note}" if a.outcome_note else "")
        shown.add_row(
            str(a.id), str(a.deployment_id), iso(a.raised_at), a.camera,
            f"{a.subject_name} ({a.subject_id})", f"{a.score:.4f}",
            a.adjudication + (f" by {a.adjudicated_by}" if a.adjudicated_by else ""), outcome,
            str(a.version),
        )  # fmt: skip
    out.print(shown)


@app.command("adjudicate")
def adjudicate(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="alert id")],
    verdict: Annotated[Adjudication, typer.Argument(help="the operator's verdict")],
    outcome: Annotated[
        Outcome | None, typer.Option("--outcome", help="what happened after it")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="needed for the outcome 'other'")] = "",
    seen: Seen = None,
    as_json: JsonFlag = False,
) -> None:
    """Record an operator's verdict on an alert awaiting one, and what happened (a verdict
    already given is changed with lfr alert amend)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        a = alerts.adjudicate(store, actor, ident, verdict, outcome, note, seen)
    done(f"{a}: {verdict_of(a)}", a, as_json)


@app.command("amend")
def amend(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="alert id")],
    verdict: Annotated[Adjudication, typer.Argument(help="the amended verdict")],
    reason: Annotated[str, typer.Option("--reason", help="why the verdict given was wrong")],
    outcome: Annotated[
        Outcome | None, typer.Option("--outcome", help="the amended outcome")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="needed for the outcome 'other'")] = "",
    seen: Seen = None,
    as_json: JsonFlag = False,
) -> None:
    """Change the verdict of an adjudicated alert while its deployment runs (an operator, with
    a reason; the audit log keeps the verdict before and after)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        a = alerts.amend(store, actor, ident, verdict, outcome, note, reason, seen)
    done(f"{a}: amended to {verdict_of(a)} by {a.adjudicated_by}", a, as_json)


@app.command("correct")
def correct(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="alert id")],
    verdict: Annotated[Adjudication, typer.Argument(help="the corrected verdict")],
    reason: Annotated[str, typer.Option("--reason", help="why the record was wrong")],
    outcome: Annotated[
        Outcome | None, typer.Option("--outcome", help="the corrected outcome")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="needed for the outcome 'other'")] = "",
    seen: Seen = None,
    as_json: JsonFlag = False,
) -> None:
    """Correct the adjudication of an adjudicated alert whose deployment has closed (an
    auditor who did not adjudicate it); retention still runs from the close."""
    with governance(ctx) as store:
        actor = acting_user(store)
        a = alerts.correct(store, actor, ident, verdict, outcome, note, reason, seen)
    done(f"{a}: corrected to {a.adjudication} by {a.corrected_by}", a, as_json)


@app.command("disposal")
def disposal(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="alert id")],
    what: Annotated[Disposal, typer.Argument(help="what became of the arrest")],
    note: Annotated[str, typer.Option("--note", help="needed for the disposal 'other'")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Record what became of the arrest an alert led to (an operator; also after its
    deployment has closed, as disposals come later)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        a = alerts.record_disposal(store, actor, ident, what, note)
    done(f"{a}: arrest disposed of as {a.disposal}", a, as_json)


@app.command("images")
def images(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="alert id")],
    folder: Annotated[Path, typer.Argument(help="where to write the two images")],
) -> None:
    """Write an alert's probe crop and the matched reference image to a folder (audited read).

    The files are new (nothing is overwritten, no link followed) and readable by
    their owner only; a folder that cannot take them is refused before the read.
    """
    _check_folder(folder, ident)
    with governance(ctx) as store:
        actor = acting_user(store)
        probe, reference = alerts.view_biometrics(store, actor, ident)
    for name, data in (("probe", probe), ("reference", reference)):
        path = folder / f"alert-{ident}-{name}.{image_kind(data)[0]}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise LfrError(
                f"{path}: cannot write it ({exc.strerror}); nothing overwritten"
            ) from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        out.print(str(path))


def _check_folder(folder: Path, ident: int) -> None:
    """Refuse, before anything is read, a folder that cannot take an alert's images."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise LfrError(f"{folder}: not a folder (or a link to one): give a folder to write into")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise LfrError(f"{folder}: cannot make it ({exc.strerror}): give another folder") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LfrError(f"{folder}: this user cannot write there: give another folder")
    taken = sorted(str(p) for p in folder.glob(f"alert-{ident}-*"))
    if taken:
        raise LfrError(f"{taken[0]} already exists: move it or give an empty folder")
