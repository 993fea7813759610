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
    The TLS proxy passes Host, X-Forwarded-Proto and X-Forwarded-For, and its address goes in
    the trusted_proxies setting (e.g. ["127.0.0.1"] for one on this machine): forwarded
    headers from any other address are ignored."""
    from openlfr.api.app import create_app, server

    settings = current_settings(ctx)
    host, port = host or settings.api_host, port or settings.api_port
    with governance(ctx, run_housekeeping=False) as store:  # the API does it, every minute
        err.print(f"openlfr API on http://{host}:{port}/api/v1 (Ctrl-C stops it)")
        server(create_app(store), host, port).run()
