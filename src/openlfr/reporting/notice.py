"""The public notice: the deployments announced now (use case, where, when) and how to raise a
concern, with the published records of past deployments. Nothing about a watchlist or an
alert beyond the records' counts, and no deployment authorised to run without prior notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openlfr.domain.deployment import State
from openlfr.errors import LfrError
from openlfr.reporting.record import DeploymentRecord, record_of
from openlfr.services.records import NoticeFacts


@dataclass(frozen=True)
class Announcement:
    """A deployment as the public notice announces it."""

    use_case: str
    location: str
    starts_at: datetime
    ends_at: datetime
    live: bool


@dataclass(frozen=True)
class Notice:
    generated_at: datetime
    concerns_contact: str
    announced: list[Announcement]
    past: list[DeploymentRecord]


def check_contact(concerns_contact: str) -> None:
    """Refuse a notice that would not say how to raise a concern."""
    if not concerns_contact.strip():
        raise LfrError(
            "the public notice must say how to raise a concern: set concerns_contact under "
            "[governance] in the settings file to an address, form or telephone number"
        )


def notice_of(facts: NoticeFacts, concerns_contact: str, now: datetime) -> Notice:
    """The notice of ``facts``; refused without a way for the public to raise a concern."""
    check_contact(concerns_contact)
    announced = [
        Announcement(d.use_case, d.location, d.starts_at, d.ends_at, d.state == State.LIVE)
        for d in facts.announced
    ]
    return Notice(now, concerns_contact.strip(), announced, [record_of(f) for f in facts.past])
