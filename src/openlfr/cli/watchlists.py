"""``lfr watchlist add|remove|list|review``: the subjects watchlists are compiled from."""

from __future__ import annotations

from datetime import datetime
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
    read_record,
    table,
)
from openlfr.domain.watchlist import Subject
from openlfr.errors import LfrError
from openlfr.jsonable import jsonable
from openlfr.services import watchlists

app = typer.Typer(
    no_args_is_help=True, help="Watchlist subjects: enrol, review and remove (watchlist manager)."
)

SubjectId = Annotated[int, typer.Argument(help="subject id")]


@app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the subject record, TOML or JSON")],
    images: Annotated[list[Path], typer.Option("--image", help="a reference image; repeat")],
    sources: Annotated[
        list[str], typer.Option("--source", help="where the --image before it came from")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Enrol a subject (see docs/examples/subject.toml) with reference images and their sources.

    Each --image needs one --source, in the same order. Every image must hold
    one face of enrolment quality, or nothing is enrolled.
    """
    if len(images) != len(sources):
        raise LfrError(
            f"{len(images)} --image but {len(sources)} --source: give one source per image"
        )
    fields = read_record(file, "subject")
    with governance(ctx) as store:
        actor = acting_user(store)
        limit = store.settings.max_image_bytes
        given = [
            watchlists.ImageIn.from_file(path, source, limit)
            for path, source in zip(images, sources, strict=True)
        ]
        s = watchlists.enrol(store, actor, fields, given)
    done(f"enrolled {s} with {len(images)} reference image(s)", s, as_json)


@app.command("remove")
def remove(ctx: typer.Context, ident: SubjectId, as_json: JsonFlag = False) -> None:
    """Delete a subject and their reference images."""
    with governance(ctx) as store:
        actor = acting_user(store)
        watchlists.remove(store, actor, ident)
    done(f"subject {ident} removed", {"removed": ident}, as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every subject, with their number of reference images."""
    with governance(ctx) as store:
        found = watchlists.list_subjects(store, acting_user(store))
    _render(found, as_json, "subjects")


@app.command("review")
def review(
    ctx: typer.Context,
    ident: Annotated[int | None, typer.Argument(help="subject id; none: list those due")] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="the new review date, YYYY-MM-DD"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the subjects due for review, or record a review of one: keep them --until DATE."""
    if ident is None:
        if until is not None:
            raise LfrError("--until needs the subject id it is for: lfr watchlist review ID")
        with governance(ctx) as store:
            found = watchlists.list_subjects(store, acting_user(store), due_only=True)
        _render(found, as_json, "subjects due for review")
        return
    if until is None:
        raise LfrError(f"say how long to keep subject {ident}: --until YYYY-MM-DD")
    with governance(ctx) as store:
        actor = acting_user(store)
        s = watchlists.extend_review(store, actor, ident, until.date())
    done(f"{s}: reviewed, next review by {iso(s.review_by)}", s, as_json)


def _render(found: list[tuple[Subject, int]], as_json: bool, title: str) -> None:
    if as_json:
        print_json([{**jsonable(s), "reference_images": n} for s, n in found])
        return
    shown = table(
        fixed("id"), "name", fixed("born"), "sex", "ethnicity", "category", "case",
        fixed("review by"), "images", title=f"{len(found)} {title}",
    )  # fmt: skip
    for s, n in found:
        due = " (due)" if s.flagged_for_review_at else ""
        shown.add_row(
            str(s.id), s.name, iso(s.date_of_birth), s.sex, s.ethnicity, s.category,
            s.case_reference, iso(s.review_by) + due, str(n),
        )  # fmt: skip
    out.print(shown)
