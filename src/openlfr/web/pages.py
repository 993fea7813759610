"""The console's pages: each reads or acts through one service call, as the API does, and
answers a form with a redirect to the page it came from (saying what was done)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from openlfr.api.deps import BeforeId, Ident, OfDeployment, StoreDep, engine_of, login_attempt
from openlfr.api.routes.reports import PeriodReport
from openlfr.api.routes.subjects import read_upload
from openlfr.api.security import COOKIE, Acting, Caller, csrf_token, set_session_cookie
from openlfr.domain.alert import Adjudication, Outcome, verdict_of
from openlfr.domain.deployment import State
from openlfr.domain.errors import Forbidden, Throttled
from openlfr.domain.roles import Action, User, require
from openlfr.errors import LfrError
from openlfr.reporting.render import Format
from openlfr.services import (
    alerts,
    audit,
    cameras,
    counts,
    deployments,
    identity,
    reports,
    shredding,
    users,
    watchlists,
)
from openlfr.services.unit_of_work import Store

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

# The application form: (field, label, kind), in the order the TOML example gives them.
APPLICATION = [
    ("name", "Name", "line"),
    ("use_case", "Use case", "use_case"),
    ("legal_basis", "Legal basis", "text"),
    ("necessity", "Why it is necessary and proportionate", "text"),
    ("location", "Location", "line"),
    ("location_grounds", "Why watchlisted people are expected there", "text"),
    ("starts_at", "Starts", "time"),
    ("ends_at", "Ends", "time"),
    ("cameras", "Cameras", "cameras"),
    ("criteria", "Watchlist categories allowed", "criteria"),
    ("rights_assessment", "Rights assessment", "text"),
    ("dpia_ref", "DPIA reference", "line"),
    ("eqia_ref", "Equality impact assessment reference", "line"),
    ("threshold", "Match threshold", "number"),
    ("near_assembly", "At or near a protest or assembly", "flag"),
    ("assembly_justification", "Why, if so", "optional"),
    ("without_notice", "Without prior public notice", "flag"),
    ("without_notice_justification", "Why, if so", "optional"),
    ("under_18_reason", "Why under-18s may be on the watchlist, if they may", "optional"),
]
LIST_FIELDS = {"cameras", "criteria"}
ALERTS_SHOWN = 100  # alerts on a page of the console
HOME = {  # the page each role starts on, first match wins
    "operator": "/console/alerts",
    "authorising_officer": "/console/deployments",
    "planner": "/console/deployments",
    "watchlist_manager": "/console/subjects",
    "auditor": "/console/audit",
    "admin": "/console/audit",
}


def render(request: Request, page: str, who: Caller | None, store: Store, status: int = 200,
           **context: Any) -> HTMLResponse:  # fmt: skip
    """``page`` with the caller (their roles and CSRF token: ``context`` may give ``me``,
    already read) and what the last form did."""
    me = context.pop("me", None) or (acting_user(store, who) if who else None)
    shared = {"me": me, "csrf": csrf_token(who.token) if who else "",
              "said": request.query_params.get("said", "")}  # fmt: skip
    return templates.TemplateResponse(request, page, shared | context, status_code=status)


def acting_user(store: Store, who: Caller) -> User:
    """The caller with their roles, read once a request."""
    return User(who.name, users.roles_of(store, who.name))


def back(path: str, said: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?said={quote(said)}", status_code=303)


def refused_page(request: Request, status: int, detail: str) -> Response:
    """A refusal as a page; an unproven caller is sent to log in."""
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    heading = {403: "Not allowed", 404: "Not found"}.get(status, "Refused")
    context = {"me": None, "csrf": "", "said": "", "heading": heading, "detail": detail}
    return templates.TemplateResponse(request, "refused.html", context, status_code=status)


@router.get("/")
@router.get("/console")
def home(who: Acting, store: StoreDep) -> RedirectResponse:
    roles = users.roles_of(store, who.name)
    return RedirectResponse(next(p for r, p in HOME.items() if r in roles), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, store: StoreDep) -> HTMLResponse:
    return render(request, "login.html", None, store, name="", first=False)


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    store: StoreDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    new_password: Annotated[str | None, Form()] = None,
) -> Response:
    """Log in from the form; a one-time password asks for a new one on the same page. The
    session of this browser's cookie, if any, ends (the API's login does the same)."""
    held = request.cookies.get(COOKIE)
    try:
        with login_attempt(request):
            login = identity.login(store, name, password, new_password or None, replaces=held)
    except identity.NewPasswordNeeded:
        return render(request, "login.html", None, store, name=name, first=True)
    except Forbidden:
        raise  # another site's page: refused, not a form to try again on
    except LfrError as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return render(request, "login.html", None, store, status=status, name=name,
                      first=False, refused=str(exc))  # fmt: skip
    answer = RedirectResponse("/console", status_code=303)
    set_session_cookie(request, answer, login, store)
    return answer


@router.post("/logout")
def log_out(who: Acting, store: StoreDep) -> RedirectResponse:
    identity.logout(store, who.token)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/")
    return answer


@router.get("/console/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    who: Acting,
    store: StoreDep,
    deployment: OfDeployment = None,
    before: BeforeId = None,
) -> HTMLResponse:
    """Alerts as they arrive (the feed), newest first, a page of ALERTS_SHOWN at a time (older
    pages by ``before``), with the cameras' health. Only alerts awaiting adjudication load
    their images, for a role that may see them: each image shown is an audited read of
    biometrics. A card adjudicated elsewhere is read again when the feed says so."""
    found = alerts.list_alerts(store, who.name, deployment, before=before,
                               newest=ALERTS_SHOWN + 1)[::-1]  # fmt: skip
    shown, older = found[:ALERTS_SHOWN], len(found) > ALERTS_SHOWN
    live = deployments.list_all(store, who.name, State.LIVE)
    # The feed brings what is newer than anything in the database now, whatever page this is.
    last = alerts.last_alert_id(store) if before else max((a.id or 0 for a in shown), default=0)
    return render(request, "alerts.html", who, store, **_cards(store, who, live), alerts=shown,
                  live=live, deployment=deployment, after=last,
                  older=shown[-1].id if older else None)  # fmt: skip


@router.get("/console/alerts/{ident}/card", response_class=HTMLResponse)
def alert_card(request: Request, ident: Ident, who: Acting, store: StoreDep) -> HTMLResponse:
    """One alert's card as it reads now, for a page the feed told it was written."""
    a = alerts.get_alert(store, who.name, ident)
    live = deployments.list_all(store, who.name, State.LIVE)
    return render(request, "alert_card.html", who, store, **_cards(store, who, live), a=a)


