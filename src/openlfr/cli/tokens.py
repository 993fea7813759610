"""``lfr token create|list|revoke``: your API tokens (``Authorization: Bearer``)."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    ask_secret,
    done,
    fixed,
    governance,
    iso,
    out,
    print_json,
)
from openlfr.cli.common import table as new_table
from openlfr.services import identity

app = typer.Typer(no_args_is_help=True, help="Your API tokens, for scripts and other systems.")


@app.command("create")
def create(
    ctx: typer.Context,
    days: Annotated[
        int | None, typer.Option(help="how long it lasts (default and most: api_token_days)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """A new API token of yours (asks for your password): shown this once, kept only as a
    digest."""
    with governance(ctx) as store:
        actor = acting_user(store)
        made = identity.create_token(store, actor, ask_secret("password"), days)
    message = f"API token {made.id} until {iso(made.expires_at)}: {made.secret}"
    done(message, made, as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Your API tokens, live or not (never their secrets)."""
    with governance(ctx, run_housekeeping=False) as store:
        found = identity.list_tokens(store, acting_user(store))
    if as_json:
        print_json(found)
        return
    shown = new_table(fixed("id"), fixed("created"), fixed("expires"), fixed("revoked"))
    for t in found:
        shown.add_row(str(t.id), iso(t.created_at), iso(t.expires_at), iso(t.revoked_at))
    out.print(shown)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="the token's id (lfr token list)")],
) -> None:
    """End one of your API tokens."""
    with governance(ctx, run_housekeeping=False) as store:
        identity.revoke_token(store, acting_user(store), ident)
    out.print(f"API token {ident} revoked")
