"""Who is acting, proven: log in with a password, act with the session token it gives.

The CLI keeps the token in a file only its OS account can read; the API will
take the same tokens. Only tokens' and one-time passwords' SHA-256 and
passwords' argon2id digests are stored, so a copy of the database lets no one
log in. Every login, refused ones included, is in the audit log, which is
also what counts the wrong passwords that make a name wait.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.domain.errors import DomainError, Invalid, NotFound, Throttled, Unauthenticated
from openlfr.domain.identity import (
    WRONG,
    check_new_password,
    one_time_expiry,
    seconds,
    wait_after,
)
from openlfr.domain.roles import USER_NAME, Action, Role, User, require
from openlfr.errors import LfrError
from openlfr.services.unit_of_work import Act, Store, acting, fetch
from openlfr.store import audit, integrity, passwords
from openlfr.store.repositories import Users
from openlfr.store.tables import credentials, tokens

LOGIN = "user.login"
AUTHENTICATE = "user.authenticate"
LOGIN_EARLY = "user.login_early"  # a try refused unheard, its name's wait not over
RESET = "user.reset"
SESSION = "session"  # a token kind: a login's
API = "api"  # a token kind: an API client's, made by its user
RECENT_LOGINS = 32  # refused logins read back: enough to reach the longest wait


class NewPasswordNeeded(DomainError):
    """The one-time password was right: its user must now choose their own."""


@dataclass(frozen=True)
class Login:
    """A session: the token that proves it (shown once, kept only as a digest) and its end."""

    user: str
    token: str
    expires_at: datetime


def issue_one_time_password(act: Act, user: User) -> str:
    """Give ``user`` a new one-time password (replacing any password) and end their sessions;
    returns it, to be handed over in person."""
    secret = passwords.one_time_password()
    Users(act.session).forget_credential(user)
    act.insert(
        credentials,
        user_id=user.id,
        digest=passwords.fast_digest(secret),
        one_time=True,
        set_at=act.now,
        expires_at=one_time_expiry(act.now),
    )
    end_sessions(act, user, keep=None)
    return secret


@dataclass(frozen=True)
class Checked:
    """A password checked before the transaction that acts on it: argon2 takes about 0.2 s,
    and on SQLite a transaction holds the database's one write lock, which alerts being raised
    must not wait for. ``digest``: the credential checked against (None: no such user or
    credential); ``new_digest``: the new password's, made ahead when the password was right."""

    digest: str | None
    right: bool
    new_digest: str | None

    def holds_for(self, held: Any) -> bool:
        """Whether the password was right for ``held``, the credential as the action reads it
        (not right if it changed since it was checked)."""
        return held is not None and held.digest == self.digest and self.right


def _check_ahead(store: Store, name: str, password: str, new: str | None = None) -> Checked:
    """``password`` checked against ``name``'s credential as it stands, outside a transaction;
    the action then uses the result only if the credential is still the one checked."""
    with store.reading() as session:
        user = Users(session).named(name)
        held = Users(session).credential(user) if user is not None else None
    if held is None:
        passwords.spend_time(password)  # a name that does not exist answers no faster
        return Checked(None, False, None)
    right = passwords.matches(held.digest, password)
    return Checked(held.digest, right, passwords.slow_digest(new) if right and new else None)