def _cards(store: Store, who: Caller, live: list[Any]) -> dict[str, Any]:
    """What an alert card shows the caller: only what their roles may do and see."""
    me = acting_user(store, who)
    return {"me": me, "may_adjudicate": me.may(Action.ADJUDICATE),
            "may_view_images": me.may(Action.VIEW_BIOMETRICS),
            "running": {d.id for d in live}}  # fmt: skip


@router.post("/console/alerts/{ident}/adjudication")
def adjudicate(
    ident: Ident,
    who: Acting,
    store: StoreDep,
    verdict: Annotated[Adjudication, Form()],
    version: Annotated[int, Form()],
    outcome: Annotated[Outcome | None, Form()] = None,
) -> RedirectResponse:
    a = alerts.adjudicate(store, who.name, ident, verdict, outcome, seen=version)
    return back("/console/alerts", f"{a}: {verdict_of(a)}")


@router.post("/console/alerts/{ident}/amendment")
def amend(
    ident: Ident,
    who: Acting,
    store: StoreDep,
    verdict: Annotated[Adjudication, Form()],
    version: Annotated[int, Form()],
    reason: Annotated[str, Form()],
    outcome: Annotated[Outcome | None, Form()] = None,
) -> RedirectResponse:
    a = alerts.amend(store, who.name, ident, verdict, outcome, "", reason, seen=version)
    return back("/console/alerts", f"{a}: amended to {verdict_of(a)}")


