"""Pages for the public, with no login: the notice of deployments that ``lfr report notice``
publishes. The console serves the files as written; it reads nothing else to do it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from openlfr.api.security import DOCUMENT_POLICY

router = APIRouter(include_in_schema=False)

NOT_PUBLISHED = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>No public notice</title>"
    "<p>No public notice has been published here yet.</p></html>"
)


def _published(request: Request, name: str) -> Path | None:
    path = request.app.state.store.settings.notice_folder / name
    return path if path.is_file() else None


@router.get("/notice", response_class=HTMLResponse)
def notice_page(request: Request) -> Response:
    """The public notice as ``lfr report notice`` last wrote it, or a page saying there is
    none."""
    path = _published(request, "notice.html")
    if path is None:
        return HTMLResponse(NOT_PUBLISHED, status_code=404)
    page = path.read_text(encoding="utf-8")
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCUMENT_POLICY})


@router.get("/notice.json")
def notice_json(request: Request) -> Response:
    """The public notice's JSON, or 404 if none has been published."""
    path = _published(request, "notice.json")
    if path is None:
        return Response('{"detail": "no public notice has been published"}', status_code=404,
                        media_type="application/json")  # fmt: skip
    return Response(path.read_bytes(), media_type="application/json")