def login(
    store: Store,
    name: str,
    password: str,
    new_password: str | None = None,
    replaces: str | None = None,
) -> Login:
    """A session for ``name`` if ``password`` is theirs. A one-time password also needs
    ``new_password``, which becomes theirs (refused with ``NewPasswordNeeded`` without it).

    After wrong passwords the name waits (``wait_after``) before a try is heard: one sooner is
    refused (``Throttled``) unchecked, and audited as ``LOGIN_EARLY`` so it adds no wait.

    ``replaces``: the session token the logging-in client held (the CLI's saved session, the
    console's cookie), whoever's it was: it ends with this login, so no session lives on that
    no client holds any more. Other clients' sessions, and API tokens, are not touched."""
    who = name if USER_NAME.fullmatch(name) else "(not a user name)"
    target = f"user {who}"
    with store.reading() as session:
        early = _too_soon(session, who, target, store.now())
    if early is not None:
        store.refused(who, LOGIN_EARLY, target, str(early))
        raise early
    checked = _check_ahead(store, who, password, new_password)
    with store.action(who, LOGIN, target) as act:
        early = _too_soon(act.session, who, target, act.now)  # another try came in meanwhile
        if early is not None:
            raise early
        user = Users(act.session).named(who)
        held = _credential(act, user)
        if not checked.holds_for(held):
            raise Unauthenticated(WRONG)
        assert user is not None
        if not user.active:
            raise Unauthenticated(f"user {who} is deactivated: ask an admin")
        if held.one_time:
            if held.expires_at is not None and act.now >= held.expires_at:
                raise DomainError(
                    f"the one-time password of {who} has expired: ask an admin for a new one "
                    "(lfr user reset)"
                )
            if new_password is None:
                raise NewPasswordNeeded(
                    f"{who} logs in for the first time: choose a password of your own"
                )
            _set_password(act, user, new_password, password, checked.new_digest)
        hours = store.settings.session_hours
        if replaces is not None:
            its = tokens.c.digest == passwords.fast_digest(replaces)
            live = sa.and_(its, tokens.c.kind == SESSION, tokens.c.revoked_at.is_(None))
            act.update(tokens, live, revoked_at=act.now)
        return _new_session(act, user, timedelta(hours=hours))


def _too_soon(session: Session, who: str, target: str, now: datetime) -> Throttled | None:
    """The refusal of a try at ``who``'s password before their wait is over, if it is not:
    the wait grows with their wrong passwords in a row (refused logins for other reasons
    skipped) since they last logged in or were reset."""
    failures: list[str] = []
    for entry in audit.latest(session, (LOGIN, RESET), target, RECENT_LOGINS):
        if entry.outcome != "refused":
            break
        if entry.action == LOGIN and json.loads(entry.detail).get("reason") == WRONG:
            failures.append(entry.at)
    if not failures:
        return None
    left = datetime.fromisoformat(failures[0]) + wait_after(len(failures)) - now
    if left <= timedelta(0):
        return None
    return Throttled(
        f"{len(failures)} wrong passwords for {who} in a row: try again in {seconds(left)} s",
        seconds(left),
    )


def authenticate(store: Store, token: str, audited: bool = True) -> str:
    """The name of the user whose session or API ``token`` is, if it is live and they are
    active; a token refused is audited (it was presented: someone holds it), unless not
    ``audited``: the API audits the tokens refused from an address a minute at a time."""
    try:
        with store.reading() as session:
            found = Users(session).token(passwords.fast_digest(token))
            if found is None or found.revoked_at is not None or store.now() >= found.expires_at:
                raise Unauthenticated(
                    "this session has ended (expired, logged out, revoked or reset), or never "
                    "began: log in again"
                )
            integrity.checked(session, tokens, [found])
            user = fetch(session, User, found.user_id)
            integrity.current_objects(session, [user])
        if not user.active:
            raise Unauthenticated(f"user {user.name} is deactivated: ask an admin")
    except LfrError as exc:
        if audited or not isinstance(exc, Unauthenticated):  # an edited row: at once
            store.refused("(unproven)", AUTHENTICATE, "a token", str(exc))
        raise
    return user.name


def logout(store: Store, token: str) -> None:
    """End the session ``token``."""
    name = authenticate(store, token)
    with store.action(name, "user.logout", f"user {name}") as act:
        act.update(tokens, tokens.c.digest == passwords.fast_digest(token), revoked_at=act.now)


def change_password(store: Store, token: str, old: str, new: str) -> None:
    """Replace the password of the session's user, who gives it again; their other sessions
    end."""
    name = authenticate(store, token)
    checked = _check_ahead(store, name, old, new)
    with store.action(name, "user.passwd", f"user {name}") as act:
        user = act.user()
        held = _credential(act, user)
        if not checked.holds_for(held):
            raise DomainError(f"that is not the current password of {name}")
        _set_password(act, user, new, old, checked.new_digest)
        end_sessions(act, user, keep=passwords.fast_digest(token))


def reset_password(store: Store, actor: str, name: str) -> str:
    """A new one-time password for ``name`` (admin only), whose sessions end; returns it."""
    with store.action(actor, RESET, f"user {name}") as act:
        require(act.user(), Action.MANAGE_USERS)
        user = Users(act.session).named(name)
        if user is None:
            raise NotFound(f"there is no user named {name}")
        return issue_one_time_password(act, user)


