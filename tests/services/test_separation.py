"""Random sequences of actions by random users with random roles: nobody does what their roles
do not allow, every attempt is audited (a refusal in one entry), and the chain stays intact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openlfr.config import Settings
from openlfr.domain.alert import Adjudication
from openlfr.domain.errors import DomainError
from openlfr.domain.roles import ALLOWED, Action, Role
from openlfr.errors import LfrError
from openlfr.services import alerts, audit, cameras, deployments, records, users, watchlists
from openlfr.services.unit_of_work import Store
from openlfr.store import audit as chain
from tests.domain.factories import NOW, application
from tests.services.conftest import register_cameras

Call = Callable[[Store, str], Any]

# Each action a user may attempt, with the permission it needs; deployment 1 is the one made.
ATTEMPTS: dict[str, tuple[Action, Call]] = {
    "request": (
        Action.REQUEST_DEPLOYMENT,
        lambda s, u: deployments.request(s, u, application(threshold=0.57)),
    ),
    "authorise": (Action.AUTHORISE_DEPLOYMENT, lambda s, u: deployments.authorise(s, u, 1)),
    "threshold": (Action.CHANGE_THRESHOLD, lambda s, u: deployments.change_threshold(s, u, 1, 0.6)),
    "compile": (Action.COMPILE_WATCHLIST, lambda s, u: deployments.compile_watchlist(s, u, 1)),
    "approve": (Action.APPROVE_WATCHLIST, lambda s, u: deployments.approve(s, u, 1)),
    "start": (Action.START_DEPLOYMENT, lambda s, u: deployments.start(s, u, 1, signs_up=True)),
    "close": (Action.CLOSE_DEPLOYMENT, lambda s, u: deployments.close(s, u, 1)),
    "cancel": (Action.CANCEL_DEPLOYMENT, lambda s, u: deployments.cancel(s, u, 1)),
    "adjudicate": (
        Action.ADJUDICATE,
        lambda s, u: alerts.adjudicate(s, u, 1, Adjudication.CONFIRMED_FALSE),
    ),
    "biometrics": (Action.VIEW_BIOMETRICS, lambda s, u: alerts.view_biometrics(s, u, 1)),
    "alerts": (Action.VIEW_ALERTS, lambda s, u: alerts.list_alerts(s, u)),
    "subjects": (Action.VIEW_SUBJECTS, lambda s, u: watchlists.list_subjects(s, u)),
    "deployments": (Action.VIEW_DEPLOYMENTS, lambda s, u: deployments.list_all(s, u)),
    "add user": (
        Action.MANAGE_USERS,
        lambda s, u: users.add_user(s, u, f"n{len(users.list_users(s))}", ["planner"]),
    ),
    "deactivate": (Action.MANAGE_USERS, lambda s, u: users.set_active(s, u, "u1", False)),
    "add camera": (
        Action.MANAGE_CAMERAS,
        lambda s, u: cameras.add_camera(s, u, f"cam-{NOW.timestamp():.0f}-{u}", "rtsp://cam/x"),
    ),
    "verify": (Action.AUDIT, lambda s, u: audit.verify(s, u)),
    "report": (Action.PUBLISH_RECORDS, lambda s, u: records.deployment_facts(s, u, 1)),
    "period": (
        Action.PUBLISH_RECORDS,
        lambda s, u: records.facts_between(s, u, NOW.date(), NOW.date()),
    ),
    "notice": (Action.PUBLISH_RECORDS, lambda s, u: records.notice_facts(s, u)),
}

roles = st.lists(st.sampled_from(list(Role)), min_size=1, max_size=3, unique=True)
steps = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(sorted(ATTEMPTS))), min_size=1, max_size=12
)


def entries(store: Store) -> list[chain.Entry]:
    with store.reading() as session:
        return list(chain.entries(session))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staff=st.lists(roles, min_size=4, max_size=4), plan=steps)
def test_no_sequence_lets_a_user_exceed_their_roles(
    tmp_path_factory: Any, staff: list[list[Role]], plan: list[tuple[int, str]]
) -> None:
    folder: Path = tmp_path_factory.mktemp("store")
    clock = [NOW]
    store = Store(Settings(data_dir=folder, database_url=None, master_key=None,
                           master_key_file=folder / "master.key"), lambda: clock[0],
                  create=True)  # fmt: skip
    try:
        users.add_first_admin(store, "root")
        for k, held in enumerate(staff):
            users.add_user(store, "root", f"u{k}", [str(r) for r in held])
        register_cameras(store, "root")
        for who, name in plan:
            user = f"u{who}"
            action, attempt = ATTEMPTS[name]
            may = any(r in ALLOWED[action] for r in staff[who])
            before = len(entries(store))
            try:
                attempt(store, user)
                succeeded = True
            except (DomainError, LfrError):
                succeeded = False
            new = entries(store)[before:]
            assert not succeeded or may, f"{user} ({staff[who]}) could {action}"
            if succeeded:  # a close is two audited steps
                assert new and (new[0].actor, new[0].outcome) == (user, "done")
            else:
                assert [(e.actor, e.outcome) for e in new] == [(user, "refused")]
            clock[0] += timedelta(minutes=20)
        assert audit.verify(store, "root").intact
    finally:
        store.close()
