"""``lfr init`` and ``lfr recover``: making a store with its first admin, and the store owner's
way back in when no admin can log in."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from openlfr.cli.common import JsonFlag, current_settings, done
from openlfr.jsonable import jsonable
from openlfr.services import users
from openlfr.services.unit_of_work import Store

AdminName = Annotated[str, typer.Argument(help="the admin's user name")]


def init(ctx: typer.Context, name: AdminName, as_json: JsonFlag = False) -> None:
    """Make the store (the database named by the settings, the master key, the audit log) and
    its first admin, NAME; prints NAME's one-time password (72 hours), to hand over in person.

    Run it once, as the OS account that will own the store; nothing else makes a store.
    """
    store = Store(current_settings(ctx), create=True)
    try:
        added = users.add_first_admin(store, name)
    finally:
        store.close()
    secret = added.one_time_password
    message = (
        f"store made in {store.settings.database}; admin {name} added, one-time password: "
        f"{secret} (lfr login {name} replaces it within 72 hours)"
    )
    done(message, {**jsonable(added.user), "one_time_password": secret}, as_json)


def recover(ctx: typer.Context, name: AdminName, as_json: JsonFlag = False) -> None:
    """A new one-time password for admin NAME, who is active again: for the store's owner (the
    OS account that opens its database and master key) when every admin's password is lost or
    has lapsed. Audited as the owner's."""
    store = Store(current_settings(ctx))
    try:
        secret = users.recover_admin(store, f"(store owner {getpass.getuser()})", name)
    finally:
        store.close()
    message = f"admin {name} recovered; one-time password: {secret}"
    done(message, {"user": name, "one_time_password": secret}, as_json)
