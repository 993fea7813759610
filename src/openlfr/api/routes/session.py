"""Log in and out, who am I, my password, my API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from openlfr.api.deps import Ident, StoreDep, login_attempt
from openlfr.api.security import COOKIE, Acting, csrf_token, set_session_cookie
from openlfr.domain.roles import Role
from openlfr.services import identity, users

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    name: str
    password: str
    new_password: str | None = Field(
        None, description="at the first login (a one-time password): the password to set"
    )


class SessionOut(BaseModel):
    user: str
    roles: list[Role]
    expires_at: datetime | None = None
    csrf: str = Field(description="send as X-CSRF-Token with a cookie-borne change")
    token: str | None = Field(None, description="the session token, shown once at login")


class PasswordChange(BaseModel):
    old: str
    new: str


class TokenRequest(BaseModel):
    password: str = Field(description="the caller's password, given again: a session alone "
                          "does not make a token")  # fmt: skip
    days: int | None = Field(None, description="at most, and by default, api_token_days")


@router.post("/session", response_model=SessionOut)
def log_in(body: Credentials, request: Request, response: Response, store: StoreDep) -> SessionOut:
    """Log in: the session is set as an HttpOnly cookie and its token returned once. It
    replaces the session of the cookie the request came with (this browser's), which ends;
    other clients' sessions and API tokens are not touched."""
    held = request.cookies.get(COOKIE)
    with login_attempt(request):
        login = identity.login(store, body.name, body.password, body.new_password, replaces=held)
    set_session_cookie(request, response, login, store)
    roles = users.roles_of(store, login.user)
    return SessionOut(
        user=login.user, roles=roles, expires_at=login.expires_at, csrf=csrf_token(login.token),
        token=login.token,
    )  # fmt: skip


@router.delete("/session", status_code=204)
def log_out(who: Acting, response: Response, store: StoreDep) -> None:
    """End the session (or the token) this request came with."""
    identity.logout(store, who.token)
    response.delete_cookie(COOKIE, path="/")


@router.get("/me", response_model=SessionOut)
def me(who: Acting, store: StoreDep) -> SessionOut:
    """The caller, their roles, and the CSRF token of their session."""
    return SessionOut(user=who.name, roles=users.roles_of(store, who.name),
                      csrf=csrf_token(who.token))  # fmt: skip


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, who: Acting, store: StoreDep) -> None:
    """Change the caller's password; their other sessions and tokens end."""
    identity.change_password(store, who.token, body.old, body.new)


@router.get("/tokens", response_model=list[identity.ApiToken])
def list_tokens(who: Acting, store: StoreDep) -> list[identity.ApiToken]:
    """The caller's API tokens (never their secrets)."""
    return identity.list_tokens(store, who.name)


@router.post("/tokens", response_model=identity.ApiToken, status_code=201)
def create_token(body: TokenRequest, who: Acting, store: StoreDep) -> identity.ApiToken:
    """A new API token for the caller, who gives their password again; its ``secret`` is
    shown this once."""
    return identity.create_token(store, who.name, body.password, body.days)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Ident, who: Acting, store: StoreDep) -> None:
    """Revoke one of the caller's API tokens."""
    identity.revoke_token(store, who.name, token_id)
