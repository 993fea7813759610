"""Operational equitability monitoring: alerts by the recorded sex and ethnicity of the matched
subject, beside the watchlist's own composition, per deployment, per month and over a period.

A group's alerts are read against its share of the watchlist: if one group
holds a tenth of the watchlist and half of the false alerts, a force sees it
before it becomes a pattern. True and false here are the operator's verdict
(``confirmed_true``, ``confirmed_false``), confirmed by an engagement or not;
alerts the operator could not confirm or did not adjudicate count only as
alerts. A month holds the deployments that went live in it. Where a
deployment's watchlist composition was not kept (compiled before openlfr kept
it), the watchlisted count of any total including it is not available (None).
These are counts, not a statistical test: small groups are shown with their
counts, for a person to judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from openlfr.domain.alert import Adjudication
from openlfr.services.records import DeploymentFacts

# The rule above, as a report states it.
EXPLAINED = (
    "Groups are the matched subject's sex and ethnicity as the watchlist manager recorded "
    "them. True and false are the operator's verdict; alerts the operator could not confirm or "
    "did not adjudicate count only as alerts. Watchlisted: the group's subjects on the "
    "watchlists (a subject on two watchlists counts twice). A month holds the deployments that "
    "went live in it. These are counts, not a statistical test."
)


@dataclass(frozen=True)
class Group:
    """One group's figures: subjects of it on the watchlist(s) (a subject on two watchlists
    counts twice) and the alerts on its members."""

    sex: str
    ethnicity: str
    watchlisted: int | None
    alerts: int
    adjudicated_true: int
    adjudicated_false: int


@dataclass(frozen=True)
class Scope:
    """The groups of one scope: a deployment (``deployment 3``), a month (``2026-11``) or the
    whole period (``all``)."""

    name: str
    groups: list[Group]


@dataclass(frozen=True)
class Equitability:
    first: date
    last: date
    scopes: list[Scope]  # the period, then each month, then each deployment


def equitability_of(first: date, last: date, facts: list[DeploymentFacts]) -> Equitability:
    """The figures by group of the deployments that went live from ``first`` to ``last``."""
    months: dict[str, list[DeploymentFacts]] = {}
    for f in facts:
        assert f.deployment.started_at is not None  # facts are of deployments that ran
        months.setdefault(f"{f.deployment.started_at:%Y-%m}", []).append(f)
    scopes = [Scope("all", groups_of(facts))]
    scopes += [Scope(month, groups_of(found)) for month, found in months.items()]
    scopes += [Scope(f"deployment {f.deployment.id}", groups_of([f])) for f in facts]
    return Equitability(first, last, scopes)


def groups_of(facts: list[DeploymentFacts]) -> list[Group]:
    """The figures of each group found on these deployments' watchlists or alerts, by sex
    then ethnicity."""
    compositions = [f.deployment.watchlist_composition for f in facts]
    alerts = [a for f in facts for a in f.alerts]
    keys = {(a.sex, a.ethnicity) for a in alerts} | {
        (sex, ethnicity)
        for c in compositions
        for sex, by_ethnicity in (c or {}).items()
        for ethnicity in by_ethnicity
    }
    groups = []
    for sex, ethnicity in sorted(keys):
        mine = [a for a in alerts if (a.sex, a.ethnicity) == (sex, ethnicity)]
        groups.append(
            Group(
                sex,
                ethnicity,
                _watchlisted(compositions, sex, ethnicity),
                len(mine),
                sum(a.adjudication == Adjudication.CONFIRMED_TRUE for a in mine),
                sum(a.adjudication == Adjudication.CONFIRMED_FALSE for a in mine),
            )
        )
    return groups


def _watchlisted(
    compositions: Iterable[dict[str, dict[str, int]] | None], sex: str, ethnicity: str
) -> int | None:
    """The group's subjects over these watchlists; None if any composition was not kept."""
    total = 0
    for c in compositions:
        if c is None:
            return None
        total += c.get(sex, {}).get(ethnicity, 0)
    return total


def rows(e: Equitability) -> list[dict[str, object]]:
    """Every scope's groups as rows (scope first), for CSV."""
    return [{"scope": s.name, **vars(g)} for s in e.scopes for g in s.groups]
