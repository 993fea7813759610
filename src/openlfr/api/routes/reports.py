"""Published records (an authorising officer or an auditor): a deployment's record and the
transparency and equitability reports of a period as HTML, CSV or JSON, and the public notice
written to the folder the console serves at /notice."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
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


class PeriodReport(StrEnum):
    TRANSPARENCY = "transparency"  # the records of every deployment that went live, totals
    EQUITABILITY = "equitability"  # alerts, true and false, by group beside the watchlists


MAKERS = {
    PeriodReport.TRANSPARENCY: reports.transparency_report,
    PeriodReport.EQUITABILITY: reports.equitability_report,
}


@router.get("/{report}", response_class=Response)
def period_report(
    report: PeriodReport,
    first: FirstDay,
    last: LastDay,
    who: Acting,
    store: StoreDep,
    fmt: FormatQuery = Format.JSON,
) -> Response:
    """A report of the deployments that went live in the period: their records and totals
    (transparency), or their alerts by group beside the watchlists' composition
    (equitability)."""
    made = MAKERS[report](store, who.name, first, last, fmt)
    return document(made, fmt, f"{report}-{first}-{last}")


@router.post("/notice", response_model=Published)
def publish_notice(who: Acting, store: StoreDep) -> Published:
    """Write the public notice where the console serves it (/notice and /notice.json)."""
    return Published(files=[str(p) for p in reports.publish_notice(store, who.name)])
