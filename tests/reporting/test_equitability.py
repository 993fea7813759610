"""Alerts by group beside the watchlist's composition: worked out by hand, and from a real
store on each backend, the composition kept after the watchlist is destroyed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from openlfr.domain.alert import Adjudication as A
from openlfr.reporting.equitability import Group, equitability_of, groups_of
from openlfr.reporting.publish import equitability_document
from openlfr.reporting.render import Format
from openlfr.services import records
from openlfr.services.records import AlertFacts, DeploymentFacts
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.domain.factories import NOW, deployment
from tests.services.conftest import Clock, reported_deployment

Composition = dict[str, dict[str, int]] | None


def facts(
    ident: int, days: int, composition: Composition, *alerts: tuple[str, A]
) -> DeploymentFacts:
    """Deployment ``ident``, live ``days`` after NOW, with alerts on (sex/ethnicity, verdict)."""
    d = replace(deployment(), id=ident, started_at=NOW + timedelta(days=days),
                watchlist_composition=composition)  # fmt: skip
    found = [AlertFacts(NOW, v, None, None, *group.split("/")) for group, v in alerts]
    return DeploymentFacts(d, found, 100)


def test_groups_count_alerts_and_verdicts_beside_the_watchlist() -> None:
    watchlist = {"male": {"white": 8, "black": 1}, "female": {"asian": 1}}
    first = facts(
        1, 0, watchlist, ("male/black", A.CONFIRMED_FALSE), ("male/black", A.CONFIRMED_FALSE),
        ("male/white", A.CONFIRMED_TRUE), ("male/white", A.UNABLE_TO_CONFIRM),
    )  # fmt: skip
    second = facts(2, 10, {"male": {"white": 2}}, ("male/white", A.CONFIRMED_FALSE))
    assert groups_of([first, second]) == [
        Group("female", "asian", 1, 0, 0, 0),
        Group("male", "black", 1, 2, 0, 2),
        Group("male", "white", 10, 3, 1, 1),
    ]
    # A deployment whose composition was not kept leaves the watchlisted totals unknown.
    unknown = facts(3, 40, None, ("female/mixed", A.CONFIRMED_FALSE))
    assert groups_of([second, unknown]) == [
        Group("female", "mixed", None, 1, 0, 1),
        Group("male", "white", None, 1, 0, 1),
    ]
    e = equitability_of(NOW.date(), NOW.date() + timedelta(days=60), [first, second, unknown])
    assert [s.name for s in e.scopes] == [
        "all", "2026-11", "2026-12", "2027-01", "deployment 1", "deployment 2", "deployment 3",
    ]  # fmt: skip
    assert e.scopes[1].groups == groups_of([first])


def test_the_composition_outlives_the_watchlist_and_the_report_reads_it(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = reported_deployment(store, engine, clock)  # closed: its watchlist destroyed
    day = (d.started_at or NOW).date()
    [found] = records.facts_between(store, "ada", day, day)
    assert found.deployment.watchlist_composition == {"male": {"white": 1}, "female": {"black": 1}}
    e = equitability_of(day, day, [found])
    assert e.scopes[0].groups == [
        Group("female", "black", 1, 3, 0, 2),
        Group("male", "white", 1, 3, 2, 0),
    ]
    html = equitability_document(e, Format.HTML, NOW)
    assert html.count("<svg") == 1 and "<h2>Deployment 1</h2>" in html
    assert equitability_document(e, Format.CSV, NOW).splitlines()[:2] == [
        "scope,sex,ethnicity,watchlisted,alerts,adjudicated_true,adjudicated_false",
        "all,female,black,1,3,0,2",
    ]
