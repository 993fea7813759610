"""Deployments from request to close: each step audited, each rule in ``openlfr.domain``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openlfr.domain import deployment as rules
from openlfr.domain import watchlist as watchlist_rules
from openlfr.domain.camera import check_registered
from openlfr.domain.deployment import Deployment, State
from openlfr.domain.roles import SYSTEM, Action, require
from openlfr.gallery.evidence import evidence
from openlfr.gallery.thresholds import default_threshold
from openlfr.services.schemas import Application, parse
from openlfr.services.shredding import shredding
from openlfr.services.unit_of_work import Act, Store
from openlfr.store.keys import REGISTER, watchlist_scope
from openlfr.store.repositories import Cameras, Deployments, Subjects, Watchlists
from openlfr.store.tables import reference_images, watchlist_entries


def threshold_default(store: Store) -> float:
    """The match threshold a deployment gets unless its application sets one: the one
    measured for the embedder at the precision it runs at here."""
    return default_threshold(store.settings, _precision(store))


def threshold_note(store: Store, threshold: float) -> str:
    """What ``threshold`` was measured to give with the embedder at the precision it runs at
    here, beside the default, for the authorising officer who chooses it."""
    precision = _precision(store)
    default = default_threshold(store.settings, precision)
    if abs(threshold - default) < 1e-9:
        chosen = "It is the default."
    else:
        trade = ("stricter: fewer false alerts, more misses" if threshold > default
                 else "more lenient: more false alerts, fewer misses")  # fmt: skip
        chosen = f"The default is {default:.4f}; this one is {trade}."
    found = evidence(store.settings.embedder, precision, threshold)
    if not found:
        return (
            f"{chosen} No study of {store.settings.embedder} at {precision} covers it: "
            "measure it with `lfr evaluate threshold` on your own data."
        )
    sizes = "; ".join(
        f"with {e.watchlist_size:,} entries FPIR {e.fpir:.1e} "
        f"(as measured {e.fpir_as_measured:.1e}), FNIR {100 * e.fnir:.1f}%, "
        f"{e.false_alerts_per_million:,.0f} false alerts per million faces"
        for e in found
    )
    alike = found[-1].groups_alike_from
    groups = (
        "no threshold studied is free of significant differences between groups"
        if alike is None
        else f"groups differ significantly below {alike}"
    )
    return (
        f"{chosen} Measured with UTKFace strangers and LFW probes ({found[0].source}; "
        f"interpolated between steps of 0.01): {sizes}; {groups}. A deployment should measure "
        "its own."
    )


def _precision(store: Store) -> str:
    # The model stack is imported only here, where the precision that runs is needed.
    from openlfr.vision.models import embedder_runtime

    return embedder_runtime(store.settings).precision


def request(store: Store, actor: str, fields: dict[str, Any]) -> Deployment:
    """Record a draft deployment from an application; the threshold defaults to the one
    measured for the embedder at the precision it runs at here."""
    with store.action(actor, "deployment.request", "new deployment") as act:
        require(act.user(), Action.REQUEST_DEPLOYMENT)
        app = parse(Application, fields, "application")
        values = app.model_dump()
        if app.threshold is None:
            values["threshold"] = threshold_default(store)
        d = Deployment(**values, requested_by=actor, created_at=store.now())
        rules.validate_application(d, store.settings.governance.vocabulary())
        act.session.add(d)
        act.session.flush()
        act.target, act.detail = str(d), {"application": app.model_dump(mode="json")}
        return d


def authorise(store: Store, actor: str, deployment_id: int) -> Deployment:
    with store.action(actor, "deployment.authorise", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        check_registered(d.cameras, Cameras(act.session).names(), str(d))
        rules.authorise(d, act.user(), store.now(), store.settings.governance.vocabulary())
        act.detail = {"threshold": d.threshold, "criteria": d.criteria}
        return d


def change_threshold(store: Store, actor: str, deployment_id: int, value: float) -> Deployment:
    with store.action(actor, "deployment.threshold", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        authorised_by = d.authorised_by
        old = rules.change_threshold(d, act.user(), value)
        act.detail = {"from": old, "to": value, "state": d.state}
        if authorised_by and d.authorised_by is None:
            act.detail["authorisation_withdrawn"] = authorised_by
        return d


def compile_watchlist(store: Store, actor: str, deployment_id: int) -> tuple[Deployment, list[str]]:
    """Compile ``deployment_id``'s watchlist from the subjects that meet its criteria.

    Each included subject's reference images and templates are copied under
    the deployment's own key. Returns the deployment and, for each subject
    left out, why.
    """
    with store.action(actor, "watchlist.compile", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        user = act.user()
        rules.check_may_compile(d, user)
        registered = Subjects(act.session)
        chosen = watchlist_rules.compile_watchlist(
            d, registered.with_image_counts(), store.settings.governance.max_watchlist_size
        )
        Watchlists(act.session).destroy(d.id)
        scope = watchlist_scope(d.id)
        copied = 0
        for s in chosen.included:
            for img in registered.references(s.id):
                act.insert_sealed(
                    watchlist_entries, scope,
                    {"deployment_id": d.id, "subject_id": s.id, "subject_name": s.name,
                     "category": s.category, "sex": s.sex, "ethnicity": s.ethnicity},
                    {"image": act.unseal(REGISTER, reference_images, img.id, "image", img.image),
                     "template": act.unseal(
                         REGISTER, reference_images, img.id, "template", img.template)},
                )  # fmt: skip
                copied += 1
        rules.record_compiled(d, user, len(chosen.included), store.now())
        d.watchlist_composition = watchlist_rules.composition(chosen.included)
        # The audit log, kept for good, names subjects by id only; the planner sees names.
        act.detail = {
            "subjects": [s.id for s in chosen.included],
            "composition": d.watchlist_composition,
            "reference_images_read": copied,
            "excluded": {str(s.id): reason for s, reason in chosen.excluded},
        }
        return d, [f"{s}: {reason}" for s, reason in chosen.excluded]


def approve(store: Store, actor: str, deployment_id: int) -> Deployment:
    with store.action(actor, "watchlist.approve", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        rules.approve_watchlist(d, act.user(), store.now())
        act.detail = {"size": d.watchlist_size}
        return d


def start(store: Store, actor: str, deployment_id: int, signs_up: bool) -> Deployment:
    with store.action(actor, "deployment.start", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        check_registered(d.cameras, Cameras(act.session).names(), str(d))
        rules.start(d, act.user(), store.now(), signs_up)
        act.detail = {"signs_confirmed": not d.without_notice, "watchlist_size": d.watchlist_size}
        if d.without_notice:
            act.detail["without_notice_justification"] = d.without_notice_justification
        return d


def begin_run(
    store: Store, actor: str, deployment_id: int, chosen: list[str] | None = None
) -> list[str]:
    """Let ``actor`` (who may start deployments) run the ``chosen`` cameras of live
    ``deployment_id`` (all of them if None); the cameras to run."""
    with store.action(actor, "deployment.run", f"deployment {deployment_id}") as act:
        d = _runnable(act, deployment_id, chosen or [])
        running = list(chosen or d.cameras)
        act.detail = {"cameras": running}
        return running


def _runnable(act: Act, deployment_id: int, cameras: list[str]) -> Deployment:
    """The live deployment whose ``cameras`` the acting user (who may start deployments) may
    run, or a refusal."""
    require(act.user(), Action.START_DEPLOYMENT)
    d = act.get(Deployment, deployment_id)
    rules.check_live(d, act.now)
    for camera in cameras:
        rules.check_camera(d, camera)
    return d


def lose_run(store: Store, actor: str, deployment_id: int, camera: str, how: str) -> None:
    """Record that the worker watching ``camera`` died (``how``): the camera is unwatched."""
    with store.action(actor, "deployment.run_lost", f"deployment {deployment_id}") as act:
        act.detail = {"camera": camera, "how": how}


def resume_run(
    store: Store, actor: str, deployment_id: int, camera: str, gap_seconds: float
) -> None:
    """Let ``actor`` run ``camera`` again after its worker died, the gap recorded; refused as
    ``begin_run`` is once the deployment is no longer live."""
    with store.action(actor, "deployment.run_resumed", f"deployment {deployment_id}") as act:
        _runnable(act, deployment_id, [camera])
        act.detail = {"camera": camera, "gap_seconds": round(gap_seconds, 1)}


def end_run(store: Store, actor: str, deployment_id: int, camera: str, dropped: int) -> None:
    """Record that ``actor``'s run of ``camera`` ended (its counts are in the record)."""
    with store.action(actor, "deployment.run_ended", f"deployment {deployment_id}") as act:
        act.detail = {"camera": camera, "frames_dropped": dropped}


def live_ids(store: Store) -> list[int]:
    """The ids of the deployments live now (numbers only: a service polls this, unaudited)."""
    with store.reading() as session:
        found = Deployments(session).listed(State.LIVE)
    now = store.now()
    return [d.id for d in found if d.id is not None and rules.is_live(d, now)]


def is_live(store: Store, deployment_id: int) -> bool:
    """Whether ``deployment_id`` is still live (a running camera stops when it is not)."""
    with store.reading() as session:
        d = session.get(Deployment, deployment_id)
        return d is not None and rules.is_live(d, store.now())


def close(store: Store, actor: str, deployment_id: int) -> Deployment:
    """Close a deployment: record the request, then destroy its watchlist and key."""
    with store.action(actor, "deployment.close_requested", f"deployment {deployment_id}") as act:
        d = act.get(Deployment, deployment_id)
        rules.request_close(d, act.user(), store.now())
    return complete_close(store, deployment_id)


def complete_close(store: Store, deployment_id: int) -> Deployment:
    """Destroy a closing deployment's watchlist and data key and mark it closed, in one go."""
    target = f"deployment {deployment_id}"
    with (
        shredding(store, target, "data_keys", "watchlist_entries"),
        store.action(SYSTEM, "deployment.close", target) as act,
    ):
        d = act.get(Deployment, deployment_id)
        destroyed = _destroy_watchlist(act, d)
        rules.complete_close(d, store.now())
        act.detail = destroyed
    return d


