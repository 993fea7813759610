"""Watchlist subjects, their reference images, and who may be on a deployment's watchlist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from openlfr.domain.deployment import Deployment
from openlfr.domain.errors import DomainError
from openlfr.domain.text import check_plain
from openlfr.domain.vocabulary import Vocabulary, one_of

OLDEST = 120  # years: a date of birth before that is a typing slip
REVIEW_WITHIN = timedelta(days=366)  # a subject's next review is at most a year away


@dataclass
class Subject:
    """A person who may be placed on a watchlist, as the source police record describes them.

    ``sex`` and ``ethnicity`` are the source record's and are used only to
    monitor alerts for equitability. ``review_by`` is the date by which the
    subject must be reviewed; after it the subject is on no new watchlist.
    """

    name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    category: str
    reason: str
    case_reference: str
    review_by: date
    added_by: str
    added_at: datetime
    flagged_for_review_at: datetime | None = None
    id: int | None = field(default=None)

    def __str__(self) -> str:
        return f"subject {self.id} ({self.name})"


def validate_subject(s: Subject, vocabulary: Vocabulary, today: date) -> None:
    """Refuse a subject record that is incomplete or uses words outside the closed lists. A
    refusal is audited, and the audit log is kept for good: it quotes no name or date of
    birth."""
    for name in ("name", "reason", "case_reference"):
        if not str(getattr(s, name)).strip():
            raise DomainError(f"a watchlist subject needs a {name.replace('_', ' ')}")
    check_plain(s.name, "subject's name")
    check_plain(s.case_reference, "case reference")
    one_of(s.category, vocabulary.categories, "watchlist category")
    one_of(s.sex, vocabulary.sexes, "sex")
    one_of(s.ethnicity, vocabulary.ethnicities, "ethnicity")
    if s.date_of_birth >= today:
        raise DomainError("the subject's date of birth is not in the past: check date_of_birth")
    if age_on(s.date_of_birth, today) > OLDEST:
        raise DomainError(
            f"the subject's date of birth makes them over {OLDEST}: check date_of_birth"
        )
    check_review_date("the subject", s.review_by, today)


def check_review_date(subject: str, review_by: date, today: date) -> None:
    """A review date is in the future and at most ``REVIEW_WITHIN`` away."""
    if review_by <= today:
        raise DomainError(f"{subject}: the review date {review_by} must be in the future")
    if review_by > today + REVIEW_WITHIN:
        raise DomainError(
            f"{subject}: the review date {review_by} is more than {REVIEW_WITHIN.days} days "
            "away: a subject is reviewed at least yearly"
        )


def check_enrolment(s: Subject, sources: list[str], vocabulary: Vocabulary, today: date) -> None:
    """Refuse an enrolment whose record, or any reference image's source, is not allowed."""
    validate_subject(s, vocabulary, today)
    if not sources:
        raise DomainError("enrol at least one reference image of the subject")
    for source in sources:
        one_of(source, vocabulary.image_sources, "image source")


def review(s: Subject, until: date, today: date) -> dict[str, str]:
    """Record a review that keeps ``s`` until ``until``; returns the change, for the audit."""
    check_review_date(f"subject {s.id}", until, today)  # by id, as the audit log names them
    change = {"review_by": f"{s.review_by} -> {until}"}
    s.review_by, s.flagged_for_review_at = until, None
    return change


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def exclusion(s: Subject, d: Deployment, images: int) -> str | None:
    """Why ``s`` may not be on ``d``'s watchlist, or None if they may."""
    on = d.starts_at.date()
    if s.category not in d.criteria:
        return f"category {s.category} is not among the authorised criteria"
    if due_for_review(s, d.ends_at.date()):
        return f"due for review ({s.review_by}) by the time the deployment ends"
    if age_on(s.date_of_birth, on) < 18 and not d.under_18_reason.strip():
        return "under 18 and the authorisation gives no reason to include under-18s"
    if images == 0:
        return "no reference image"
    return None


@dataclass(frozen=True)
class Compilation:
    """Who is on a deployment's watchlist, and why each other subject is not."""

    included: list[Subject]
    excluded: list[tuple[Subject, str]]


def composition(subjects: Sequence[Subject]) -> dict[str, dict[str, int]]:
    """How many of ``subjects`` there are of each recorded sex, then ethnicity."""
    counts: dict[str, dict[str, int]] = {}
    for s in subjects:
        by_ethnicity = counts.setdefault(s.sex, {})
        by_ethnicity[s.ethnicity] = by_ethnicity.get(s.ethnicity, 0) + 1
    return counts


def compile_watchlist(
    d: Deployment, subjects: Sequence[tuple[Subject, int]], max_size: int
) -> Compilation:
    """The subjects (each with its number of reference images) that meet ``d``'s criteria."""
    included, excluded = [], []
    for s, images in subjects:
        reason = exclusion(s, d, images)
        if reason is None:
            included.append(s)
        else:
            excluded.append((s, reason))
    if not included:
        raise DomainError(f"no subject meets {d}'s criteria ({', '.join(d.criteria)})")
    if len(included) > max_size:
        raise DomainError(
            f"{len(included)} subjects meet {d}'s criteria, over the limit of {max_size} "
            "per deployment: narrow the criteria or raise max_watchlist_size"
        )
    return Compilation(included, excluded)


def due_for_review(s: Subject, today: date) -> bool:
    return s.review_by <= today
