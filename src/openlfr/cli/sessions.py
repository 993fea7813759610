"""``lfr login|logout|whoami``: the session that proves who this OS account acts as."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    ask_secret,
    done,
    err,
    governance,
    iso,
    proven,
    save_session,
    saved_token,
)
from openlfr.errors import LfrError
from openlfr.services import identity


def login(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="your user name")],
    as_json: JsonFlag = False,
) -> None:
    """Log in: asks for your password (at the first login, your one-time password, then a
    password of your own); the session lasts session_hours and ends the one this account
    held (whoever's it was)."""
    password = ask_secret("password")
    with governance(ctx) as store:
        path = store.settings.session_file
        try:
            held = saved_token(path)
        except LfrError:  # a damaged file, or one not this account's alone: replaced, unused
            held = None
        try:
            session = identity.login(store, name, password, replaces=held)
        except identity.NewPasswordNeeded as needed:
            err.print(str(needed))
            chosen = ask_secret("new password", confirm=True)
            session = identity.login(store, name, password, chosen, replaces=held)
        save_session(path, session)
        proven(store, session.user)
    ends = iso(session.expires_at)
    done(f"logged in as {name} until {ends}", {"user": name, "ends": ends}, as_json)


def logout(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """End this account's session (the token stops working everywhere) and delete its file."""
    with governance(ctx, run_housekeeping=False) as store:
        path = store.settings.session_file
        token = saved_token(path)
        if token is not None:
            identity.logout(store, token)
            path.unlink()
    done("logged out", {"logged_out": token is not None}, as_json)


def whoami(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The user this OS account is logged in as."""
    with governance(ctx, run_housekeeping=False) as store:
        name = acting_user(store)
    done(name, {"user": name}, as_json)