def cancel(store: Store, actor: str, deployment_id: int) -> Deployment:
    target = f"deployment {deployment_id}"
    with (
        shredding(store, target, "data_keys", "watchlist_entries"),
        store.action(actor, "deployment.cancel", target) as act,
    ):
        d = act.get(Deployment, deployment_id)
        rules.cancel(d, act.user(), store.now())
        act.detail = _destroy_watchlist(act, d)
    return d


def _destroy_watchlist(act: Act, d: Deployment) -> dict[str, Any]:
    entries = Watchlists(act.session).destroy(d.id)
    key = act.keys.destroy(watchlist_scope(d.id))
    return {"watchlist_entries_destroyed": entries, "key_destroyed": key}


def close_due(store: Store) -> list[int]:
    """Close every deployment whose window is over or whose close was interrupted."""
    now = store.now()
    with store.reading() as session:
        due = [
            (d.id, d.close_requested_at is None)
            for d in Deployments(session).open()
            if rules.due_to_close(d, now) and d.id is not None
        ]
    for ident, ended in due:
        if ended:  # else an earlier close was interrupted: it is already requested
            with store.action(SYSTEM, "deployment.close_requested", f"deployment {ident}") as act:
                rules.request_close(act.get(Deployment, ident), None, now)
        complete_close(store, ident)
    return [ident for ident, _ in due]


def get(store: Store, actor: str, deployment_id: int) -> Deployment:
    """One deployment's record, for any user (the read is audited)."""
    with store.action(actor, "deployment.show", f"deployment {deployment_id}") as act:
        require(act.user(), Action.VIEW_DEPLOYMENTS)
        return act.get(Deployment, deployment_id)


def list_all(store: Store, actor: str, state: State | None = None) -> list[Deployment]:
    """Every deployment (in ``state`` if given), for any user (the read is audited)."""
    with store.action(actor, "deployment.list", "deployments") as act:
        require(act.user(), Action.VIEW_DEPLOYMENTS)
        found = Deployments(act.session).listed(state)
        act.detail = {"deployments_read": [d.id for d in found]}
        return found


@dataclass(frozen=True)
class Member:
    """Someone on a compiled watchlist: for the authorising officer's review before approval."""

    subject_id: int
    name: str
    category: str
    images: int


def watchlist(store: Store, actor: str, deployment_id: int) -> list[Member]:
    """Who is on the deployment's compiled watchlist (a role that may see subjects; audited)."""
    with store.action(actor, "watchlist.read", f"deployment {deployment_id}") as act:
        require(act.user(), Action.VIEW_SUBJECTS)
        act.get(Deployment, deployment_id)
        found = [Member(r.subject_id, r.subject_name, r.category, r.images)
                 for r in Watchlists(act.session).members(deployment_id)]  # fmt: skip
        act.detail = {"subjects": [m.subject_id for m in found]}
        return found
