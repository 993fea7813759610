"""Row MACs across a migration: a row MACed before columns were added still matches after the
upgrade, and a value written to a new column is covered."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from openlfr.store.integrity import ADDED_LATER, holds, mac
from openlfr.store.tables import alerts, deployments

KEY = bytes(range(32))


def before(table: sa.Table) -> sa.Table:
    """``table`` as it was before its ADDED_LATER columns."""
    later = ADDED_LATER[table.name]
    kept = [sa.Column(c.name, c.type) for c in table.columns if c.name not in later]
    return sa.Table(table.name, sa.MetaData(), *kept)


def test_an_alert_maced_before_disposals_and_versions_matches_and_a_change_is_covered() -> None:
    old = {"id": 4, "adjudication": "confirmed_true", "outcome": "arrested", "score": 0.8}
    old |= {c.name: "" for c in before(alerts).columns if c.name not in old}
    upgraded = old | ADDED_LATER["alerts"]
    upgraded["mac"] = mac(KEY, before(alerts), old)
    assert holds(KEY, alerts, upgraded)
    assert not holds(KEY, alerts, upgraded | {"disposal": "charged"})
    assert not holds(KEY, alerts, upgraded | {"version": 2})
    recorded = upgraded | {"disposal": "charged", "disposal_recorded_by": "omar",
                           "disposal_recorded_at": datetime(2026, 12, 1, tzinfo=UTC)}  # fmt: skip
    recorded["mac"] = mac(KEY, alerts, recorded)
    assert holds(KEY, alerts, recorded)
    # Setting the disposal back to none, the recorder left, does not match either.
    assert not holds(KEY, alerts, recorded | {"disposal": None})


def test_a_deployment_maced_before_compositions_still_matches() -> None:
    old = {c.name: 1 for c in before(deployments).columns}
    upgraded = old | {"watchlist_composition": None, "mac": mac(KEY, before(deployments), old)}
    assert holds(KEY, deployments, upgraded)
    assert not holds(KEY, deployments, upgraded | {"watchlist_composition": {"male": {"white": 1}}})
