"""``lfr user add|list|deactivate|activate|passwd|reset``."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    ask_secret,
    done,
    governance,
    out,
    print_json,
    saved_token,
    table,
)
from openlfr.domain.roles import Role
from openlfr.errors import LfrError
from openlfr.jsonable import jsonable
from openlfr.services import identity, users

UserName = Annotated[str, typer.Argument(help="the user's name")]

app = typer.Typer(no_args_is_help=True, help="The people who act on the system, and their roles.")


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the new user's name")],
    roles: Annotated[list[Role], typer.Option("--role", help="a role; repeat for more")],
    as_json: JsonFlag = False,
) -> None:
    """Add a user with roles (admin only; the first admin is made by lfr init).

    Prints the user's one-time password: hand it to them in person; their first
    lfr login replaces it with a password of their own.
    """
    with governance(ctx) as store:
        added = users.add_user(store, acting_user(store), name, [r.value for r in roles])
    user, secret = added.user, added.one_time_password
    message = f"added user {user.name} ({', '.join(user.roles)}); one-time password: {secret}"
    done(message, {**jsonable(user), "one_time_password": secret}, as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every user, their roles and whether they are active."""
    with governance(ctx) as store:
        found = users.list_users(store)
    if as_json:
        print_json(found)
        return
    shown = table("name", "roles", "active")
    for u in found:
        shown.add_row(u.name, ", ".join(u.roles), "yes" if u.active else "no")
    out.print(shown)


@app.command("deactivate")
def deactivate(ctx: typer.Context, name: UserName) -> None:
    """Stop a user acting (admin only); their past actions stay in the audit log."""
    with governance(ctx) as store:
        actor = acting_user(store)
        users.set_active(store, actor, name, False)
    out.print(f"user {name} deactivated")


@app.command("activate")
def activate(ctx: typer.Context, name: UserName) -> None:
    """Let a deactivated user act again (admin only)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        users.set_active(store, actor, name, True)
    out.print(f"user {name} activated")


@app.command("passwd")
def passwd(ctx: typer.Context) -> None:
    """Change your own password (asks for the current one); your other sessions end."""
    with governance(ctx, run_housekeeping=False) as store:
        token = saved_token(store.settings.session_file)
        if token is None:
            raise LfrError("not logged in: run lfr login NAME")
        old = ask_secret("current password")
        new = ask_secret("new password", confirm=True)
        identity.change_password(store, token, old, new)
    out.print("password changed")


@app.command("reset")
def reset(
    ctx: typer.Context,
    name: UserName,
    as_json: JsonFlag = False,
) -> None:
    """Give a user a new one-time password (admin only), for a forgotten password;
    their sessions end."""
    with governance(ctx) as store:
        secret = identity.reset_password(store, acting_user(store), name)
    done(
        f"one-time password for {name}: {secret}",
        {"user": name, "one_time_password": secret},
        as_json,
    )
