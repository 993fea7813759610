"""The ``lfr`` command: a thin adapter that parses, calls, and renders."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from openlfr.errors import LfrError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="openlfr: open live facial recognition"
)
err = Console(stderr=True)


def _register() -> None:
    from openlfr.cli import demo, evaluate, faces, models

    app.add_typer(models.app, name="models")
    app.add_typer(evaluate.app, name="evaluate")
    app.command("faces")(faces.faces)
    app.command("demo")(demo.demo)


def main() -> None:
    _register()
    try:
        app()
    except LfrError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
