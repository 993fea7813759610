"""The disposal of an arrest, recorded after the alert (its deployment closed or not): audited,
refused where no arrest was made, and an edit outside openlfr detected by the row MAC."""

from __future__ import annotations

import json

import pytest

from openlfr.domain.alert import Adjudication, Disposal, Outcome
from openlfr.domain.errors import DomainError, NotFound
from openlfr.services import alerts, deployments
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import RowEditedError
from openlfr.vision.engine import Engine
from tests.services.conftest import Clock, findings, live_alert, log
from tests.services.test_integrity import tamper


def test_a_disposal_is_recorded_after_the_close_and_audited(
    store: Store, engine: Engine, clock: Clock
) -> None:
    deployment_id, raised = live_alert(store, engine, clock)
    ident = raised.id or 0
    with pytest.raises(DomainError, match=f"alert {ident} led to no arrest"):
        alerts.record_disposal(store, "omar", ident, Disposal.CHARGED)
    alerts.adjudicate(store, "omar", ident, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    deployments.close(store, "omar", deployment_id)
    clock.advance(days=20)
    a = alerts.record_disposal(store, "omar", ident, Disposal.CHARGED)
    assert (a.disposal, a.disposal_recorded_by, a.disposal_recorded_at) == (
        Disposal.CHARGED, "omar", clock.now
    )  # fmt: skip
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.target) == ("omar", "alert.disposal", f"alert {ident}")
    assert json.loads(entry.detail) == {"disposal": "None -> charged"}
    assert alerts.get_alert(store, "ada", ident).disposal == Disposal.CHARGED
    assert findings(store) == ()
    with pytest.raises(NotFound, match="there is no alert 99"):
        alerts.record_disposal(store, "omar", 99, Disposal.CHARGED)


def test_a_disposal_edited_outside_openlfr_is_detected(
    store: Store, engine: Engine, clock: Clock
) -> None:
    _, raised = live_alert(store, engine, clock)
    ident = raised.id or 0
    alerts.adjudicate(store, "omar", ident, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    alerts.record_disposal(store, "omar", ident, Disposal.RELEASED_NO_FURTHER_ACTION)
    tamper(store, "UPDATE alerts SET disposal = 'charged' WHERE id = :i", i=ident)
    assert findings(store) == (f"alerts {ident}",)
    with pytest.raises(RowEditedError, match=f"alerts row {ident} was changed outside"):
        alerts.record_disposal(store, "omar", ident, Disposal.CAUTIONED)
