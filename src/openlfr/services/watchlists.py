"""Watchlist subjects: enrolment with the engine's quality checks, review and removal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openlfr.domain import watchlist as rules
from openlfr.domain.errors import DomainError, Invalid
from openlfr.domain.roles import SYSTEM, Action, require
from openlfr.domain.watchlist import Subject
from openlfr.errors import LfrError
from openlfr.files import FileError, read_limited
from openlfr.services.schemas import SubjectRecord, parse
from openlfr.services.unit_of_work import Act, Store
from openlfr.store.keys import REGISTER
from openlfr.store.repositories import Subjects
from openlfr.store.tables import reference_images

if TYPE_CHECKING:  # the vision stack loads where an image is checked, not for every command
    import numpy as np

    from openlfr.vision.engine import Engine


@dataclass(frozen=True)
class ImageIn:
    """A reference image as submitted: what it is called (its file or upload name), its
    encoded bytes and where it came from (a custody image, ...)."""

    name: str
    data: bytes
    source: str

    @classmethod
    def from_file(cls, path: Path, source: str, max_bytes: int) -> ImageIn:
        """The image file at ``path``; refused, naming it, if missing, not a regular file or
        over ``max_bytes`` (a device or an endless file is never read to its end)."""
        try:
            return cls(str(path), read_limited(path, max_bytes), source)
        except FileError as exc:
            raise Invalid(f"refused reference image {exc}") from None


@dataclass(frozen=True)
class Reference:
    """A reference image that passed the checks: its bytes and its template."""

    source: str
    image: bytes
    template: np.ndarray
    verdict: str  # what the quality check measured


def check_image(engine: Engine, image: ImageIn) -> Reference:
    """The reference ``image`` if it holds exactly one good face, else a refusal."""
    from openlfr.vision.image import decode_image

    limits, path = engine.settings, image.name
    try:
        frame = decode_image(image.data, path, limits.max_image_bytes, limits.max_image_pixels)
    except LfrError as exc:
        raise Invalid(f"refused reference image {exc}") from None
    faces = engine.analyse([frame])[0]
    if not faces:
        raise Invalid(f"refused reference image {path}: no face found")
    if len(faces) > 1:
        raise Invalid(
            f"refused reference image {path}: {len(faces)} faces found; crop it to the subject"
        )
    quality = faces[0].quality
    measured = (f"eye distance {quality.inter_eye_px:.0f} px, sharpness {quality.sharpness:.0f}, "
                f"yaw {quality.yaw:.2f}")  # fmt: skip
    if not quality.acceptable:
        raise Invalid(f"refused reference image {path}: {', '.join(quality.failures)} ({measured})")
    template = faces[0].embedding.astype("float32")
    return Reference(image.source, image.data, template, f"{path}: one good face ({measured})")


def assess(store: Store, actor: str, engine: Engine, image: ImageIn) -> str:
    """The quality check's verdict on a reference image, before anything is enrolled (a
    watchlist manager); a refusal says what fails. Nothing is kept."""
    with store.action(actor, "subject.check_image", "reference image") as act:
        require(act.user(), Action.MANAGE_SUBJECTS)
    return check_image(engine, image).verdict


def enrol(
    store: Store,
    actor: str,
    fields: dict[str, Any],
    images: Sequence[ImageIn],
    engine: Engine | None = None,
) -> Subject:
    """Add a subject with reference ``images``; refuse all of it if any image fails,
    naming every image that does. ``engine``: one already loaded, else one of the store's
    settings."""
    if engine is None:
        from openlfr.vision.engine import Engine  # the vision stack loads where it is needed

        engine = Engine(store.settings)
    checked: list[Reference] = []
    problems: list[str] = []
    for place, image in enumerate(images, 1):
        try:
            # Named by its place, not its file name (which may be the subject's): refusals are
            # audited, and the audit log is kept for good.
            checked.append(check_image(engine, replace(image, name=str(place))))
        except DomainError as exc:
            problems.append(str(exc))
    with store.action(actor, "subject.enrol", "new subject") as act:
        require(act.user(), Action.MANAGE_SUBJECTS)
        record = parse(SubjectRecord, fields, "subject record")
        now = store.now()
        s = Subject(**record.model_dump(), added_by=actor, added_at=now)
        vocabulary = store.settings.governance.vocabulary()
        rules.check_enrolment(s, [i.source for i in images], vocabulary, now.date())
        if problems:
            raise Invalid("; ".join(problems))
        act.session.add(s)
        act.session.flush()
        for ref in checked:
            _store_reference(act, s, ref, now)
        act.target = f"subject {s.id}"  # by id: the audit log outlives the subject's record
        act.detail = {"category": s.category, "images": [r.source for r in checked]}
        return s


def _store_reference(act: Act, s: Subject, ref: Reference, now: datetime) -> None:
    act.insert_sealed(
        reference_images, REGISTER,
        {"subject_id": s.id, "source": ref.source, "added_by": act.actor, "added_at": now},
        {"image": ref.image, "template": ref.template.tobytes()},
    )  # fmt: skip


def remove(store: Store, actor: str, subject_id: int) -> None:
    """Delete a subject and their reference images (compiled watchlists keep their own copy)."""
    with store.action(actor, "subject.remove", f"subject {subject_id}") as act:
        require(act.user(), Action.MANAGE_SUBJECTS)
        s = act.get(Subject, subject_id)
        Subjects(act.session).delete_references(subject_id)
        act.session.delete(s)
        act.detail = {"category": s.category}


def extend_review(store: Store, actor: str, subject_id: int, until: date) -> Subject:
    """Record a review of a subject: keep them until ``until``."""
    with store.action(actor, "subject.review", f"subject {subject_id}") as act:
        require(act.user(), Action.MANAGE_SUBJECTS)
        s = act.get(Subject, subject_id)
        act.detail = rules.review(s, until, store.now().date())
        return s


def flag_due_for_review(store: Store) -> list[int]:
    """Flag every subject whose review date has come (each flag audited); returns their ids."""
    now = store.now()
    with store.reading() as session:
        due = [
            s.id
            for s in Subjects(session).not_flagged()
            if rules.due_for_review(s, now.date()) and s.id is not None
        ]
    for ident in due:
        with store.action(SYSTEM, "subject.flag_for_review", f"subject {ident}") as act:
            act.get(Subject, ident).flagged_for_review_at = now
    return due


def list_subjects(store: Store, actor: str, due_only: bool = False) -> list[tuple[Subject, int]]:
    """Subjects with their number of reference images (``due_only``: those due for review);
    personal data, so the read needs a role that may see it and is audited."""
    with store.action(actor, "subject.list", "watchlist subjects") as act:
        require(act.user(), Action.VIEW_SUBJECTS)
        today = store.now().date()
        found = [(s, n) for s, n in Subjects(act.session).with_image_counts()
                 if not due_only or rules.due_for_review(s, today)]  # fmt: skip
        act.detail = {"subjects_read": [s.id for s, _ in found]}
        return found
