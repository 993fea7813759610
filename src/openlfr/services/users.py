"""Users and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from openlfr.domain.errors import DomainError, NotFound
from openlfr.domain.roles import Action, Role, User, check_deactivation, new_user_roles, require
from openlfr.services import identity
from openlfr.services.unit_of_work import Store, acting
from openlfr.store.repositories import Users


@dataclass(frozen=True)
class NewUser:
    """A user just added, and the one-time password to hand them (their first login replaces
    it with one of their own)."""

    user: User
    one_time_password: str


def add_user(store: Store, actor: str | None, name: str, roles: list[str]) -> NewUser:
    """Add a user with ``roles``, by an admin; the very first user (actor None) must be an admin
    and is given a one-time password that does not expire."""
    with store.action(actor or name, "user.add", f"user {name}") as act:
        known = Users(act.session)
        first = known.count() == 0
        if actor is None and not first:
            raise DomainError(
                "log in as an admin (lfr login NAME): only the first user is added by no one"
            )
        if actor is not None:
            require(act.user(), Action.MANAGE_USERS)
        taken = known.named(name)
        parsed = new_user_roles(name, roles, first, taken is not None)
        user = User(name, parsed)
        act.session.add(user)
        act.session.flush()
        act.detail = {"roles": [str(r) for r in parsed]}
        return NewUser(user, identity.issue_one_time_password(act, user, first_admin=first))


def set_active(store: Store, actor: str, name: str, active: bool) -> None:
    """Let ``name`` act again, or stop them (admin only): a deactivated user's sessions and API
    tokens all end, so reactivation brings none back; the last admin who can log in stays."""
    with store.action(actor, "user.activate" if active else "user.deactivate", name) as act:
        require(act.user(), Action.MANAGE_USERS)
        known = Users(act.session)
        found = known.named(name)
        if found is None:
            raise NotFound(f"there is no user named {name}")
        if not active:
            check_deactivation(found, identity.admins_who_can_log_in(act))
            identity.end_sessions(act, found, keep=None)
        found.active = active


def list_users(store: Store) -> list[User]:
    with store.reading() as session:
        return Users(session).everyone()


def roles_of(store: Store, name: str) -> list[Role]:
    """The roles of user ``name``."""
    with store.reading() as session:
        return list(acting(session, name).roles)
