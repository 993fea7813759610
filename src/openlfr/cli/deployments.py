"""``lfr deployment ...``: a deployment from application to close."""

from __future__ import annotations

import signal
import threading
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
from openlfr.domain.deployment import Deployment, State
from openlfr.jsonable import jsonable
from openlfr.services import counts, deployments, shredding

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
        note = deployments.threshold_note(store, d.threshold)
    done(f"{d}: match threshold {d.threshold:.4f}. {note}", d, as_json)


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
    """Close a deployment: its watchlist and key are destroyed, and shredded from the database's
    files (pending while another process reads a snapshot from before; housekeeping, which
    every command runs, finishes it)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        d = deployments.close(store, actor, ident)
        shredded = (
            "shredded" if not shredding.pending(store) else
            "shredding pending: another process held an older snapshot; housekeeping "
            "(any lfr command) finishes it"
        )  # fmt: skip
    done(f"{_summary(d)} at {iso(d.closed_at)}; watchlist destroyed and {shredded}", d, as_json)


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
    chosen: Annotated[
        list[str] | None,
        typer.Option("--camera", help="watch only this camera (repeat for more); default: all"),
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="file sources as fast as they decode (tests)")
    ] = False,
) -> None:
    """Watch a live deployment's cameras (operator), each in a worker process of its own:
    alerts as they are committed, each camera's state every 5 s, until the sources or the
    window end, the deployment is closed, or Ctrl-C / SIGTERM stops it cleanly."""
    from openlfr.live.supervisor import Supervisor

    stop = _stopped_by_signals()
    with governance(ctx) as store:
        actor = acting_user(store)
        running = deployments.begin_run(store, actor, ident, chosen)
        out.print(f"deployment {ident}: watching {', '.join(running)} (Ctrl-C stops)")
        supervisor = Supervisor(store, actor, ident, running, not fast, out.print)
        watched = supervisor.run(stop)
    for w in watched:
        c, h = w.counts, w.health
        error = w.error or h.last_error
        out.print(
            f"{w.job.camera}: {w.state}; {c.frames} frames analysed ({h.frames_dropped} "
            f"dropped), {c.faces} faces ({c.below_gate} below the quality gate), {c.tracks} "
            f"tracks, {c.alerts} alert(s), {w.restarts} restart(s)"
            + (f"; last error: {error}" if error else "")
        )
    if all(w.state == "refused" for w in watched):
        raise typer.Exit(1)


@app.command("watch")
def watch(
    ctx: typer.Context,
    fast: Annotated[
        bool, typer.Option("--fast", help="file sources as fast as they decode (tests)")
    ] = False,
) -> None:
    """Watch the cameras of every deployment live now, and of each that goes live later
    (operator), until Ctrl-C / SIGTERM: a service to run beside lfr serve, so that a
    deployment started from the console has its cameras watched at once."""
    from openlfr.live.watch import WatchAll

    stop = _stopped_by_signals()
    with governance(ctx) as store:
        actor = acting_user(store)
        out.print("watching every live deployment's cameras (Ctrl-C stops)")
        WatchAll(store, actor, not fast, out.print).run(stop)


def _stopped_by_signals() -> threading.Event:
    """An event that Ctrl-C and SIGTERM set: a run finishes its frames, records, then stops."""
    stop = threading.Event()
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda *_: stop.set())
    return stop


@app.command("counts")
def counts_(ctx: typer.Context, ident: Id, as_json: JsonFlag = False) -> None:
    """What each camera saw, per hour, as numbers only (all that is kept of everyone not
    matched), and how long its alerts took from their frame's arrival to their commit."""
    with governance(ctx) as store:
        actor = acting_user(store)
        found = counts.deployment_counts(store, actor, ident)
        latency = counts.deployment_latency(store, actor, ident)
    if as_json:
        print_json({"hours": found, "latency": latency})
        return
    shown = table(fixed("camera"), fixed("hour (UTC)"), "frames", "faces", "below gate",
                  "tracks", "alerts")  # fmt: skip
    for c in found:
        shown.add_row(c.camera, iso(c.hour), *map(str, (c.frames, c.faces, c.below_gate,
                                                       c.tracks, c.alerts)))  # fmt: skip
    out.print(shown)
    if latency.p50 is not None and latency.p95 is not None:
        out.print(f"{latency.alerts} alert(s), frame arrival to alert committed: p50 "
                  f"{1000 * latency.p50:.0f} ms, p95 {1000 * latency.p95:.0f} ms")  # fmt: skip


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
