"""Users and their roles."""

from __future__ import annotations

import sqlalchemy as sa

from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Action, Role, User, check_deactivation, require
from openlfr.services.store import SYSTEM, Store
from openlfr.store.tables import users


def add_user(store: Store, actor: str | None, name: str, roles: list[str]) -> User:
    """Add a user with ``roles``, by an admin; the very first user (actor None) must be an admin."""
    with store.action(actor or name, "user.add", f"user {name}") as act:
        first = act.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        if actor is None:
            if not first:
                raise DomainError(
                    "say who you are (an admin): only the first user is added by no one"
                )
            if Role.ADMIN not in roles:
                raise DomainError(f"the first user ({name}) must hold the admin role")
        else:
            require(act.user(), Action.MANAGE_USERS)
        try:
            parsed = [Role(r) for r in roles]
        except ValueError:
            raise DomainError(
                f"roles {', '.join(roles)}: each must be one of {', '.join(Role)}"
            ) from None
        if not name.strip() or not parsed:
            raise DomainError("a user needs a name and at least one role")
        if name == SYSTEM:
            raise DomainError(f"{SYSTEM} names the software in the audit log: choose another name")
        if act.session.scalars(sa.select(User).where(users.c.name == name)).first():
            raise DomainError(f"there is already a user named {name}")
        user = User(name, parsed)
        act.session.add(user)
        act.detail = {"roles": [str(r) for r in parsed]}
        return user


def set_active(store: Store, actor: str, name: str, active: bool) -> None:
    with store.action(actor, "user.activate" if active else "user.deactivate", name) as act:
        require(act.user(), Action.MANAGE_USERS)
        found = act.session.scalars(sa.select(User).where(users.c.name == name)).first()
        if found is None:
            raise DomainError(f"there is no user named {name}")
        if not active:
            everyone = act.session.scalars(sa.select(User)).all()
            admins = sum(1 for u in everyone if u.active and Role.ADMIN in u.roles)
            check_deactivation(found, admins)
        found.active = active


def list_users(store: Store) -> list[User]:
    with store.reading() as session:
        return list(session.scalars(sa.select(User).order_by(users.c.name)))
