"""Users, their roles, and which role may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from openlfr.domain.errors import DomainError, Forbidden


class Role(StrEnum):
    ADMIN = "admin"  # manages users and the master key
    PLANNER = "planner"  # requests deployments and compiles their watchlists
    AUTHORISING_OFFICER = "authorising_officer"
    WATCHLIST_MANAGER = "watchlist_manager"  # enrols, reviews and removes subjects
    OPERATOR = "operator"  # runs a live deployment and adjudicates its alerts
    AUDITOR = "auditor"


class Action(StrEnum):
    MANAGE_USERS = "manage users"
    MANAGE_CAMERAS = "register or remove cameras"
    ROTATE_KEYS = "rotate the master key"
    REQUEST_DEPLOYMENT = "request a deployment"
    AUTHORISE_DEPLOYMENT = "authorise a deployment"
    CHANGE_THRESHOLD = "change a deployment's match threshold"
    COMPILE_WATCHLIST = "compile a deployment's watchlist"
    APPROVE_WATCHLIST = "approve a deployment's watchlist"
    START_DEPLOYMENT = "start a deployment"
    CLOSE_DEPLOYMENT = "close a deployment"
    CANCEL_DEPLOYMENT = "cancel a deployment"
    MANAGE_SUBJECTS = "enrol, review or remove watchlist subjects"
    ADJUDICATE = "adjudicate an alert"
    CORRECT_ADJUDICATION = "correct an adjudication after its deployment closed"
    RECORD_DISPOSAL = "record the disposal of an arrest"
    VIEW_BIOMETRICS = "view reference images or alert crops"
    AUDIT = "verify or export the audit log"
    VIEW_SUBJECTS = "see watchlist subjects' records"
    VIEW_ALERTS = "see alerts"
    VIEW_DEPLOYMENTS = "see deployments"
    PUBLISH_RECORDS = "produce deployment records and transparency reports"


_R = Role
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.MANAGE_USERS: frozenset({_R.ADMIN}),
    Action.MANAGE_CAMERAS: frozenset({_R.ADMIN}),
    Action.ROTATE_KEYS: frozenset({_R.ADMIN}),
    Action.REQUEST_DEPLOYMENT: frozenset({_R.PLANNER, _R.AUTHORISING_OFFICER}),
    Action.AUTHORISE_DEPLOYMENT: frozenset({_R.AUTHORISING_OFFICER}),
    Action.CHANGE_THRESHOLD: frozenset({_R.AUTHORISING_OFFICER}),
    Action.COMPILE_WATCHLIST: frozenset({_R.PLANNER, _R.AUTHORISING_OFFICER}),
    Action.APPROVE_WATCHLIST: frozenset({_R.AUTHORISING_OFFICER}),
    Action.START_DEPLOYMENT: frozenset({_R.OPERATOR, _R.AUTHORISING_OFFICER}),
    Action.CLOSE_DEPLOYMENT: frozenset({_R.OPERATOR, _R.AUTHORISING_OFFICER}),
    Action.CANCEL_DEPLOYMENT: frozenset({_R.PLANNER, _R.AUTHORISING_OFFICER}),
    Action.MANAGE_SUBJECTS: frozenset({_R.WATCHLIST_MANAGER}),
    Action.ADJUDICATE: frozenset({_R.OPERATOR}),
    Action.CORRECT_ADJUDICATION: frozenset({_R.AUDITOR}),
    Action.RECORD_DISPOSAL: frozenset({_R.OPERATOR}),
    Action.VIEW_BIOMETRICS: frozenset({_R.OPERATOR, _R.WATCHLIST_MANAGER, _R.AUDITOR}),
    Action.AUDIT: frozenset({_R.AUDITOR, _R.ADMIN}),
    Action.VIEW_SUBJECTS: frozenset({_R.WATCHLIST_MANAGER, _R.AUTHORISING_OFFICER, _R.AUDITOR}),
    Action.VIEW_ALERTS: frozenset({_R.OPERATOR, _R.AUTHORISING_OFFICER, _R.AUDITOR}),
    Action.VIEW_DEPLOYMENTS: frozenset(_R),
    # Counts of alerts by adjudication and group: for those who answer for the deployments.
    Action.PUBLISH_RECORDS: frozenset({_R.AUTHORISING_OFFICER, _R.AUDITOR}),
}


@dataclass
class User:
    """A person who acts on the system; ``roles`` says what they may do."""

    name: str
    roles: list[Role] = field(default_factory=list)
    active: bool = True
    id: int | None = None

    def may(self, action: Action) -> bool:
        return self.active and bool(ALLOWED[action].intersection(self.roles))


def require(user: User, action: Action) -> None:
    """Refuse unless ``user`` holds a role allowed to do ``action``."""
    if not user.active:
        raise Forbidden(f"user {user.name} is deactivated and may not {action}")
    if not user.may(action):
        needed = " or ".join(sorted(ALLOWED[action]))
        held = ", ".join(user.roles) or "no role"
        raise Forbidden(f"user {user.name} ({held}) may not {action}: that needs the role {needed}")


def check_deactivation(user: User, admins_who_can_log_in: set[str]) -> None:
    """Refuse to deactivate the last admin who can log in (active, with a password or a
    one-time password not expired): no one could then manage users again, and no command
    recovers. (No command takes a role away.)"""
    if admins_who_can_log_in == {user.name}:
        raise DomainError(
            f"{user.name} is the last admin who can log in: add another admin, or reset one's "
            "password (lfr user reset), first"
        )


SYSTEM = "system"  # the actor for what the software does by itself (closing, purging)

# ASCII lower case, digits and . _ -: no look-alike letters, spaces or terminal escapes.
USER_NAME = re.compile(r"[a-z][a-z0-9._-]{0,63}")


def new_user_roles(name: str, roles: list[str], first: bool, taken: bool) -> list[Role]:
    """The roles of a new user called ``name``, or a refusal. The first user of an
    installation must be an admin; names are unique, plain and never the software's."""
    if not USER_NAME.fullmatch(name):
        raise DomainError(
            f"user name {name!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    if name == SYSTEM:
        raise DomainError(f"{SYSTEM} names the software in the audit log: choose another name")
    try:
        parsed = [Role(r) for r in roles]
    except ValueError:
        raise DomainError(
            f"roles {', '.join(roles)}: each must be one of {', '.join(Role)}"
        ) from None
    if not parsed:
        raise DomainError("a user needs at least one role")
    if first and Role.ADMIN not in parsed:
        raise DomainError(f"the first user ({name}) must hold the admin role")
    if taken:
        raise DomainError(f"there is already a user named {name}")
    return parsed
