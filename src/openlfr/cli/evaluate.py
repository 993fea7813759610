"""``lfr evaluate ...``: accuracy measured with the standard protocols."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Measure accuracy on a data set.")