@dataclass(frozen=True)
class ApiToken:
    """A token an API client sends as ``Authorization: Bearer``; ``secret`` only when made."""

    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    secret: str | None = None


def create_token(store: Store, actor: str, password: str, days: int | None = None) -> ApiToken:
    """A new API token for ``actor``, who gives their password again (a session alone, a file
    read once, must not become a token lasting months), lasting ``days`` (at most, and by
    default, ``api_token_days``); its secret is shown once and kept only as a digest."""
    longest = store.settings.api_token_days
    days = longest if days is None else days
    if not 0 < days <= longest:
        raise Invalid(f"an API token lasts 1 to {longest} days (api_token_days), not {days}")
    checked = _check_ahead(store, actor, password)
    secret = passwords.token()
    with store.action(actor, "user.token_create", f"user {actor}") as act:
        user = act.user()
        held = _credential(act, user)
        if not checked.holds_for(held) or held.one_time:
            raise Unauthenticated(f"that is not the password of {actor}: no token made")
        expires = act.now + timedelta(days=days)
        digest = passwords.fast_digest(secret)
        act.insert(tokens, user_id=user.id, digest=digest, kind=API, created_at=act.now,
                   expires_at=expires)  # fmt: skip
        row = Users(act.session).token(digest)
        act.detail = {"token": row.id, "expires": expires.isoformat()}
        return ApiToken(row.id, act.now, expires, None, secret)


def list_tokens(store: Store, actor: str) -> list[ApiToken]:
    """``actor``'s own API tokens, live or not (never their secrets)."""
    with store.reading() as session:
        rows = Users(session).tokens_of(acting(session, actor), API)
    return [ApiToken(r.id, r.created_at, r.expires_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, actor: str, token_id: int) -> None:
    """End ``actor``'s API token ``token_id`` (only its own user revokes a token; an admin's
    password reset ends them all)."""
    with store.action(actor, "user.token_revoke", f"token {token_id}") as act:
        user = act.user()
        mine = {r.id: r for r in Users(act.session).tokens_of(user, API)}
        if token_id not in mine:
            raise NotFound(f"{actor} has no API token {token_id}: lfr token list shows yours")
        if mine[token_id].revoked_at is not None:
            raise DomainError(f"API token {token_id} is already revoked")
        act.update(tokens, tokens.c.id == token_id, revoked_at=act.now)


def _credential(act: Act, user: User | None) -> Any:
    if user is None:
        return None
    integrity.current_objects(act.session, [user])
    found = Users(act.session).credential(user)
    if found is not None:
        integrity.checked(act.session, credentials, [found])
    return found


def _set_password(act: Act, user: User, password: str, old: str, digest: str | None) -> None:
    """Make ``password`` (its argon2 ``digest`` made ahead) ``user``'s, once the rules allow
    it."""
    check_new_password(user.name, password, old)
    assert digest is not None  # made ahead for the password checked right
    act.update(
        credentials,
        credentials.c.user_id == user.id,
        digest=digest,
        one_time=False,
        set_at=act.now,
        expires_at=None,
    )


def _new_session(act: Act, user: User, lasts: timedelta) -> Login:
    secret = passwords.token()
    expires = act.now + lasts
    act.insert(
        tokens,
        user_id=user.id,
        digest=passwords.fast_digest(secret),
        kind=SESSION,
        created_at=act.now,
        expires_at=expires,
    )
    act.detail = {"session_ends": expires.isoformat()}
    return Login(user.name, secret, expires)


def admins_who_can_log_in(act: Act) -> set[str]:
    """The admins who can log in: active, with a password or a one-time password that has not
    expired."""
    found = set()
    for user in Users(act.session).everyone():
        held = _credential(act, user) if user.active and Role.ADMIN in user.roles else None
        if held is not None and (held.expires_at is None or act.now < held.expires_at):
            found.add(user.name)
    return found


def end_sessions(act: Act, user: User, keep: str | None) -> None:
    """End ``user``'s live sessions and API tokens but the one whose digest is ``keep``."""
    live = sa.and_(tokens.c.user_id == user.id, tokens.c.revoked_at.is_(None))
    act.update(tokens, live if keep is None else sa.and_(live, tokens.c.digest != keep),
               revoked_at=act.now)  # fmt: skip
