"""The ``lfr`` command: a thin adapter that parses, calls, and renders."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from openlfr.cli.common import visible
from openlfr.config import load_settings
from openlfr.errors import LfrError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="openlfr: open live facial recognition"
)
err = Console(stderr=True, soft_wrap=True)


def main() -> None:
    try:
        app()
    except LfrError as exc:
        err.print(f"[red]error:[/red] {escape(visible(str(exc)))}", highlight=False)
        sys.exit(1)


# Registered after ``app`` exists: the command modules import nothing heavy at import time.
from openlfr.cli import (  # noqa: E402
    alerts,
    audit,
    cameras,
    demo,
    deployments,
    evaluate,
    faces,
    installation,
    maintenance,
    models,
    reports,
    serve,
    sessions,
    tokens,
    users,
    watchlists,
)


@app.callback()
def _openlfr(ctx: typer.Context) -> None:
    """openlfr: open live facial recognition."""
    # Read once here and handed to every command (common.settings), as the API will.
    ctx.obj = load_settings()


app.command("init")(installation.init)
app.command("recover")(installation.recover)
app.command("login")(sessions.login)
app.command("logout")(sessions.logout)
app.command("whoami")(sessions.whoami)
app.add_typer(models.app, name="models")
app.add_typer(evaluate.app, name="evaluate")
app.command("faces")(faces.faces)
app.command("demo")(demo.demo)
app.add_typer(users.app, name="user")
app.add_typer(tokens.app, name="token")
app.add_typer(cameras.app, name="camera")
app.add_typer(deployments.app, name="deployment")
app.add_typer(watchlists.app, name="watchlist")
app.add_typer(alerts.app, name="alert")
app.add_typer(audit.app, name="audit")
app.add_typer(reports.app, name="report")
app.add_typer(maintenance.keys, name="keys")
app.command("housekeeping")(maintenance.run_housekeeping)
app.command("serve")(serve.serve)