@router.get("/console/deployments", response_class=HTMLResponse)
def deployments_page(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    me = acting_user(store, who)
    return render(request, "deployments.html", who, store, me=me,
                  deployments=deployments.list_all(store, who.name),
                  may_request=me.may(Action.REQUEST_DEPLOYMENT))  # fmt: skip


@router.get("/console/deployments/new", response_class=HTMLResponse)
def application_page(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    return render(request, "application.html", who, store, fields=APPLICATION,
                  cameras=cameras.list_cameras(store, who.name),
                  vocabulary=store.settings.governance.vocabulary(),
                  default_threshold=deployments.threshold_default(store))  # fmt: skip


@router.post("/console/deployments")
async def apply(request: Request, who: Acting, store: StoreDep) -> RedirectResponse:
    form = await request.form()
    fields: dict[str, Any] = {}
    for name, _, kind in APPLICATION:
        if name in LIST_FIELDS:
            fields[name] = [str(v) for v in form.getlist(name)]
        elif kind == "flag":
            fields[name] = form.get(name) == "true"
        elif kind == "time":
            fields[name] = f"{form.get(name, '')}:00+00:00"  # the form's local time is UTC
        elif kind == "number":
            fields[name] = form.get(name) or None
        else:
            fields[name] = form.get(name, "")
    d = await run_in_threadpool(deployments.request, store, who.name, fields)
    return back(f"/console/deployments/{d.id}", f"{d}: applied for")


@router.get("/console/deployments/{ident}", response_class=HTMLResponse)
def deployment_page(request: Request, ident: Ident, who: Acting, store: StoreDep) -> HTMLResponse:
    """Everything recorded about a deployment, and what the caller may do with it next."""
    d = deployments.get(store, who.name, ident)
    me = acting_user(store, who)
    may = {
        "authorise": me.may(Action.AUTHORISE_DEPLOYMENT),
        "compile": me.may(Action.COMPILE_WATCHLIST),
        "approve": me.may(Action.APPROVE_WATCHLIST),
        "start": me.may(Action.START_DEPLOYMENT),
        "close": me.may(Action.CLOSE_DEPLOYMENT),
        "cancel": me.may(Action.CANCEL_DEPLOYMENT),
    }
    compiled = d.watchlist_compiled_at is not None and me.may(Action.VIEW_SUBJECTS)
    record = [(name, getattr(d, name)) for name in d.__dataclass_fields__]
    return render(
        request, "deployment.html", who, store, me=me, d=d, may=may, record=record,
        members=deployments.watchlist(store, who.name, ident) if compiled else None,
        left_out=json.loads(request.query_params.get("left_out", "[]")),
        hours=counts.deployment_counts(store, who.name, ident),
        latency=counts.deployment_latency(store, who.name, ident),
        threshold_note=deployments.threshold_note(store, d.threshold),
    )  # fmt: skip


@router.post("/console/deployments/{ident}/{step}")
def deployment_step(
    ident: Ident,
    step: str,
    who: Acting,
    store: StoreDep,
    value: Annotated[float | None, Form()] = None,
    signs_up: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """One step of a deployment's life, from the buttons of its page."""
    here = f"/console/deployments/{ident}"
    if step == "watchlist":
        d, left_out = deployments.compile_watchlist(store, who.name, ident)
        said = f"{d}: watchlist compiled, {d.watchlist_size} on it, {len(left_out)} left out"
        return RedirectResponse(
            f"{here}?said={quote(said)}&left_out={quote(json.dumps(left_out))}", status_code=303
        )
    steps = {
        "authorise": lambda: deployments.authorise(store, who.name, ident),
        "threshold": lambda: deployments.change_threshold(store, who.name, ident, value or 0.0),
        "approve": lambda: deployments.approve(store, who.name, ident),
        "start": lambda: deployments.start(store, who.name, ident, signs_up),
        "close": lambda: deployments.close(store, who.name, ident),
        "cancel": lambda: deployments.cancel(store, who.name, ident),
    }
    if step not in steps:
        return RedirectResponse(here, status_code=303)
    d = steps[step]()
    said = f"{d}: {step} done; now {d.state}"
    if step in ("close", "cancel") and shredding.pending(store):
        said += (
            "; shredding pending (another process reads an older snapshot): housekeeping ends it"
        )
    return back(here, said)


@router.get("/console/subjects", response_class=HTMLResponse)
def subjects_page(
    request: Request, who: Acting, store: StoreDep, due: bool = False
) -> HTMLResponse:
    me = acting_user(store, who)
    return render(request, "subjects.html", who, store, me=me,
                  subjects=watchlists.list_subjects(store, who.name, due_only=due),
                  may_manage=me.may(Action.MANAGE_SUBJECTS))  # fmt: skip


@router.get("/console/subjects/new", response_class=HTMLResponse)
def enrol_page(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    me = acting_user(store, who)
    require(me, Action.MANAGE_SUBJECTS)
    return render(request, "enrol.html", who, store, me=me,
                  vocabulary=store.settings.governance.vocabulary())  # fmt: skip


@router.post("/console/subjects")
def enrol(
    request: Request,
    who: Acting,
    store: StoreDep,
    image: Annotated[UploadFile, File()],
    source: Annotated[str, Form()],
    name: Annotated[str, Form()],
    date_of_birth: Annotated[str, Form()],
    sex: Annotated[str, Form()],
    ethnicity: Annotated[str, Form()],
    category: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    case_reference: Annotated[str, Form()],
    review_by: Annotated[str, Form()],
) -> RedirectResponse:
    fields = {"name": name, "date_of_birth": date_of_birth, "sex": sex, "ethnicity": ethnicity,
              "category": category, "reason": reason, "case_reference": case_reference,
              "review_by": review_by}  # fmt: skip
    given = watchlists.ImageIn(image.filename or "image", read_upload(image, store), source)
    s = watchlists.enrol(store, who.name, fields, [given], engine_of(request))
    return back("/console/subjects", f"enrolled {s}")


@router.post("/console/subjects/{ident}/review")
def review(
    ident: Ident, who: Acting, store: StoreDep, until: Annotated[str, Form()]
) -> RedirectResponse:
    s = watchlists.extend_review(store, who.name, ident, datetime.fromisoformat(until).date())
    return back("/console/subjects", f"{s} kept until {s.review_by}")


@router.post("/console/subjects/{ident}/remove")
def remove(ident: Ident, who: Acting, store: StoreDep) -> RedirectResponse:
    watchlists.remove(store, who.name, ident)
    return back("/console/subjects", f"subject {ident} removed")


@router.get("/console/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    """The records to publish: each deployment's that went live, a period's transparency and
    equitability reports (the last 30 days offered), and the public notice."""
    me = acting_user(store, who)
    require(me, Action.PUBLISH_RECORDS)
    went_live = [d for d in deployments.list_all(store, who.name) if d.started_at]
    today = store.now().date()
    periods = [(PeriodReport.TRANSPARENCY, "Transparency report"),
               (PeriodReport.EQUITABILITY, "Alerts by group (equitability)")]  # fmt: skip
    return render(request, "reports.html", who, store, me=me, went_live=went_live,
                  formats=[Format.HTML, Format.CSV, Format.JSON], periods=periods,
                  first=today - timedelta(days=30), last=today)  # fmt: skip


@router.post("/console/reports/notice")
def publish_notice(who: Acting, store: StoreDep) -> RedirectResponse:
    written = reports.publish_notice(store, who.name)
    return back("/console/reports", f"public notice published ({len(written)} files), at /notice")


@router.get("/console/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    return render(request, "audit.html", who, store, verdict=None, entries=_latest(store, who))


@router.post("/console/audit/verify", response_class=HTMLResponse)
def verify(request: Request, who: Acting, store: StoreDep) -> HTMLResponse:
    verdict = audit.verify(store, who.name)
    return render(request, "audit.html", who, store, verdict=verdict, entries=_latest(store, who))


def _latest(store: Store, who: Caller, shown: int = 50) -> list[Any]:
    head = audit.head(store, who.name)
    return audit.export(store, who.name, since=max(1, head.seq - shown + 2))[::-1]
