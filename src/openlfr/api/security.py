"""Who is calling: a bearer token, or the console's session cookie with its CSRF token; and the
headers and limits every response and request gets."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openlfr.config import Settings
from openlfr.constant_time import same
from openlfr.domain.errors import Forbidden, Unauthenticated
from openlfr.services import identity
from openlfr.services.attempts import Attempts
from openlfr.services.unit_of_work import Store

COOKIE = "lfr_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"  # the console's forms carry it as a hidden field
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_LOGIN_BYTES = 4096  # a name and passwords: anyone may send a login, so it is read small

HEADERS = {
    # No inline script or style, nothing from elsewhere, never framed.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no referrer elsewhere; Origin kept for our own forms
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",  # names, alerts and images: nothing kept by a browser or proxy
}
# A published document (a report, the public notice): self-contained, its style inline (the
# charts' SVG carries its own); it runs no script.
DOCUMENT_POLICY = HEADERS["Content-Security-Policy"].replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


@dataclass(frozen=True)
class Caller:
    """The proven user of a request, and the token that proved them."""

    name: str
    token: str
    by_cookie: bool


def csrf_token(token: str) -> str:
    """The CSRF token of the session ``token``: a page can show it, but only someone who
    holds the session (which the HttpOnly cookie keeps from scripts) can compute it."""
    return hmac.new(token.encode(), b"openlfr csrf", hashlib.sha256).hexdigest()


def store_of(request: Request) -> Store:
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


def attempts_of(request: Request, kind: str) -> Attempts:
    """The app's failed tries of ``kind``: token_attempts, login_attempts."""
    attempts = getattr(request.app.state, kind)
    assert isinstance(attempts, Attempts)
    return attempts


def client_address(request: Request) -> str:
    """The caller's address: the peer's, or as a trusted proxy forwards it."""
    return request.client.host if request.client else "unknown"


async def caller(request: Request) -> Caller:
    """The user a request acts for; a cookie-borne request that changes anything must carry
    its CSRF token (header or form field), and one that does not is refused and audited. The
    tokens refused from an address are counted: past a few it waits, growing, and they are
    audited a minute at a time."""
    store = store_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be: Bearer TOKEN")
        token, by_cookie = token.strip(), False
    elif COOKIE in request.cookies:
        token, by_cookie = request.cookies[COOKIE], True
    else:
        raise Unauthenticated(
            "not logged in: log in (POST /api/v1/session) or send Authorization: Bearer TOKEN"
        )
    tries, address = attempts_of(request, "token_attempts"), client_address(request)
    tries.check(address)
    try:
        name = await run_in_threadpool(identity.authenticate, store, token, False)
    except Unauthenticated as exc:
        tries.failed(address, str(exc))
        raise
    if by_cookie and request.method not in SAFE:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            field = (await request.form()).get(CSRF_FIELD)
            sent = field if isinstance(field, str) else None
        if sent is None or not same(sent, csrf_token(token)):
            reason = "missing or wrong CSRF token: reload the page and try again"
            target = f"{request.method} {request.url.path}"
            await run_in_threadpool(store.refused, name, "api.csrf", target, reason)
            raise Forbidden(reason)
    return Caller(name, token, by_cookie)


Acting = Annotated[Caller, Depends(caller)]


def set_session_cookie(
    request: Request, response: Response, login: identity.Login, store: Store
) -> None:
    """Give the browser ``login``'s session: HttpOnly (no script reads it), SameSite=Strict
    (no other site's page sends it) and, beyond loopback, over HTTPS only."""
    lasts = int((login.expires_at - store.now()).total_seconds())  # relative: clocks differ
    response.set_cookie(COOKIE, login.token, max_age=lasts, httponly=True, samesite="strict",
                        secure=request.url.hostname not in LOCAL, path="/")  # fmt: skip


class Guard:
    """ASGI middleware: security headers on every response; request bodies over the settings'
    ``max_request_bytes``, or over ``MAX_LOGIN_BYTES`` to one of the ``logins`` paths (which
    take a request from anyone), refused (413) before they are read in full, whatever
    Content-Length claims."""

    def __init__(self, app: ASGIApp, settings: Settings, logins: frozenset[str]) -> None:
        self.app, self.settings, self.logins = app, settings, logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in self.logins:
            limit = MAX_LOGIN_BYTES
            too_large = f"a login is at most {limit:,} bytes: send only the name and passwords"
        else:
            limit = self.settings.max_request_bytes
            too_large = f"the request is over the {limit:,}-byte limit (max_request_bytes)"
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            response = JSONResponse({"detail": too_large}, status_code=413, headers=HEADERS)
            await response(scope, receive, send)
            return
        counted = 0

        async def limited() -> Message:
            nonlocal counted
            message = await receive()
            counted += len(message.get("body", b""))
            if counted > limit:  # a body longer than it said, or chunked
                raise HTTPException(413, too_large)
            return message

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k.lower().encode(), v.encode()) for k, v in HEADERS.items()
                      if k.lower().encode() not in present),
                ]  # fmt: skip
            await send(message)

        await self.app(scope, limited, headed)
