"""A deployment: its application, authorisation and lifecycle.

``draft -> authorised -> live -> closed``, or ``cancelled`` before going live.
Every change of state is checked by ``_check_move``, the one place the lifecycle is
enforced. Closing happens in two steps so that a crash cannot leave it half
done: ``request_close`` records the intent (no alert may be raised after it),
``complete_close`` marks it closed once its watchlist and key are destroyed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Action, User, require
from openlfr.domain.text import check_plain
from openlfr.domain.vocabulary import Vocabulary, one_of


class State(StrEnum):
    DRAFT = "draft"
    AUTHORISED = "authorised"
    LIVE = "live"
    CLOSED = "closed"
    CANCELLED = "cancelled"


NEXT: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.AUTHORISED, State.CANCELLED}),
    # An authorised deployment whose window ends without going live closes.
    State.AUTHORISED: frozenset({State.LIVE, State.CLOSED, State.CANCELLED}),
    State.LIVE: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.CANCELLED: frozenset(),
}

# A deployment is authorised for an operation (hours or days), not as standing surveillance.
LONGEST_WINDOW = timedelta(days=31)

# Free-text fields every application must fill, and what each is called.
STATEMENTS = {
    "legal_basis": "legal basis",
    "necessity": "necessity and proportionality statement",
    "location": "location",
    "location_grounds": "grounds to expect watchlisted people at the location",
    "rights_assessment": "assessment of the interference with ECHR articles 8, 10 and 11",
    "dpia_ref": "data protection impact assessment reference",
    "eqia_ref": "equality impact assessment reference",
}


@dataclass
class Deployment:
    """One authorised use of LFR at one place and time, from request to close.

    The fields up to ``threshold`` are the application the requester makes
    and the authorising officer decides on; the rest record what happened.
    Times are timezone-aware UTC.
    """

    name: str
    requested_by: str
    use_case: str
    legal_basis: str
    necessity: str
    location: str
    location_grounds: str  # Bridges' "where": why watchlisted people are expected there
    starts_at: datetime
    ends_at: datetime
    cameras: list[str]
    criteria: list[str]  # Bridges' "who": the watchlist categories allowed
    rights_assessment: str
    dpia_ref: str
    eqia_ref: str
    threshold: float
    near_assembly: bool = False  # at or near a protest or assembly
    assembly_justification: str = ""
    without_notice: bool = False  # a critical threat justifies no prior public notice
    without_notice_justification: str = ""
    under_18_reason: str = ""  # why under-18s may be on the watchlist; empty: they are not
    created_at: datetime | None = None

    state: State = State.DRAFT
    authorised_by: str | None = None
    authorised_at: datetime | None = None
    watchlist_compiled_by: str | None = None
    watchlist_compiled_at: datetime | None = None
    watchlist_size: int = 0
    # Subjects on the compiled watchlist by sex then ethnicity: kept after the watchlist is
    # destroyed, for equitability monitoring (None: compiled before openlfr kept it).
    watchlist_composition: dict[str, dict[str, int]] | None = None
    watchlist_approved_by: str | None = None
    watchlist_approved_at: datetime | None = None
    started_by: str | None = None
    started_at: datetime | None = None
    signs_confirmed_by: str | None = None
    close_requested_by: str | None = None
    close_requested_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    id: int | None = field(default=None)

    def __str__(self) -> str:
        return f"deployment {self.id} ({self.name})"


def validate_application(d: Deployment, vocabulary: Vocabulary) -> None:
    """Refuse an application that leaves out anything the authorisation must record."""
    if not d.name.strip():
        raise DomainError("a deployment needs a name")
    check_plain(d.name, "deployment's name")
    one_of(d.use_case, vocabulary.use_cases, "use case")
    for name, label in STATEMENTS.items():
        if not str(getattr(d, name)).strip():
            raise DomainError(f"{d.name}: the application has no {label} ({name})")
    if d.starts_at.tzinfo is None or d.ends_at.tzinfo is None:
        raise DomainError(f"{d.name}: give start and end times with a time zone")
    if d.ends_at <= d.starts_at:
        raise DomainError(f"{d.name}: the window ends ({d.ends_at}) before it starts")
    if d.ends_at - d.starts_at > LONGEST_WINDOW:
        raise DomainError(
            f"{d.name}: the window is longer than {LONGEST_WINDOW.days} days: authorise each "
            "period of deployment on its own"
        )
    if (
        not d.cameras
        or len(set(d.cameras)) != len(d.cameras)
        or not all(c.strip() for c in d.cameras)
    ):
        raise DomainError(f"{d.name}: list each camera once, by name (cameras)")
    if not d.criteria:
        raise DomainError(f"{d.name}: say which watchlist categories are allowed (criteria)")
    for category in d.criteria:
        one_of(category, vocabulary.categories, "watchlist category")
    validate_threshold(d.threshold)
    if d.near_assembly and not d.assembly_justification.strip():
        raise DomainError(
            f"{d.name}: a deployment at or near a protest or assembly needs a stated "
            "justification (assembly_justification)"
        )
    if d.without_notice and not d.without_notice_justification.strip():
        raise DomainError(
            f"{d.name}: deploying without prior public notice needs the critical threat "
            "that justifies it (without_notice_justification)"
        )


# A cosine threshold outside this range is a typing slip or an attempt to alarm on everyone:
# the measured defaults lie near 0.57, and 0.2 already alarms on most strangers.
THRESHOLD_RANGE = (0.2, 0.95)


def validate_threshold(value: float) -> None:
    low, high = THRESHOLD_RANGE
    if not low <= value <= high:
        raise DomainError(
            f"match threshold {value} must lie between {low} and {high} (cosine similarity)"
        )


def _check_move(d: Deployment, to: State) -> None:
    """The lifecycle's one gate: refuse a transition it does not allow."""
    if to not in NEXT[d.state]:
        allowed = ", ".join(sorted(NEXT[d.state])) or "nothing: it has ended"
        raise DomainError(f"{d} is {d.state} and cannot become {to} (it can become: {allowed})")


