"""The closed lists a deployment and a watchlist are described with.

Closed lists, not free text, so that what was authorised can be counted and
checked. Each list is configurable (settings); these are the defaults, taken
from the College of Policing's LFR guidance and the ONS ethnic groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from openlfr.domain.errors import DomainError

USE_CASES = (
    "crime_hotspot",
    "event_public_safety",
    "critical_infrastructure",
    "wanted_by_courts",
    "missing_or_vulnerable_person",
    "protective_security_operation",
)

WATCHLIST_CATEGORIES = (
    "wanted_by_court",
    "wanted_serious_offence",
    "offender_management_conditions",
    "missing_person",
    "vulnerable_person",
    "risk_to_public",
)

SEXES = ("female", "male", "not_recorded")
ETHNICITIES = ("asian", "black", "mixed", "white", "other", "not_recorded")
IMAGE_SOURCES = ("custody_image", "court_record", "missing_person_report", "other_police_record")


@dataclass(frozen=True)
class Vocabulary:
    """The lists in force: what a deployment or subject may be described as."""

    use_cases: tuple[str, ...] = USE_CASES
    categories: tuple[str, ...] = WATCHLIST_CATEGORIES
    sexes: tuple[str, ...] = SEXES
    ethnicities: tuple[str, ...] = ETHNICITIES
    image_sources: tuple[str, ...] = IMAGE_SOURCES


def one_of(value: str, allowed: tuple[str, ...], what: str) -> None:
    """Refuse ``value`` unless it is in ``allowed``, listing the choices."""
    if value not in allowed:
        raise DomainError(f"{what} {value!r} is not one of: {', '.join(allowed)}")
