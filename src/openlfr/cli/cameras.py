"""``lfr camera add|list|remove``: the cameras deployments may name."""

from __future__ import annotations

from dataclasses import asdict
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

app = typer.Typer(
    no_args_is_help=True, help="The cameras deployments may name (admin), and their status."
)
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


@app.command("status")
def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """What each camera of every running deployment is doing: state, worker, rates, drops,
    reconnects and restarts (any role; numbers only)."""
    with governance(ctx, run_housekeeping=False) as store:
        found = cameras.camera_status(store, acting_user(store))
    if as_json:
        print_json([asdict(c) for c in found])
        return
    if not found:
        out.print("no deployment is running")
        return
    shown = table("deployment", fixed("camera"), "state", "worker", "fps in", "analysed",
                  "frames", "dropped", "reconnects", "restarts", "faces", "alerts",
                  "last error")  # fmt: skip
    for c in found:
        shown.add_row(str(c.deployment_id), c.camera, c.state, str(c.worker or "-"),
                      f"{c.fps_in:.1f}", f"{c.fps_analysed:.1f}", str(c.frames_analysed),
                      str(c.frames_dropped), str(c.reconnects), str(c.restarts), str(c.faces),
                      str(c.alerts), c.last_error)  # fmt: skip
    out.print(shown)
