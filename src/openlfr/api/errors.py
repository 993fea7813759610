"""Refusals as HTTP responses: each kind of ``LfrError`` its status, the one line as ``detail``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from openlfr.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Throttled,
    Unauthenticated,
)
from openlfr.errors import LfrError
from openlfr.store.integrity import RowEditedError

STATUS: list[tuple[type[LfrError], int]] = [
    (Throttled, 429),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Invalid, 400),  # 422 is FastAPI's own, for a request not matching the schema
    (RowEditedError, 409),
    (DomainError, 409),  # a rule refuses it in the current state
    (LfrError, 400),  # bad input: an image that does not open, a bad file
]


class Refusal(BaseModel):
    """Why a request was refused, in one line: what, why, and what to do."""

    detail: str


# Documented on every operation of the API (FastAPI documents 200 and 422 by itself).
REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": Refusal} for code in (400, 401, 403, 404, 409, 413, 429)
}


def status_of(exc: LfrError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


async def refusal(request: Request, exc: Exception) -> Response:
    """The refusal as JSON for the API, as a page (or the login page) for the console."""
    assert isinstance(exc, LfrError)
    code = status_of(exc)
    if not request.url.path.startswith("/api/"):
        from openlfr.web.pages import refused_page

        return refused_page(request, code, str(exc))
    headers = {"WWW-Authenticate": "Bearer"} if code == 401 else {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse({"detail": str(exc)}, status_code=code, headers=headers)
