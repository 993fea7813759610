"""Users (admins manage them)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from openlfr.api.deps import StoreDep, UserName
from openlfr.api.security import Acting
from openlfr.domain.roles import Role
from openlfr.services import identity, users

router = APIRouter(prefix="/users", tags=["users"])


class UserOut(BaseModel):
    name: str
    roles: list[Role]
    active: bool


class NewUserIn(BaseModel):
    name: str
    roles: list[Role]


class OneTimePassword(BaseModel):
    user: str
    one_time_password: str


@router.get("", response_model=list[UserOut])
def list_users(who: Acting, store: StoreDep) -> list[UserOut]:
    return [UserOut(name=u.name, roles=u.roles, active=u.active) for u in users.list_users(store)]


@router.post("", response_model=OneTimePassword, status_code=201)
def add_user(body: NewUserIn, who: Acting, store: StoreDep) -> OneTimePassword:
    """Add a user (admin); the one-time password is shown this once, to hand over in person."""
    added = users.add_user(store, who.name, body.name, [str(r) for r in body.roles])
    return OneTimePassword(user=added.user.name, one_time_password=added.one_time_password)


@router.post("/{name}/deactivate", status_code=204)
def deactivate(name: UserName, who: Acting, store: StoreDep) -> None:
    users.set_active(store, who.name, name, active=False)


@router.post("/{name}/activate", status_code=204)
def activate(name: UserName, who: Acting, store: StoreDep) -> None:
    users.set_active(store, who.name, name, active=True)


@router.post("/{name}/reset", response_model=OneTimePassword)
def reset(name: UserName, who: Acting, store: StoreDep) -> OneTimePassword:
    """A new one-time password for ``name`` (admin); their sessions and tokens end."""
    secret = identity.reset_password(store, who.name, name)
    return OneTimePassword(user=name, one_time_password=secret)