def _move(d: Deployment, to: State) -> None:
    _check_move(d, to)
    d.state = to


def authorise(d: Deployment, officer: User, now: datetime, vocabulary: Vocabulary) -> None:
    """Record the authorising officer's authorisation of the application."""
    require(officer, Action.AUTHORISE_DEPLOYMENT)
    if officer.name == d.requested_by:
        raise DomainError(
            f"{d} was requested by {officer.name}, who may not also authorise it: "
            "another authorising officer must"
        )
    validate_application(d, vocabulary)
    if d.ends_at <= now:
        raise DomainError(f"{d}: its window ended at {d.ends_at}; request a new deployment")
    _move(d, State.AUTHORISED)
    d.authorised_by, d.authorised_at = officer.name, now


def change_threshold(d: Deployment, officer: User, value: float) -> float:
    """Set a new match threshold; returns the old one (the service records both).

    The threshold is part of what was authorised: changed after authorisation,
    the deployment goes back to a draft that another authorising officer than
    its requester must authorise again (and its watchlist approved again). A
    live deployment's threshold does not change: close it and request anew.
    """
    require(officer, Action.CHANGE_THRESHOLD)
    if d.state not in (State.DRAFT, State.AUTHORISED):
        raise DomainError(
            f"{d} is {d.state}: its authorised threshold cannot change; close it and request "
            "a new deployment with the threshold you want"
        )
    validate_threshold(value)
    old, d.threshold = d.threshold, value
    if d.state == State.AUTHORISED and value != old:
        d.state = State.DRAFT
        d.authorised_by = d.authorised_at = None
        d.watchlist_approved_by = d.watchlist_approved_at = None
    return old


def check_watchlist_editable(d: Deployment) -> None:
    """The watchlist is frozen once the deployment goes live."""
    if d.state not in (State.DRAFT, State.AUTHORISED) or d.close_requested_at:
        raise DomainError(f"{d} is {d.state}: its watchlist is frozen and cannot be recompiled")


def check_may_compile(d: Deployment, user: User) -> None:
    """A watchlist is compiled (biometric data copied for it) only once the deployment is
    authorised, and not once it is live."""
    require(user, Action.COMPILE_WATCHLIST)
    check_watchlist_editable(d)
    if d.state != State.AUTHORISED:
        raise DomainError(f"{d} is {d.state}: authorise it before compiling its watchlist")


def record_compiled(d: Deployment, user: User, size: int, now: datetime) -> None:
    """Record a fresh compilation; any earlier approval no longer stands."""
    check_may_compile(d, user)
    d.watchlist_compiled_by, d.watchlist_compiled_at, d.watchlist_size = user.name, now, size
    d.watchlist_approved_by = d.watchlist_approved_at = None


def approve_watchlist(d: Deployment, officer: User, now: datetime) -> None:
    require(officer, Action.APPROVE_WATCHLIST)
    check_watchlist_editable(d)
    if d.state != State.AUTHORISED:
        raise DomainError(f"{d} is {d.state}: authorise it before approving its watchlist")
    if d.watchlist_compiled_at is None:
        raise DomainError(f"{d} has no compiled watchlist: compile it first")
    if officer.name == d.watchlist_compiled_by:
        raise DomainError(
            f"{officer.name} compiled {d}'s watchlist and may not also approve it: "
            "another authorising officer must"
        )
    d.watchlist_approved_by, d.watchlist_approved_at = officer.name, now


