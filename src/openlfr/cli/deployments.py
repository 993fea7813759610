"""``lfr deployment ...``: a deployment from application to close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from openlfr.domain.deployment import Deployment, State
from openlfr.jsonable import jsonable
from openlfr.services import counts, deployments

if TYPE_CHECKING:
    from openlfr.live.camera import Counts
    from openlfr.live.source import Health

app = typer.Typer(
    no_args_is_help=True,
    help="Deployments: request, authorise, compile and approve the watchlist, start, close.",
)

Id = Annotated[int, typer.Argument(help="deployment id")]


def _summary(d: Deployment) -> str:
    return f"{d}: {d.state}"


@app.command("create")
def create(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the application, TOML or JSON")],
    as_json: JsonFlag = False,
) -> None:
    """Request a deployment from an application file (see docs/examples/deployment.toml)."""
    fields = read_record(file, "application")
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.request(store, actor, fields)
    done(
        f"{_summary(d)}, requested by {d.requested_by}; an authorising officer decides", d, as_json
    )


@app.command("authorise")
def authorise(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Authorise a requested deployment (authorising officer, not its requester)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.authorise(store, actor, ident)
    done(f"{_summary(d)} by {d.authorised_by}", d, as_json)


@app.command("threshold")
def threshold(
    ctx: typer.Context,
    ident: Id,
    value: Annotated[float, typer.Argument(help="match threshold (cosine similarity)")],
    as_json: JsonFlag = False,
) -> None:
    """Set a deployment's match threshold (authorising officer)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.change_threshold(store, actor, ident, value)
    done(f"{d}: match threshold {d.threshold:.4f}", d, as_json)


@app.command("compile")
def compile_(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Compile a deployment's watchlist from the subjects who meet its criteria; list the rest."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d, left_out = deployments.compile_watchlist(store, actor, ident)
    if as_json:
        print_json({"deployment": d, "watchlist_size": d.watchlist_size, "left_out": left_out})
        return
    out.print(f"{d}: watchlist of {d.watchlist_size} subject(s), awaiting approval")
    if left_out:
        out.print(f"left out ({len(left_out)}):")
        for line in left_out:
            out.print(f"  {line}")


@app.command("approve")
def approve(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Approve a deployment's compiled watchlist (authorising officer)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.approve(store, actor, ident)
    done(f"{d}: watchlist of {d.watchlist_size} approved by {d.watchlist_approved_by}", d, as_json)


@app.command("start")
def start(
    ctx: typer.Context,
    ident: Id,
    signs_up: Annotated[
        bool, typer.Option("--signs-up", help="confirm the public notice signs are up")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Go live: authorised, inside its window, watchlist approved, and --signs-up."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.start(store, actor, ident, signs_up)
    done(f"{_summary(d)} since {iso(d.started_at)}, until {iso(d.ends_at)}", d, as_json)


@app.command("close")
def close(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Close a deployment: its watchlist and key are destroyed."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.close(store, actor, ident)
    done(f"{_summary(d)} at {iso(d.closed_at)}; watchlist destroyed", d, as_json)


@app.command("cancel")
def cancel(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Cancel a deployment that has not gone live."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.cancel(store, actor, ident)
    done(_summary(d), d, as_json)


@app.command("run")
def run(
    ctx: typer.Context,
    ident: Id,
    camera: Annotated[str, typer.Option("--camera", help="which of its cameras to watch")],
    fast: Annotated[
        bool, typer.Option("--fast", help="a file source as fast as it decodes (tests)")
    ] = False,
) -> None:
    """Watch one camera of a live deployment (operator): alerts as they are raised, until the
    source or the window ends, or Ctrl-C / SIGTERM stops it cleanly."""
    import signal
    import threading

    from openlfr.live.runner import run_camera

    stop = threading.Event()
    for stopping in (signal.SIGINT, signal.SIGTERM):  # finish the frame, record, then stop
        signal.signal(stopping, lambda *_: stop.set())
    with governance(ctx) as store:
        actor = acting_user(store)
        out.print(f"deployment {ident}: watching {camera} (Ctrl-C stops)")
        result = run_camera(store, actor, ident, camera, stop, not fast, _progress(camera))
    for r in result.raised:
        a = r.alert
        out.print(f"{a}: {a.subject_name}, score {a.score:.3f}, frame {r.frame}, "
                  f"track of {r.track_length} frames")  # fmt: skip
    c, h = result.counts, result.health
    out.print(
        f"{camera}: {c.frames} frames analysed ({h.frames_dropped} dropped), {c.faces} faces "
        f"({c.below_gate} below the quality gate), {c.tracks} tracks, {c.alerts} alert(s)"
        + (f"; last source error: {h.last_error}" if h.last_error else "")
    )


def _progress(camera: str) -> Callable[[Health, Counts], None]:
    """One line every few seconds: the camera's state, rates and what was found."""

    def say(h: Health, c: Counts) -> None:
        state = "connected" if h.connected else "reconnecting" if not h.finished else "ended"
        out.print(
            f"{camera}: {state}, {h.fps_in:.1f} fps in, {c.frames} analysed, "
            f"{h.frames_dropped} dropped, {h.reconnects} reconnects, {c.faces} faces, "
            f"{c.alerts} alert(s)" + (f"; last error: {h.last_error}" if h.last_error else "")
        )

    return say


@app.command("counts")
def counts_(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """What each camera saw, per hour, as numbers only (all that is kept of everyone not
    matched)."""
    with governance(ctx) as store:
        found = counts.deployment_counts(store, acting_user(store), ident)
    if as_json:
        print_json(found)
        return
    shown = table(fixed("camera"), fixed("hour (UTC)"), "frames", "faces", "below gate",
                  "tracks", "alerts")  # fmt: skip
    for c in found:
        shown.add_row(c.camera, iso(c.hour), *map(str, (c.frames, c.faces, c.below_gate,
                                                       c.tracks, c.alerts)))  # fmt: skip
    out.print(shown)


@app.command("show")
def show(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """Everything recorded about one deployment."""
    with governance(ctx) as store:
        d = deployments.get(store, acting_user(store), ident)
    if as_json:
        print_json(d)
        return
    shown = table(fixed("field"), "value", title=str(d))
    for name, value in _fields(d):
        shown.add_row(name, value)
    out.print(shown)


def _fields(d: Deployment) -> list[tuple[str, str]]:
    rows = []
    for name, value in jsonable(d).items():
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(getattr(d, name), datetime):
            value = iso(getattr(d, name))
        rows.append((name, "" if value is None else str(value)))
    return rows


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[State | None, typer.Option("--state", help="only in this state")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every deployment, oldest first."""
    with governance(ctx) as store:
        found = deployments.list_all(store, acting_user(store), state)
    if as_json:
        print_json(found)
        return
    shown = table(
        fixed("id"), "name", "state", fixed("starts (UTC)"), fixed("ends (UTC)"), "threshold",
        "watchlist",
    )  # fmt: skip
    for d in found:
        watchlist = f"{d.watchlist_size}" + (" approved" if d.watchlist_approved_at else "")
        shown.add_row(
            str(d.id), d.name, d.state, iso(d.starts_at), iso(d.ends_at),
            f"{d.threshold:.4f}", watchlist if d.watchlist_compiled_at else "",
        )  # fmt: skip
    out.print(shown)
