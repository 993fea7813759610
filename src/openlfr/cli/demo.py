"""``lfr demo``: enrol two people, build a clip, print what the engine finds."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from openlfr.cli.common import current_settings, out

if TYPE_CHECKING:
    from openlfr.services.demo import Sighting


def demo(
    ctx: typer.Context,
    threshold: Annotated[float | None, typer.Option(help="default: the measured one")] = None,
) -> None:
    """Enrol the two demo people, run the engine over a clip of them, print faces and matches."""
    # The vision stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.services.demo import demo_threshold, run_demo

    settings = current_settings(ctx)
    precision, used = demo_threshold(settings, threshold)
    out.print(
        f"embedder {settings.embedder} ({precision}), detector {settings.detector}, "
        f"threshold {used:.3f}"
    )

    matched: Counter[str] = Counter()

    def show(s: Sighting) -> None:
        matched[s.match.label if s.match else "no match"] += 1
        x1, y1, x2, y2 = s.face.box
        where = f"frame {s.frame:3d}  face at ({x1:.0f},{y1:.0f})-({x2:.0f},{y2:.0f})"
        if s.match is None:
            out.print(f"{where}  no match")
        else:
            out.print(f"{where}  match {s.match.label} score {s.match.score:.3f}")

    clip = run_demo(settings, used, show)
    out.print("faces per outcome: " + ", ".join(f"{k} {n}" for k, n in sorted(matched.items())))
    out.print(f"clip written to {clip}")
