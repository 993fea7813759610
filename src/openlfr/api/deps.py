"""What routes take besides the caller: the store, and the login's guard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Path, Query, Request

from openlfr.api.security import attempts_of, client_address, store_of
from openlfr.domain.camera import CAMERA_NAME
from openlfr.domain.errors import Forbidden, Throttled, Unauthenticated
from openlfr.domain.roles import USER_NAME
from openlfr.services.unit_of_work import Store

if TYPE_CHECKING:
    from openlfr.vision.engine import Engine

StoreDep = Annotated[Store, Depends(store_of)]

MAX_ID = 2**31 - 1  # the largest id the databases' integer columns hold
Ident = Annotated[int, Path(ge=1, le=MAX_ID, description="an id")]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="only what comes after this id")]
BeforeId = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="only what comes before this id")
]
Newest = Annotated[int | None, Query(ge=1, le=1000, description="only the newest this many")]
UserName = Annotated[str, Path(pattern=f"^{USER_NAME.pattern}$", description="a user name")]
CameraName = Annotated[str, Path(pattern=f"^{CAMERA_NAME.pattern}$", description="a camera")]
OfDeployment = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this deployment's")]


@contextmanager
def login_attempt(request: Request) -> Iterator[None]:
    """Around a login: refuse, and audit, one a page of another site sent (its Origin not
    this server's: a login forged across sites would put the victim in the forger's session);
    refuse one from an address still waiting after its failed logins, and count a refused
    login against its address."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        reason = f"a login from a page of another site ({origin}) is refused"
        store_of(request).refused("(unproven)", "user.login", f"origin {origin}", reason)
        raise Forbidden(reason)
    tries, address = attempts_of(request, "login_attempts"), client_address(request)
    tries.check(address)
    try:
        yield
    except (Unauthenticated, Throttled):  # a wrong password, or its name still waiting
        tries.failed(address, None)  # the services audited it
        raise


def engine_of(request: Request) -> Engine:
    """The app's face engine, loaded at its first use (enrolment) and kept."""
    from openlfr.vision.engine import Engine  # the vision stack loads when needed

    with request.app.state.engine_lock:
        if request.app.state.engine is None:
            request.app.state.engine = Engine(store_of(request).settings)
        engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine
