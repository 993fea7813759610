"""Alerts: raised by the software, adjudicated by an operator, their biometrics purged on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from openlfr.domain import alert as rules
from openlfr.domain.alert import Adjudication, Alert, Disposal, Outcome
from openlfr.domain.deployment import Deployment, check_live, check_may_raise_alert
from openlfr.domain.errors import DomainError, NotFound
from openlfr.domain.retention import RetentionPolicy, purge_due
from openlfr.domain.roles import SYSTEM, Action, require
from openlfr.services.shredding import shredding
from openlfr.services.unit_of_work import Act, Store
from openlfr.store.keys import alerts_scope, watchlist_scope
from openlfr.store.repositories import Alerts, Watchlists
from openlfr.store.tables import alert_biometrics, audit_log, watchlist_entries

if TYPE_CHECKING:  # NumPy and the index load where a watchlist does, not for every command
    from openlfr.gallery.index import WatchlistIndex


@dataclass(frozen=True)
class LiveWatchlist:
    """What a live deployment searches with: its frozen watchlist's index, labelled by subject
    id (a subject with several reference images has several templates), the watchlist entry
    of each template, the threshold it was authorised with, and when its window ends."""

    index: WatchlistIndex
    entries: list[int]
    threshold: float
    ends_at: datetime


def load_watchlist(store: Store, deployment_id: int) -> LiveWatchlist:
    """The frozen watchlist of a live deployment, to search its cameras' faces with."""
    import numpy as np

    from openlfr.gallery.index import WatchlistIndex

    with store.action(SYSTEM, "watchlist.load", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        check_live(d, store.now())
        scope = watchlist_scope(d.id)
        rows = Watchlists(act.session).templates(d.id)
        opened = [act.unseal(scope, watchlist_entries, r.id, "template", r.template) for r in rows]
        templates = np.stack([np.frombuffer(t, np.float32) for t in opened])
        act.detail = {"templates_read": len(rows)}
        index = WatchlistIndex(templates, [str(r.subject_id) for r in rows])
        return LiveWatchlist(index, [r.id for r in rows], d.threshold, d.ends_at)


def recently_alerted(
    store: Store, deployment_id: int, camera: str, within: float
) -> dict[str, datetime]:
    """The subjects (ids, as the live watchlist labels them) ``camera`` of the deployment
    alerted on in the last ``within`` seconds, each with when the face of its latest alert was
    seen: what a camera's restarted worker must not alert on again at once."""
    since = store.now() - timedelta(seconds=within)
    latest: dict[str, datetime] = {}
    with store.reading() as session:
        for a in Alerts(session).raised_since(deployment_id, camera, since):
            seen, subject = a.seen_at or a.raised_at, str(a.subject_id)
            if seen >= since:
                latest[subject] = max(seen, latest.get(subject, seen))
    return latest


def raise_alert(
    store: Store,
    deployment_id: int,
    entry_id: int,
    camera: str,
    probe: bytes,
    score: float,
    seen_at: datetime | None = None,
    track_length: int = 0,
) -> Alert:
    """Record an alert: ``probe`` (an encoded crop) matched watchlist entry ``entry_id``, in a
    frame captured at ``seen_at``, its track ``track_length`` frames long."""
    with store.action(SYSTEM, "alert.raise", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        now = store.now()
        check_may_raise_alert(d, camera, score, now)
        entry = Watchlists(act.session).entry(d.id, entry_id)
        if entry is None:
            raise DomainError(f"{d}'s watchlist has no entry {entry_id}")
        reference = act.unseal(
            watchlist_scope(d.id), watchlist_entries, entry.id, "image", entry.image
        )
        a = Alert(
            d.id, entry.subject_id, entry.subject_name, entry.category, entry.sex,  # type: ignore[arg-type]
            entry.ethnicity, camera, now, score, seen_at=seen_at, track_length=track_length,
        )  # fmt: skip
        act.session.add(a)
        act.session.flush()
        act.insert_sealed(
            alert_biometrics, alerts_scope(d.id), {"alert_id": a.id},
            {"probe": probe, "reference": reference},
        )  # fmt: skip
        act.target = str(a)
        act.detail = {"deployment": d.id, "subject": a.subject_id, "score": score, "camera": camera}
        return a


def adjudicate(
    store: Store,
    actor: str,
    alert_id: int,
    verdict: Adjudication,
    outcome: Outcome | None = None,
    note: str = "",
    seen: int | None = None,
) -> Alert:
    """An operator's verdict on an alert awaiting one, decided on its version ``seen``."""
    with store.action(actor, "alert.adjudicate", f"alert {alert_id}") as act:
        a, closed_at = _for_change(act, alert_id)
        act.detail = rules.adjudicate(
            a, act.user(), verdict, outcome, note, store.now(), closed_at, seen
        )
        return a


def amend(
    store: Store,
    actor: str,
    alert_id: int,
    verdict: Adjudication,
    outcome: Outcome | None,
    note: str,
    reason: str,
    seen: int | None = None,
) -> Alert:
    """Change the verdict of an adjudicated alert of a running deployment (an operator, with a
    reason, decided on its version ``seen``); the audit entry holds before, after and why."""
    with store.action(actor, "alert.amend", f"alert {alert_id}") as act:
        a, closed_at = _for_change(act, alert_id)
        act.detail = rules.amend(
            a, act.user(), verdict, outcome, note, reason, store.now(), closed_at, seen
        )
        return a


def correct(
    store: Store,
    actor: str,
    alert_id: int,
    verdict: Adjudication,
    outcome: Outcome | None,
    note: str,
    reason: str,
    seen: int | None = None,
) -> Alert:
    """Correct a closed deployment's adjudicated alert (an auditor, not its adjudicator, with
    a reason, decided on its version ``seen``); the audit entry holds what changed and why."""
    with store.action(actor, "alert.correct", f"alert {alert_id}") as act:
        a, closed_at = _for_change(act, alert_id)
        act.detail = rules.correct(
            a, act.user(), verdict, outcome, note, reason, store.now(), closed_at, seen
        )
        return a


def _for_change(act: Act, alert_id: int) -> tuple[Alert, datetime | None]:
    """The alert, locked until the action commits (two writers of it take turns, so the
    second sees the first's version), and when its deployment closed."""
    a = act.session.get(Alert, alert_id, with_for_update=True)
    if a is None:
        raise NotFound(f"there is no alert {alert_id}")
    return a, act.get(Deployment, a.deployment_id).closed_at


def record_disposal(
    store: Store, actor: str, alert_id: int, disposal: Disposal, note: str = ""
) -> Alert:
    """Record what became of the arrest alert ``alert_id`` led to (an operator; at any time,
    its deployment closed or not); the audit entry holds what changed."""
    with store.action(actor, "alert.disposal", f"alert {alert_id}") as act:
        a, _ = _for_change(act, alert_id)
        act.detail = rules.record_disposal(a, act.user(), disposal, note, store.now())
        return a


def view_biometrics(store: Store, actor: str, alert_id: int) -> tuple[bytes, bytes]:
    """An alert's probe crop and reference image (encoded images); the read is audited."""
    with store.action(actor, "alert.view_biometrics", f"alert {alert_id}") as act:
        require(act.user(), Action.VIEW_BIOMETRICS)
        a = act.get(Alert, alert_id)
        if a.biometrics_purged_at:
            raise DomainError(f"{a}'s images were purged at {a.biometrics_purged_at}")
        row = Alerts(act.session).biometrics(alert_id)
        scope = alerts_scope(a.deployment_id)
        return (
            act.unseal(scope, alert_biometrics, alert_id, "probe", row.probe),
            act.unseal(scope, alert_biometrics, alert_id, "reference", row.reference),
        )


def list_alerts(
    store: Store,
    actor: str,
    deployment_id: int | None = None,
    after: int = 0,
    before: int | None = None,
    newest: int | None = None,
) -> list[Alert]:
    """Alerts with ids after ``after`` and before ``before`` (of one deployment if given),
    oldest first: only the ``newest`` of them if given. The read is audited."""
    with store.action(actor, "alert.list", "alerts") as act:
        require(act.user(), Action.VIEW_ALERTS)
        found = Alerts(act.session).listed(deployment_id, after, before, newest)
        act.detail = {"alerts_read": [a.id for a in found]}
        return found


def get_alert(store: Store, actor: str, alert_id: int) -> Alert:
    """One alert (its record, not its images); the read is audited."""
    with store.action(actor, "alert.read", f"alert {alert_id}") as act:
        require(act.user(), Action.VIEW_ALERTS)
        return act.get(Alert, alert_id)


def last_alert_id(store: Store) -> int:
    """The newest alert's id (0 if none): a number only, for a feed to see if anything is new
    before it reads (and audits) what is."""
    with store.reading() as session:
        return Alerts(session).last_id()


# The actions that write an alert once it is raised: an open page showing one is told.
ALERT_WRITES = ("alert.adjudicate", "alert.amend", "alert.correct", "alert.disposal",
                "alert.purge_biometrics")  # fmt: skip


def alert_writes(store: Store, after: int | None) -> tuple[int, list[int]]:
    """The audit log's newest entry, and the alerts written (adjudicated, amended, corrected,
    disposed of, purged) by its entries after ``after`` (none if None): numbers only, for a
    feed to tell the pages showing them, which read (and audit) what changed."""
    with store.reading() as session:
        head = int(session.scalar(sa.select(sa.func.max(audit_log.c.seq))) or 0)
        if after is None or head <= after:
            return head, []
        targets = session.scalars(
            sa.select(audit_log.c.target).where(
                audit_log.c.seq > after,
                audit_log.c.seq <= head,
                audit_log.c.action.in_(ALERT_WRITES),
                audit_log.c.outcome == "done",
            )
        )
        return head, sorted({int(t.removeprefix("alert ")) for t in targets})


def retention_policy(store: Store) -> RetentionPolicy:
    g = store.settings.governance
    return RetentionPolicy(
        timedelta(hours=g.retain_unconfirmed_hours), timedelta(days=g.retain_confirmed_days)
    )


def purge_expired(store: Store) -> list[int]:
    """Purge the biometrics of every alert past retention (each purge audited); their ids.

    When a closed deployment has no alert biometrics left, its alert key is destroyed too.
    Each entry records the retention periods applied (the server's settings file's).
    """
    policy, now = retention_policy(store), store.now()
    g = store.settings.governance
    applied = {"retain_unconfirmed_hours": g.retain_unconfirmed_hours,
               "retain_confirmed_days": g.retain_confirmed_days}  # fmt: skip
    with store.reading() as session:
        due = [
            (a.id, a.deployment_id)
            for a, closed in Alerts(session).unpurged_of_closed()
            if a.id is not None and purge_due(a, closed, policy, now)
        ]
    if not due:
        return []
    with shredding(store, "alert biometrics", "data_keys", "alert_biometrics"):
        for alert_id, _ in due:
            with store.action(SYSTEM, "alert.purge_biometrics", f"alert {alert_id}") as act:
                Alerts(act.session).delete_biometrics(alert_id)
                a = act.get(Alert, alert_id)
                # What stays is for the published counts: category, sex, ethnicity, not the name.
                a.biometrics_purged_at, a.subject_name = now, f"subject {a.subject_id}"
                rules.written(a)
                act.detail = {"policy": applied, "adjudication": str(a.adjudication)}
        for deployment_id in sorted({d for _, d in due}):
            with store.action(SYSTEM, "alerts.destroy_key", f"deployment {deployment_id}") as act:
                left = Alerts(act.session).unpurged_count(deployment_id)
                act.detail = {
                    "key_destroyed": not left and act.keys.destroy(alerts_scope(deployment_id)),
                    "policy": applied,
                }
    return [alert_id for alert_id, _ in due]
