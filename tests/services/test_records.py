"""The facts published records are made of, read on each backend: by whom, of what, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openlfr.domain.alert import Adjudication
from openlfr.domain.errors import DomainError, Forbidden, Invalid, NotFound
from openlfr.services import deployments, records
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.domain.factories import NOW, application
from tests.services.conftest import REPORTED_ALERTS, Clock, log, reported_deployment


def test_a_deployments_facts_name_no_one_and_the_read_is_audited(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = reported_deployment(store, engine, clock)
    facts = records.deployment_facts(store, "ada", d.id or 0)
    assert facts.deployment.id == d.id and facts.faces_seen == 2000
    assert [a.adjudication for a in facts.alerts] == [v for _, v, _ in REPORTED_ALERTS]
    assert {(a.sex, a.ethnicity) for a in facts.alerts} == {("male", "white"), ("female", "black")}
    named = ("subject_name", "subject_id")
    assert not any(hasattr(a, name) for a in facts.alerts for name in named)
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.target) == ("ada", "report.read", f"deployment {d.id}")
    assert '"alerts_read": [1, 2, 3, 4, 5, 6]' in entry.detail


def test_a_deployment_without_counts_has_faces_seen_not_available(
    store: Store, engine: Engine, clock: Clock
) -> None:
    from tests.services.conftest import live_alert

    deployment_id, _ = live_alert(store, engine, clock)
    facts = records.deployment_facts(store, "olu", deployment_id)
    assert facts.faces_seen is None and len(facts.alerts) == 1
    assert facts.alerts[0].adjudication == Adjudication.UNADJUDICATED


def test_refusals_name_the_deployment_the_role_and_what_to_do(store: Store) -> None:
    with pytest.raises(NotFound, match="there is no deployment 99"):
        records.deployment_facts(store, "ada", 99)
    d = deployments.request(store, "pat", application())
    with pytest.raises(Forbidden, match=r"pat \(planner\) may not produce deployment records"):
        records.deployment_facts(store, "pat", d.id or 0)
    with pytest.raises(DomainError, match=f"deployment {d.id} .* is draft and never went live"):
        records.deployment_facts(store, "ada", d.id or 0)
    with pytest.raises(Invalid, match=r"the period ends \(2026-11-01\) before it starts"):
        records.facts_between(store, "ada", date(2026, 11, 2), date(2026, 11, 1))
    refused = [(e.actor, e.action, e.outcome) for e in log(store)[-3:]]
    assert refused == [("pat", "report.read", "refused"), ("ada", "report.read", "refused"),
                       ("ada", "report.read", "refused")]  # fmt: skip


def test_a_period_holds_the_deployments_that_went_live_in_it(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ran = reported_deployment(store, engine, clock)
    deployments.request(store, "pat", application())  # never goes live: in no period
    day = (NOW + timedelta(hours=2)).date()
    assert [f.deployment.id for f in records.facts_between(store, "olu", day, day)] == [ran.id]
    later = day + timedelta(days=1)
    assert records.facts_between(store, "olu", later, later + timedelta(days=9)) == []


def test_the_notice_announces_what_is_authorised_with_notice_and_lists_what_has_closed(
    store: Store, engine: Engine, clock: Clock
) -> None:
    past = reported_deployment(store, engine, clock)
    window = {"starts_at": clock.now + timedelta(hours=1), "ends_at": clock.now + timedelta(days=1)}
    coming = deployments.request(store, "pat", application(**window))
    deployments.authorise(store, "olu", coming.id or 0)
    unannounced = {"without_notice": True, "without_notice_justification": "Threat to life"}
    secret = deployments.request(store, "pat", application(**window, **unannounced))
    deployments.authorise(store, "olu", secret.id or 0)
    deployments.request(store, "pat", application(**window))  # a draft: not announced
    facts = records.notice_facts(store, "olu")
    assert [d.id for d in facts.announced] == [coming.id]
    assert [f.deployment.id for f in facts.past] == [past.id]
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.outcome) == ("olu", "report.notice", "done")
    with pytest.raises(Forbidden, match="omar"):
        records.notice_facts(store, "omar")
