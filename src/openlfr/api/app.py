"""The FastAPI application: its store, middleware, refusals, the API's routes and the
console's pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from openlfr import __version__
from openlfr.api.errors import REFUSALS, refusal
from openlfr.api.routes import (
    alerts,
    audit,
    cameras,
    deployments,
    health,
    reports,
    session,
    subjects,
    users,
)
from openlfr.api.security import Guard
from openlfr.errors import LfrError
from openlfr.services import housekeeping, identity
from openlfr.services.attempts import FREE_LOGINS, FREE_TOKENS, WINDOW, Attempts
from openlfr.services.unit_of_work import Store
from openlfr.web import pages, public

if TYPE_CHECKING:
    from openlfr.vision.engine import Engine

PREFIX = "/api/v1"
# Routes anyone may post to, a name and passwords: their bodies are kept small.
LOGINS = frozenset({f"{PREFIX}/session", f"{PREFIX}/me/password", "/login"})
HOUSEKEEPING_EVERY = 60.0  # seconds: closes, purges and review flags fall due by the clock


def create_app(store: Store, engine: Engine | None = None) -> FastAPI:
    """The API over ``store`` (its owner closes it); ``engine``: one already loaded, else one
    is loaded at the first enrolment."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        news = app.state.alert_news = alerts.AlertNews(store)
        tasks = [asyncio.create_task(_keep_house(store)), asyncio.create_task(news.watch()),
                 asyncio.create_task(_summarise(tries))]  # fmt: skip
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            for attempts in tries:
                await run_in_threadpool(attempts.summarise, True)

    app = FastAPI(
        title="openlfr",
        version=__version__,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN: nothing is fetched
        redoc_url=None,
        lifespan=lifespan,
    )
    tries = (Attempts(store, identity.LOGIN, FREE_LOGINS),
             Attempts(store, identity.AUTHENTICATE, FREE_TOKENS))  # fmt: skip
    app.state.store, (app.state.login_attempts, app.state.token_attempts) = store, tries
    app.state.engine, app.state.engine_lock = engine, threading.Lock()
    app.state.notice_alarms = set()  # public notice files found altered, each audited once
    app.add_middleware(Guard, settings=store.settings, logins=LOGINS)
    if store.settings.trusted_proxies:  # the caller's address and scheme as a proxy says
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=store.settings.trusted_proxies)
    app.add_exception_handler(LfrError, refusal)
    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(public.router)
    app.mount("/static", StaticFiles(directory=Path(pages.__file__).parent / "static"))
    for module in (session, users, cameras, deployments, subjects, alerts, audit, reports):
        app.include_router(module.router, prefix=PREFIX, responses=REFUSALS)
    return app


def server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving ``app`` at ``host``:``port``, with its own reading of forwarded headers
    off: uvicorn would believe them from 127.0.0.1, so anyone on this machine could claim
    any address; ``app`` reads them from its ``trusted_proxies`` only."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False)
    return uvicorn.Server(config)


async def _summarise(tries: tuple[Attempts, ...]) -> None:
    """Audit the failed tries of each address a minute at a time."""
    while True:
        await asyncio.sleep(WINDOW.total_seconds())
        for attempts in tries:
            await run_in_threadpool(attempts.summarise)


async def _keep_house(store: Store) -> None:
    """Do what falls due by the clock (closes, purges, review flags) every minute."""
    while True:
        await run_in_threadpool(housekeeping.run, store)
        await asyncio.sleep(HOUSEKEEPING_EVERY)
