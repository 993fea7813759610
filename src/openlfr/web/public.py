"""Pages for the public, with no login: the notice of deployments that ``lfr report notice``
publishes, served only while its files are what was published (``services.reports``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from openlfr.api.security import DOCUMENT_POLICY, store_of
from openlfr.services import reports

router = APIRouter(include_in_schema=False)

NOT_PUBLISHED = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>No public notice</title>"
    "<p>No public notice has been published here yet.</p></html>"
)
ALTERED = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Public notice unavailable</title>"
    "<p>The public notice cannot be shown: the copy here is not the one the force published. "
    "This has been recorded for the force to publish it again.</p></html>"
)


async def _published(request: Request, name: str) -> bytes | Response:
    """The notice's file ``name`` as published, or the answer to give instead: 404 if none was
    published, 503 if the file is not what was (each such file audited once, not per visit)."""
    store = store_of(request)
    try:
        found = await run_in_threadpool(reports.published_notice, store, name)
    except reports.NoticeAltered as exc:
        alarms: set[str] = request.app.state.notice_alarms
        if str(exc) not in alarms:
            alarms.add(str(exc))
            await run_in_threadpool(store.refused, "(public)", "notice.serve", name, str(exc))
        return HTMLResponse(ALTERED, status_code=503)
    if found is None:
        return HTMLResponse(NOT_PUBLISHED, status_code=404)
    return found


@router.get("/notice", response_class=HTMLResponse)
async def notice_page(request: Request) -> Response:
    """The public notice as it was last published, or a page saying why there is none."""
    found = await _published(request, "notice.html")
    if isinstance(found, Response):
        return found
    return HTMLResponse(found, headers={"Content-Security-Policy": DOCUMENT_POLICY})


@router.get("/notice.json")
async def notice_json(request: Request) -> Response:
    """The public notice's JSON as last published, or 404 (none published) or 503 (altered)."""
    found = await _published(request, "notice.json")
    if isinstance(found, Response):
        why = "not the one published" if found.status_code == 503 else "not published yet"
        return JSONResponse({"detail": f"the public notice here is {why}"}, found.status_code)
    return Response(found, media_type="application/json")
