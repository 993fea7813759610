"""``lfr user add|list|deactivate|activate``."""

from __future__ import annotations

from typing import Annotated

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    done,
    given_user,
    governance,
    out,
    print_json,
    table,
)
from openlfr.domain.roles import Role
from openlfr.services import users

app = typer.Typer(no_args_is_help=True, help="The people who act on the system, and their roles.")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the user's name (their OS account name)")],
    roles: Annotated[list[Role], typer.Option("--role", help="a role; repeat for more")],
    as_json: JsonFlag = False,
) -> None:
    """Add a user with roles (admin only; the very first user needs no --user and is an admin)."""
    with governance() as store:
        user = users.add_user(store, given_user(), name, [r.value for r in roles])
    done(f"added user {user.name} ({', '.join(user.roles)})", user, as_json)


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """Every user, their roles and whether they are active."""
    with governance() as store:
        found = users.list_users(store)
    if as_json:
        print_json(found)
        return
    shown = table("name", "roles", "active")
    for u in found:
        shown.add_row(u.name, ", ".join(u.roles), "yes" if u.active else "no")
    out.print(shown)


@app.command("deactivate")
def deactivate(name: Annotated[str, typer.Argument(help="the user's name")]) -> None:
    """Stop a user acting (admin only); their past actions stay in the audit log."""
    actor = acting_user()
    with governance() as store:
        users.set_active(store, actor, name, False)
    out.print(f"user {name} deactivated")


@app.command("activate")
def activate(name: Annotated[str, typer.Argument(help="the user's name")]) -> None:
    """Let a deactivated user act again (admin only)."""
    actor = acting_user()
    with governance() as store:
        users.set_active(store, actor, name, True)
    out.print(f"user {name} activated")
