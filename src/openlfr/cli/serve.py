"""``lfr serve``: the API and the operator console on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import current_settings, err, governance


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="default: api_host, 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option("--port", help="default: api_port, 8000")] = None,
) -> None:
    """Serve the API at http://HOST:PORT/api/v1 (the schema at /api/v1/openapi.json) until
    Ctrl-C. Outside 127.0.0.1, put it behind HTTPS: session cookies are then sent secure only.
    A TLS proxy on this machine passes Host, X-Forwarded-Proto and X-Forwarded-For; one on
    another machine also needs its address in FORWARDED_ALLOW_IPS (uvicorn's setting)."""
    import uvicorn

    from openlfr.api import create_app

    settings = current_settings(ctx)
    host, port = host or settings.api_host, port or settings.api_port
    with governance(ctx, run_housekeeping=False) as store:  # the API does it, every minute
        err.print(f"openlfr API on http://{host}:{port}/api/v1 (Ctrl-C stops it)")
        uvicorn.run(create_app(store), host=host, port=port, log_level="warning")
