"""What the system does by itself, on every start and on a schedule: close, purge, flag."""

from __future__ import annotations

from dataclasses import dataclass

from openlfr.services import alerts, deployments, watchlists
from openlfr.services.unit_of_work import Store


@dataclass(frozen=True)
class Done:
    closed: list[int]  # deployments
    purged: list[int]  # alerts whose biometrics were purged
    flagged: list[int]  # subjects due for review


def run(store: Store) -> Done:
    """Complete interrupted closes, close deployments whose window ended, purge, flag."""
    return Done(
        deployments.close_due(store),
        alerts.purge_expired(store),
        watchlists.flag_due_for_review(store),
    )
