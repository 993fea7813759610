"""``lfr demo``: a whole deployment on a clip of two people, printed as it happens."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import current_settings, out


def demo(
    ctx: typer.Context,
    threshold: Annotated[
        float | None, typer.Option(help="the deployment's threshold; default: the measured one")
    ] = None,
) -> None:
    """Staff, a camera, two people enrolled, a deployment authorised, started, watched,
    its alerts adjudicated, closed and its audit verified, in a demo folder of its own."""
    # The vision stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.live.demo import run_demo

    result = run_demo(current_settings(ctx), threshold, out.print)
    alerted = ", ".join(f"{name} {n}" for name, n in sorted(result.alerted.items())) or "none"
    out.print(f"alerts per person: {alerted}")
    if not result.intact:
        raise typer.Exit(1)
