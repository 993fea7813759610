"""Watchlist subjects: enrol with reference images (multipart), review, remove."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel

from openlfr.api.deps import Ident, StoreDep, engine_of
from openlfr.api.security import Acting
from openlfr.domain.errors import Invalid
from openlfr.domain.watchlist import Subject
from openlfr.services import watchlists
from openlfr.services.unit_of_work import Store

router = APIRouter(prefix="/subjects", tags=["watchlist subjects"])


class SubjectOut(BaseModel):
    subject: Subject
    reference_images: int


class Verdict(BaseModel):
    verdict: str


class ReviewIn(BaseModel):
    until: date


@router.get("", response_model=list[SubjectOut])
def list_subjects(who: Acting, store: StoreDep, due: bool = False) -> list[SubjectOut]:
    """Subjects (``due``: those due for review) with their number of reference images."""
    found = watchlists.list_subjects(store, who.name, due_only=due)
    return [SubjectOut(subject=s, reference_images=n) for s, n in found]


@router.post("", response_model=Subject, status_code=201)
def enrol(
    who: Acting,
    store: StoreDep,
    request: Request,
    record: Annotated[str, Form(description="the subject record, as a JSON object")],
    images: Annotated[list[UploadFile], File(description="reference images")],
    sources: Annotated[list[str], Form(description="each image's source, in the same order")],
) -> Subject:
    """Enrol a subject: every image must hold one face of enrolment quality, or nothing is
    kept. Types are found from the content, never from the file name."""
    if len(images) != len(sources):
        raise Invalid(f"{len(images)} images but {len(sources)} sources: one source per image")
    given = [
        watchlists.ImageIn(image.filename or f"image {n}", read_upload(image, store), source)
        for n, (image, source) in enumerate(zip(images, sources, strict=True), 1)
    ]
    return watchlists.enrol(store, who.name, _fields(record), given, engine_of(request))


@router.post("/check", response_model=Verdict)
def check_image(
    who: Acting,
    store: StoreDep,
    request: Request,
    image: Annotated[UploadFile, File(description="a reference image to check")],
) -> Verdict:
    """The quality check's verdict on one reference image, before enrolment; nothing is kept.
    An image that fails is refused (422) saying why."""
    given = watchlists.ImageIn(image.filename or "image", read_upload(image, store), "")
    return Verdict(verdict=watchlists.assess(store, who.name, engine_of(request), given))


@router.delete("/{ident}", status_code=204)
def remove(ident: Ident, who: Acting, store: StoreDep) -> None:
    watchlists.remove(store, who.name, ident)


@router.post("/{ident}/review", response_model=Subject)
def review(ident: Ident, body: ReviewIn, who: Acting, store: StoreDep) -> Subject:
    """Record a review: keep the subject until ``until``."""
    return watchlists.extend_review(store, who.name, ident, body.until)


def read_upload(image: UploadFile, store: Store) -> bytes:
    """An uploaded image's bytes; refused, naming it, if over ``max_image_bytes``."""
    limit = store.settings.max_image_bytes
    data = image.file.read(limit + 1)  # one byte more shows an image over the limit
    if len(data) > limit:
        raise Invalid(f"refused reference image {image.filename}: over the {limit:,}-byte limit")
    return data


def _fields(record: str) -> dict[str, Any]:
    try:
        fields = json.loads(record)
    except ValueError as exc:
        raise Invalid(f"the subject record is not JSON: {exc}") from None
    if not isinstance(fields, dict):
        raise Invalid("the subject record must be one JSON object of fields")
    return fields
