"""How long alert biometrics are kept after their deployment closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from openlfr.domain.alert import Adjudication, Alert


@dataclass(frozen=True)
class RetentionPolicy:
    """Unconfirmed and false alerts are kept briefly; confirmed true ones a month."""

    unconfirmed: timedelta = timedelta(hours=24)
    confirmed: timedelta = timedelta(days=31)

    def keep_for(self, a: Alert) -> timedelta:
        confirmed = a.adjudication == Adjudication.CONFIRMED_TRUE
        return self.confirmed if confirmed else self.unconfirmed


def purge_due(a: Alert, closed_at: datetime | None, policy: RetentionPolicy, now: datetime) -> bool:
    """Whether ``a``'s probe crop and reference image must be purged now."""
    if a.biometrics_purged_at is not None or closed_at is None:
        return False
    return now >= closed_at + policy.keep_for(a)
