"""Published records (an authorising officer or an auditor): a deployment's record and the
transparency and equitability reports of a period as HTML, CSV or JSON, and the public notice
written to the folder the console serves at /notice."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from openlfr.api.deps import Ident, StoreDep
from openlfr.api.security import DOCUMENT_POLICY, Acting
from openlfr.reporting.render import Format
from openlfr.services import reports

router = APIRouter(prefix="/reports", tags=["reports"])

FormatQuery = Annotated[Format, Query(alias="format", description="html, csv or json")]
FirstDay = Annotated[date, Query(alias="from", description="first day (UTC), YYYY-MM-DD")]
LastDay = Annotated[date, Query(alias="to", description="last day (UTC), included")]
MEDIA = {Format.HTML: "text/html", Format.CSV: "text/csv", Format.JSON: "application/json"}


class Published(BaseModel):
    files: list[str]


def document(text: str, fmt: Format, name: str) -> Response:
    """A report as its format's media type: HTML shown (a self-contained page, its style
    inline, no script), CSV and JSON downloaded as ``name`` with the format's extension."""
    if fmt == Format.HTML:
        return Response(text, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": DOCUMENT_POLICY})  # fmt: skip
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(text, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


@router.get("/deployments/{ident}", response_class=Response)
def deployment_record(
    ident: Ident, who: Acting, store: StoreDep, fmt: FormatQuery = Format.JSON
) -> Response:
    """The record of one deployment that went live."""
    made = reports.deployment_record(store, who.name, ident, fmt)
    return document(made, fmt, f"deployment-{ident}")


@router.get("/transparency", response_class=Response)
def transparency_report(
    first: FirstDay, last: LastDay, who: Acting, store: StoreDep, fmt: FormatQuery = Format.JSON
) -> Response:
    """The records of every deployment that went live in the period, with their totals."""
    made = reports.transparency_report(store, who.name, first, last, fmt)
    return document(made, fmt, f"transparency-{first}-{last}")


@router.get("/equitability", response_class=Response)
def equitability_report(
    first: FirstDay, last: LastDay, who: Acting, store: StoreDep, fmt: FormatQuery = Format.JSON
) -> Response:
    """Alerts, true and false, by group beside the watchlists' composition, for the period."""
    made = reports.equitability_report(store, who.name, first, last, fmt)
    return document(made, fmt, f"equitability-{first}-{last}")


@router.post("/notice", response_model=Published)
def publish_notice(who: Acting, store: StoreDep) -> Published:
    """Write the public notice where the console serves it (/notice and /notice.json)."""
    return Published(files=[str(p) for p in reports.publish_notice(store, who.name)])
