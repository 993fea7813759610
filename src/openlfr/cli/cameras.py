"""``lfr camera add|list|remove``: the cameras deployments may name."""

from __future__ import annotations

from typing import Annotated, Any

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
from openlfr.domain.camera import Camera
from openlfr.services import cameras

app = typer.Typer(no_args_is_help=True, help="The cameras deployments may name (admin).")
Name = Annotated[str, typer.Argument(help="the camera's name, as deployments name it")]


def _shown(c: Camera) -> dict[str, Any]:
    """What anyone may see of a camera: its source masked, never sealed or clear."""
    return {"name": c.name, "kind": c.kind.value, "source": c.shown, "added_by": c.added_by,
            "added_at": iso(c.added_at)}  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    name: Name,
    source: Annotated[
        str,
        typer.Argument(
            help="a video file's absolute path, an rtsp:// or http(s):// URL, or a "
            "device (/dev/video0)"
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Register a camera (admin only); credentials in its URL are kept sealed, shown masked."""
    with governance(ctx) as store:
        c = cameras.add_camera(store, acting_user(store), name, source)
    done(f"added camera {c.name} ({c.kind}: {c.shown})", _shown(c), as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every registered camera, its source masked."""
    with governance(ctx) as store:
        found = cameras.list_cameras(store, acting_user(store))
    if as_json:
        print_json([_shown(c) for c in found])
        return
    shown = table(fixed("name"), "kind", "source", "added by", fixed("added (UTC)"))
    for c in found:
        shown.add_row(c.name, c.kind.value, c.shown, c.added_by, iso(c.added_at))
    out.print(shown)


@app.command("remove")
def remove(ctx: typer.Context, name: Name) -> None:
    """Unregister a camera (admin only) that no authorised or live deployment names."""
    with governance(ctx) as store:
        cameras.remove_camera(store, acting_user(store), name)
    out.print(f"camera {name} removed")
