"""Users and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from openlfr.domain.errors import DomainError, NotFound
from openlfr.domain.roles import Action, Role, User, check_deactivation, new_user_roles, require
from openlfr.services import identity
from openlfr.services.unit_of_work import Act, Store, acting
from openlfr.store.repositories import Users


@dataclass(frozen=True)
class NewUser:
    """A user just added, and the one-time password to hand them (their first login replaces
    it with one of their own)."""

    user: User
    one_time_password: str


def add_first_admin(store: Store, name: str) -> NewUser:
    """The first admin of a store just made (``lfr init``): added by no one, as there is no one
    yet; refused once the store has users."""
    with store.action(name, "user.add", f"user {name}") as act:
        if Users(act.session).count():
            raise DomainError(
                "this store has its users already: an admin adds more (lfr user add); an admin "
                "who cannot log in is recovered by the store's owner (lfr recover NAME)"
            )
        return _add(act, name, ["admin"], first=True)


def add_user(store: Store, actor: str, name: str, roles: list[str]) -> NewUser:
    """Add a user with ``roles``, by an admin."""
    with store.action(actor, "user.add", f"user {name}") as act:
        require(act.user(), Action.MANAGE_USERS)
        return _add(act, name, roles, first=False)


def _add(act: Act, name: str, roles: list[str], first: bool) -> NewUser:
    parsed = new_user_roles(name, roles, first, Users(act.session).named(name) is not None)
    user = User(name, parsed)
    act.session.add(user)
    act.session.flush()
    act.detail = {"roles": [str(r) for r in parsed]}
    return NewUser(user, identity.issue_one_time_password(act, user))


def recover_admin(store: Store, owner: str, name: str) -> str:
    """A new one-time password for admin ``name``, active again and their sessions ended: the
    way back in when every admin's password is lost or lapsed. Only the store's owner can run
    it (the OS account that opens the database and holds the master key, ``owner``, who could
    rewrite anything anyway); it is audited as theirs. Returns the password."""
    with store.action(owner, "user.recover", f"user {name}") as act:
        user = Users(act.session).named(name)
        if user is None or Role.ADMIN not in user.roles:
            raise NotFound(f"{name} is not an admin of this store (lfr user list shows who is)")
        user.active = True
        act.detail = {"by": "the store's owner"}
        return identity.issue_one_time_password(act, user)


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
