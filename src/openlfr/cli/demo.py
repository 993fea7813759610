"""``lfr demo``: a whole deployment on a clip of two people, printed as it happens."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from openlfr.cli.common import current_settings, out


def demo(
    ctx: typer.Context,
    threshold: Annotated[
        float | None, typer.Option(help="the deployment's threshold; default: the measured one")
    ] = None,
    console: Annotated[
        bool, typer.Option("--console", help="then serve the console on a live demo deployment")
    ] = False,
    port: Annotated[int, typer.Option(help="the console's port, on 127.0.0.1")] = 8000,
) -> None:
    """Staff, a camera, two people enrolled, a deployment authorised, started, watched,
    its alerts adjudicated, closed and its audit verified, in a demo folder of its own. With
    --console, then a live demo deployment with the console to watch it, until Ctrl-C."""
    # The vision stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.live.demo import check_port, run_console_demo, run_demo

    if console:
        check_port(port)

    result = run_demo(current_settings(ctx), threshold, out.print)
    alerted = ", ".join(f"{name} {n}" for name, n in sorted(result.alerted.items())) or "none"
    out.print(f"alerts per person: {alerted}")
    if not result.intact:
        raise typer.Exit(1)
    if console:
        stop = threading.Event()
        for stopping in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stopping, lambda *_: stop.set())
        out.print("the console demo:")
        run_console_demo(current_settings(ctx), port, out.print, stop)
        out.print("console demo stopped")
