"""What the system does by itself, on every start and on a schedule: close, purge, flag, and
finish a shredding a reader held up."""

from __future__ import annotations

from dataclasses import dataclass

from openlfr.services import alerts, deployments, shredding, watchlists
from openlfr.services.unit_of_work import Store


@dataclass(frozen=True)
class Done:
    closed: list[int]  # deployments
    purged: list[int]  # alerts whose biometrics were purged
    flagged: list[int]  # subjects due for review
    shredded: bool = False  # a pending shredding finished


def run(store: Store) -> Done:
    """Complete interrupted closes, close deployments whose window ended, purge, flag, finish
    a pending shredding."""
    return Done(
        deployments.close_due(store),
        alerts.purge_expired(store),
        watchlists.flag_due_for_review(store),
        shredding.finish_pending(store),
    )
