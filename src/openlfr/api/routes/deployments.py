"""Deployments: the application, its authorisation, watchlist, start, close and counts."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from openlfr.api.deps import Ident, StoreDep
from openlfr.api.security import Acting
from openlfr.domain.deployment import Deployment, State
from openlfr.services import counts, deployments, shredding
from openlfr.services.schemas import Application

router = APIRouter(prefix="/deployments", tags=["deployments"])


class ThresholdIn(BaseModel):
    value: float


class StartIn(BaseModel):
    signs_up: bool = Field(description="the officer confirms the public notice signs are up")


class Compiled(BaseModel):
    deployment: Deployment
    left_out: list[str] = Field(description="each subject left out, and why")


class Counts(BaseModel):
    hours: list[counts.HourCounts]
    latency: counts.Latency


@router.get("", response_model=list[Deployment])
def list_deployments(who: Acting, store: StoreDep, state: State | None = None) -> list[Deployment]:
    return deployments.list_all(store, who.name, state)


@router.post("", response_model=Deployment, status_code=201)
def request_deployment(body: Application, who: Acting, store: StoreDep) -> Deployment:
    """Apply for a deployment (planner or authorising officer)."""
    return deployments.request(store, who.name, body.model_dump(mode="json"))


@router.get("/{ident}", response_model=Deployment)
def get_deployment(ident: Ident, who: Acting, store: StoreDep) -> Deployment:
    return deployments.get(store, who.name, ident)


@router.post("/{ident}/authorise", response_model=Deployment)
def authorise(ident: Ident, who: Acting, store: StoreDep) -> Deployment:
    return deployments.authorise(store, who.name, ident)


@router.put("/{ident}/threshold", response_model=Deployment)
def change_threshold(ident: Ident, body: ThresholdIn, who: Acting, store: StoreDep) -> Deployment:
    return deployments.change_threshold(store, who.name, ident, body.value)


@router.post("/{ident}/watchlist", response_model=Compiled)
def compile_watchlist(ident: Ident, who: Acting, store: StoreDep) -> Compiled:
    """Compile the watchlist from the subjects its criteria allow."""
    d, left_out = deployments.compile_watchlist(store, who.name, ident)
    return Compiled(deployment=d, left_out=left_out)


@router.post("/{ident}/approve", response_model=Deployment)
def approve(ident: Ident, who: Acting, store: StoreDep) -> Deployment:
    return deployments.approve(store, who.name, ident)


@router.post("/{ident}/start", response_model=Deployment)
def start(ident: Ident, body: StartIn, who: Acting, store: StoreDep) -> Deployment:
    return deployments.start(store, who.name, ident, body.signs_up)


@router.post("/{ident}/close", response_model=Deployment)
def close(ident: Ident, who: Acting, store: StoreDep, response: Response) -> Deployment:
    """Close it: its watchlist and key are destroyed. The ``Shredding`` header says whether
    they are gone from the database's files too (``done``) or ``pending`` while another
    process reads an older snapshot (housekeeping finishes it)."""
    d = deployments.close(store, who.name, ident)
    response.headers["Shredding"] = "pending" if shredding.pending(store) else "done"
    return d


@router.post("/{ident}/cancel", response_model=Deployment)
def cancel(ident: Ident, who: Acting, store: StoreDep) -> Deployment:
    return deployments.cancel(store, who.name, ident)


@router.get("/{ident}/counts", response_model=Counts)
def deployment_counts(ident: Ident, who: Acting, store: StoreDep) -> Counts:
    """Numbers only, per camera and hour, and alert latency p50/p95."""
    return Counts(hours=counts.deployment_counts(store, who.name, ident),
                  latency=counts.deployment_latency(store, who.name, ident))  # fmt: skip
