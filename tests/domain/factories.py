"""Valid domain records to start each rule's test from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openlfr.domain.deployment import Deployment
from openlfr.domain.roles import Role, User
from openlfr.domain.watchlist import Subject

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

PLANNER = User("pat", [Role.PLANNER])
OFFICER = User("olu", [Role.AUTHORISING_OFFICER])
OPERATOR = User("omar", [Role.OPERATOR])
AUDITOR = User("ada", [Role.AUDITOR])


def application(**changes: Any) -> dict[str, Any]:
    """A complete application for a four-hour deployment starting in an hour."""
    fields: dict[str, Any] = dict(
        name="Oxford Street, Saturday",
        use_case="crime_hotspot",
        legal_basis="Common law policing powers; DPA 2018 s.35",
        necessity="Repeated robberies by people wanted on warrant; less intrusive means failed",
        location="Oxford Street at Oxford Circus",
        location_grounds="Intelligence places wanted robbery suspects there on Saturdays",
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
        cameras=["van-1-north", "van-1-south"],
        criteria=["wanted_by_court", "wanted_serious_offence"],
        rights_assessment="Art 8 engaged, justified; no assembly expected (art 10, 11)",
        dpia_ref="DPIA-2026-014",
        eqia_ref="EQIA-2026-009",
    )
    return fields | changes


def deployment(**changes: Any) -> Deployment:
    return Deployment(**application(**changes), requested_by=PLANNER.name, threshold=0.57)


def subject(**changes: Any) -> Subject:
    s = Subject(
        name="A. Person",
        date_of_birth=date(1990, 5, 1),
        sex="male",
        ethnicity="white",
        category="wanted_by_court",
        reason="Failed to appear; warrant issued",
        case_reference="WARRANT/2026/0042",
        review_by=date(2027, 5, 1),
        added_by="wm",
        added_at=NOW,
    )
    return replace(s, **changes)
