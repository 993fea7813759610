"""Alerts: list, read, adjudicate, amend, correct, record an arrest's disposal, their images
(an audited read each), and the live feed (server-sent events, resumable with Last-Event-ID)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, TypeAdapter
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from openlfr.api.deps import AfterId, BeforeId, Ident, Newest, OfDeployment, StoreDep
from openlfr.api.security import Acting, Caller
from openlfr.domain.alert import Adjudication, Alert, Disposal, Outcome
from openlfr.errors import LfrError
from openlfr.image_types import image_kind
from openlfr.services import alerts, identity
from openlfr.services.unit_of_work import Store

router = APIRouter(prefix="/alerts", tags=["alerts"])

POLL = 0.05  # seconds between looks at the newest alert id, for all the feed's clients
RECHECK = 10.0  # seconds between checks that the feed's session still holds
WRITES_KEPT = 1000  # alert writes kept for feed clients to catch up on
AS_JSON = TypeAdapter(Alert)


class AdjudicationIn(BaseModel):
    verdict: Adjudication
    outcome: Outcome | None = None
    note: str = ""
    # The alert's version the verdict was decided on (as read): refused (409) if it has changed.
    version: int


class ChangeIn(AdjudicationIn):
    """An amendment (deployment running) or a correction (closed): a verdict changed, and why."""

    reason: str


class DisposalIn(BaseModel):
    disposal: Disposal
    note: str = ""


@router.get("", response_model=list[Alert])
def list_alerts(
    who: Acting,
    store: StoreDep,
    deployment: OfDeployment = None,
    after: AfterId = 0,
    before: BeforeId = None,
    newest: Newest = None,
) -> list[Alert]:
    """Alerts with ids after ``after`` and before ``before``, oldest first (of one deployment
    if given; only the ``newest`` of them if given: pages, going back with ``before``)."""
    return alerts.list_alerts(store, who.name, deployment, after, before, newest)


@router.get("/feed", response_class=EventSourceResponse)
async def feed(
    request: Request,
    who: Acting,
    store: StoreDep,
    deployment: OfDeployment = None,
    after: AfterId = 0,
) -> EventSourceResponse:
    """Alerts as they are committed, as server-sent events (``event: alert``, ``id``: the
    alert's id, ``data``: the alert). A client that reconnects with ``Last-Event-ID`` (or
    ``after``) gets every alert it missed first. An alert written since (adjudicated, amended,
    corrected, disposed of, purged) is ``event: update``, ``data``: its id only, for a page
    showing it to read it again. The feed ends when the session does."""
    resume = request.headers.get("last-event-id", "")
    start = int(resume) if resume.isdigit() else after
    news = request.app.state.alert_news
    return EventSourceResponse(_events(store, news, who, deployment, start))


async def _events(
    store: Store, news: AlertNews, who: Caller, deployment: int | None, last: int
) -> AsyncIterator[dict[str, str]]:
    seen, checked = News(-1, news.now.written), time.monotonic()
    try:
        while True:
            now = await news.beyond(seen, RECHECK)
            found: list[Alert] = []
            if now.newest != seen.newest:  # something new somewhere: read (and audit) it
                found = await run_in_threadpool(
                    alerts.list_alerts, store, who.name, deployment, last
                )
            written = news.written_after(seen.written)
            seen = now
            if found or written or time.monotonic() - checked > RECHECK:
                # After the read: nothing is shown once the session has ended.
                await run_in_threadpool(identity.authenticate, store, who.token)
                checked = time.monotonic()
            for a in found:
                last = a.id or last
                yield {"id": str(a.id), "event": "alert", "data": AS_JSON.dump_json(a).decode()}
            for ident in written:
                yield {"event": "update", "data": str(ident)}
    except LfrError as exc:  # the session ended, the user was deactivated
        yield {"event": "end", "data": str(exc)}


@dataclass(frozen=True)
class News:
    """The newest alert's id, and the audit log's newest entry as of the last alert write."""

    newest: int
    written: int


class AlertNews:
    """The newest alert id and the alerts written since, watched by one poll of the database
    for every feed client (numbers, not a read), and the clients woken when they change."""

    def __init__(self, store: Store) -> None:
        self.store, self.now = store, News(-1, -1)
        self.writes: deque[tuple[int, int]] = deque(maxlen=WRITES_KEPT)  # (entry, alert id)
        self.changed = asyncio.Condition()

    async def watch(self) -> None:
        """Poll the newest alert id and the alert writes every ``POLL`` seconds, for as long
        as the app runs."""
        after: int | None = None  # the first poll takes the log's head, and no history
        while True:
            newest = await run_in_threadpool(alerts.last_alert_id, self.store)
            head, written = await run_in_threadpool(alerts.alert_writes, self.store, after)
            after = head
            now = News(newest, head if written else max(self.now.written, 0))
            if now != self.now:
                async with self.changed:
                    self.writes.extend((head, ident) for ident in written)
                    self.now = now
                    self.changed.notify_all()
            await asyncio.sleep(POLL)

    async def beyond(self, seen: News, within: float) -> News:
        """The news once it is not ``seen`` (or after ``within`` seconds)."""
        async with self.changed:
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    self.changed.wait_for(lambda: self.now.newest != -1 and self.now != seen),
                    within,
                )
            return self.now

    def written_after(self, entry: int) -> list[int]:
        """The alerts written by audit entries after ``entry`` (those still kept)."""
        return sorted({ident for at, ident in self.writes if at > entry})


@router.get("/{ident}", response_model=Alert)
def get_alert(ident: Ident, who: Acting, store: StoreDep) -> Alert:
    return alerts.get_alert(store, who.name, ident)


@router.post("/{ident}/adjudication", response_model=Alert)
def adjudicate(ident: Ident, body: AdjudicationIn, who: Acting, store: StoreDep) -> Alert:
    """The operator's verdict on an alert awaiting one, and what happened; refused (409) if
    the alert was adjudicated since ``version``."""
    return alerts.adjudicate(
        store, who.name, ident, body.verdict, body.outcome, body.note, body.version
    )


@router.post("/{ident}/amendment", response_model=Alert)
def amend(ident: Ident, body: ChangeIn, who: Acting, store: StoreDep) -> Alert:
    """An operator's change of a running deployment's verdict, with the reason; refused (409)
    if the alert has changed since ``version``."""
    return alerts.amend(
        store, who.name, ident, body.verdict, body.outcome, body.note, body.reason, body.version
    )


@router.post("/{ident}/correction", response_model=Alert)
def correct(ident: Ident, body: ChangeIn, who: Acting, store: StoreDep) -> Alert:
    """An auditor's correction of a closed deployment's alert, with the reason; refused (409)
    if the alert has changed since ``version``."""
    return alerts.correct(
        store, who.name, ident, body.verdict, body.outcome, body.note, body.reason, body.version
    )


@router.post("/{ident}/disposal", response_model=Alert)
def record_disposal(ident: Ident, body: DisposalIn, who: Acting, store: StoreDep) -> Alert:
    """What became of the arrest the alert led to (an operator)."""
    return alerts.record_disposal(store, who.name, ident, body.disposal, body.note)


@router.get(
    "/{ident}/images/{which}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def image(
    ident: Ident, which: Literal["probe", "reference"], who: Acting, store: StoreDep
) -> Response:
    """The alert's probe crop or the matched reference image (an audited read; never cached)."""
    probe, reference = alerts.view_biometrics(store, who.name, ident)
    data = probe if which == "probe" else reference
    return Response(data, media_type=image_kind(data)[1])
