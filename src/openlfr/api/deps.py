"""What routes take besides the caller: the store, and the login throttle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from openlfr.api.security import LoginThrottle, store_of
from openlfr.services.unit_of_work import Store

if TYPE_CHECKING:
    from openlfr.vision.engine import Engine

StoreDep = Annotated[Store, Depends(store_of)]


def throttle_of(request: Request) -> LoginThrottle:
    throttle = request.app.state.login_throttle
    assert isinstance(throttle, LoginThrottle)
    return throttle


def engine_of(request: Request) -> Engine:
    """The app's face engine, loaded at its first use (enrolment) and kept."""
    from openlfr.vision.engine import Engine  # the vision stack loads when needed

    with request.app.state.engine_lock:
        if request.app.state.engine is None:
            request.app.state.engine = Engine(store_of(request).settings)
        engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine
