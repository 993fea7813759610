"""The ``lfr`` command: a thin adapter that parses, calls, and renders."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from openlfr.errors import LfrError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="openlfr: open live facial recognition"
)
err = Console(stderr=True, soft_wrap=True)


def main() -> None:
    try:
        app()
    except LfrError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)


# Registered after ``app`` exists: the command modules import nothing heavy at import time.
from openlfr.cli import demo, evaluate, faces, models  # noqa: E402

app.add_typer(models.app, name="models")
app.add_typer(evaluate.app, name="evaluate")
app.command("faces")(faces.faces)
app.command("demo")(demo.demo)