def start(d: Deployment, user: User, now: datetime, signs_up: bool) -> None:
    """Go live: only authorised, inside the window, with an approved watchlist and, unless it
    was authorised to run without prior notice, the public notice signs up."""
    require(user, Action.START_DEPLOYMENT)
    _check_move(d, State.LIVE)
    if d.close_requested_at:
        raise DomainError(f"{d} is closing and cannot start")
    if not d.starts_at <= now < d.ends_at:
        raise DomainError(
            f"{d} may go live only between {d.starts_at:%Y-%m-%d %H:%M %Z} and "
            f"{d.ends_at:%Y-%m-%d %H:%M %Z}; it is now {now:%Y-%m-%d %H:%M %Z}"
        )
    if d.watchlist_approved_at is None:
        raise DomainError(f"{d} has no approved watchlist: compile it and have it approved")
    if d.watchlist_size == 0:
        raise DomainError(f"{d} has an empty watchlist: there is no one to look for")
    if d.without_notice and signs_up:
        raise DomainError(
            f"{d} was authorised to run without prior public notice: start it without "
            "--signs-up (no signs are confirmed)"
        )
    if not d.without_notice and not signs_up:
        raise DomainError(f"{d}: confirm that the public notice signs are up before going live")
    _move(d, State.LIVE)
    d.started_by, d.started_at = user.name, now
    d.signs_confirmed_by = None if d.without_notice else user.name


def request_close(d: Deployment, by: User | None, now: datetime) -> None:
    """Record that ``d`` is to close (``by`` None: its window ended)."""
    if by is not None:
        require(by, Action.CLOSE_DEPLOYMENT)
    _check_move(d, State.CLOSED)
    if d.close_requested_at is None:
        d.close_requested_by = by.name if by else "system: window ended"
        d.close_requested_at = now


def complete_close(d: Deployment, now: datetime) -> None:
    """Mark ``d`` closed; its watchlist and key must already be destroyed."""
    if d.close_requested_at is None:
        raise DomainError(f"{d}: request the close before completing it")
    _move(d, State.CLOSED)
    d.closed_at = now


def cancel(d: Deployment, user: User, now: datetime) -> None:
    require(user, Action.CANCEL_DEPLOYMENT)
    if d.state == State.LIVE:
        raise DomainError(f"{d} is live: close it instead of cancelling it")
    _move(d, State.CANCELLED)
    d.cancelled_by, d.cancelled_at = user.name, now


def due_to_close(d: Deployment, now: datetime) -> bool:
    """Whether ``d`` should be closed now: asked to, or its window is over."""
    if d.state not in (State.AUTHORISED, State.LIVE):
        return False
    return d.close_requested_at is not None or now >= d.ends_at


def announced(d: Deployment, now: datetime) -> bool:
    """Whether the public notice lists ``d``: authorised or live, its window not over, no
    close asked for, and not authorised to run without prior notice."""
    return (
        d.state in (State.AUTHORISED, State.LIVE)
        and not d.without_notice
        and d.close_requested_at is None
        and now < d.ends_at
    )


def check_has_record(d: Deployment) -> None:
    """A deployment has a record to publish once it has gone live."""
    if d.started_at is None:
        raise DomainError(
            f"{d} is {d.state} and never went live: it has no deployment record to publish"
        )


def is_live(d: Deployment, now: datetime) -> bool:
    """Whether ``d`` is live, inside its window, with no close requested: only then is its
    watchlist searched or an alert raised."""
    return d.state == State.LIVE and not d.close_requested_at and now < d.ends_at


def check_live(d: Deployment, now: datetime) -> None:
    """Refuse unless ``d`` is live (``is_live``)."""
    if not is_live(d, now):
        raise DomainError(f"{d} is not live: its watchlist is not searched and raises no alert")


def check_camera(d: Deployment, camera: str) -> None:
    if camera not in d.cameras:
        raise DomainError(f"{d} has no camera {camera}: its cameras are {', '.join(d.cameras)}")


def check_may_raise_alert(d: Deployment, camera: str, score: float, now: datetime) -> None:
    """An alert is raised only by a live deployment, from one of its cameras, at or above its
    threshold."""
    check_live(d, now)
    check_camera(d, camera)
    if score < d.threshold:
        raise DomainError(f"score {score:.4f} is below {d}'s threshold {d.threshold:.4f}")
