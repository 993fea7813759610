"""The queries the services need, one class per thing stored, each over a session.

Services ask these (``Subjects(act.session).with_image_counts()``) rather than
write SQL themselves, so a query lives once and a service never borrows
another's. Entities by id come from the session itself (``Act.get``); rows
covered by row MACs are written through ``Act.insert``/``Act.update``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from openlfr.domain.alert import Alert
from openlfr.domain.camera import Camera
from openlfr.domain.deployment import Deployment, State
from openlfr.domain.roles import User
from openlfr.domain.watchlist import Subject
from openlfr.store import integrity
from openlfr.store.integrity import RowEditedError, checked
from openlfr.store.tables import (
    alert_biometrics,
    alert_latencies,
    alerts,
    camera_counts,
    cameras,
    credentials,
    deployments,
    reference_images,
    subjects,
    tokens,
    users,
    watchlist_entries,
)


class Users:
    def __init__(self, session: Session) -> None:
        self.session = session

    def named(self, name: str) -> User | None:
        return self.session.scalars(sa.select(User).where(users.c.name == name)).first()

    def count(self) -> int:
        return int(self.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0)

    def everyone(self) -> list[User]:
        """Every user, by name."""
        return list(self.session.scalars(sa.select(User).order_by(users.c.name)))

    def credential(self, user: User) -> Any:
        """``user``'s password row (digest, one_time, expiry), or None."""
        query = sa.select(credentials).where(credentials.c.user_id == user.id)
        return self.session.execute(query).first()

    def forget_credential(self, user: User) -> None:
        integrity.delete(self.session, credentials, credentials.c.user_id == user.id)

    def token(self, digest: str) -> Any:
        """The token row with this digest, or None."""
        return self.session.execute(sa.select(tokens).where(tokens.c.digest == digest)).first()

    def tokens_of(self, user: User, kind: str) -> list[Any]:
        """``user``'s tokens of ``kind``, oldest first (each checked against its MAC)."""
        query = sa.select(tokens).where(tokens.c.user_id == user.id, tokens.c.kind == kind)
        return checked(self.session, tokens, self.session.execute(query.order_by(tokens.c.id)))


@dataclass(frozen=True)
class CameraTotals:
    """A camera's counts over every hour of a deployment."""

    deployment_id: int
    camera: str
    frames: int
    faces: int
    below_gate: int
    tracks: int
    alerts: int


class Cameras:
    def __init__(self, session: Session) -> None:
        self.session = session

    def named(self, name: str) -> Camera | None:
        return self.session.scalars(sa.select(Camera).where(cameras.c.name == name)).first()

    def everyone(self) -> list[Camera]:
        """Every registered camera, by name."""
        return list(self.session.scalars(sa.select(Camera).order_by(cameras.c.name)))

    def names(self) -> set[str]:
        return set(self.session.scalars(sa.select(cameras.c.name)))


class CameraCounts:
    """What each camera saw, as numbers, per deployment and hour."""

    FIELDS = ("frames", "faces", "below_gate", "tracks", "alerts")

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, deployment_id: int, camera: str, hour: datetime, counts: dict[str, int]) -> None:
        """Add ``counts`` to the hour's row (made if new)."""
        key = (camera_counts.c.deployment_id == deployment_id, camera_counts.c.camera == camera,
               camera_counts.c.hour == hour)  # fmt: skip
        found = self.session.execute(sa.select(camera_counts).where(*key)).first()
        values = {f: counts.get(f, 0) for f in self.FIELDS}
        if found is None:
            row = {"deployment_id": deployment_id, "camera": camera, "hour": hour, **values}
            integrity.insert(self.session, camera_counts, **row)
        else:
            totals = {f: getattr(found, f) + values[f] for f in self.FIELDS}
            integrity.update(self.session, camera_counts, sa.and_(*key), **totals)

    def of(self, deployment_id: int) -> list[Any]:
        """The deployment's rows, by camera and hour (each checked against its MAC)."""
        query = (
            sa.select(camera_counts)
            .where(camera_counts.c.deployment_id == deployment_id)
            .order_by(camera_counts.c.camera, camera_counts.c.hour)
        )
        return checked(self.session, camera_counts, self.session.execute(query))

    def totals(self, deployment_ids: list[int]) -> list[CameraTotals]:
        """Each camera's totals over every hour, for these deployments (summed from rows each
        checked against its MAC and the audit log: a published figure rests on no edited or
        replayed row)."""
        query = sa.select(camera_counts).where(camera_counts.c.deployment_id.in_(deployment_ids))
        sums: dict[tuple[int, str], dict[str, int]] = {}
        for row in checked(self.session, camera_counts, self.session.execute(query)):
            held = sums.setdefault((row.deployment_id, row.camera), dict.fromkeys(self.FIELDS, 0))
            for f in self.FIELDS:
                held[f] += getattr(row, f)
        return [CameraTotals(d, c, **n) for (d, c), n in sorted(sums.items())]


class Subjects:
    def __init__(self, session: Session) -> None:
        self.session = session

    def with_image_counts(self) -> list[tuple[Subject, int]]:
        """Every subject, by id, with their number of reference images."""
        counts = (
            sa.select(reference_images.c.subject_id, sa.func.count().label("n"))
            .group_by(reference_images.c.subject_id)
            .subquery()
        )
        query = (
            sa.select(Subject, sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.subject_id == subjects.c.id)
            .order_by(subjects.c.id)
        )
        return [(s, int(n)) for s, n in self.session.execute(query)]

    def references(self, subject_id: int | None) -> list[Any]:
        """A subject's reference image rows (sealed image and template), each checked against
        its MAC (a photo moved to another subject is refused)."""
        query = sa.select(reference_images).where(reference_images.c.subject_id == subject_id)
        return checked(self.session, reference_images, self.session.execute(query))

    def delete_references(self, subject_id: int) -> None:
        where = reference_images.c.subject_id == subject_id
        integrity.delete(self.session, reference_images, where)

    def not_flagged(self) -> list[Subject]:
        """Subjects not yet flagged for review."""
        query = sa.select(Subject).where(subjects.c.flagged_for_review_at.is_(None))
        return list(self.session.scalars(query))


class Watchlists:
    """Compiled watchlists: each deployment's sealed entries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def members(self, deployment_id: int) -> list[Any]:
        """Who is on the deployment's compiled watchlist: subject, name, category, images."""
        c = watchlist_entries.c
        query = (
            sa.select(c.subject_id, c.subject_name, c.category, sa.func.count().label("images"))
            .where(c.deployment_id == deployment_id)
            .group_by(c.subject_id, c.subject_name, c.category)
            .order_by(c.subject_name)
        )
        return list(self.session.execute(query))

    def templates(self, deployment_id: int | None) -> list[Any]:
        """The deployment's entries (subject, sealed template and image), each checked against
        its MAC: an entry moved to another subject is refused, not searched."""
        query = sa.select(watchlist_entries).where(
            watchlist_entries.c.deployment_id == deployment_id
        )
        return checked(self.session, watchlist_entries, self.session.execute(query))

    def entry(self, deployment_id: int | None, entry_id: int) -> Any:
        """One entry of the deployment's watchlist (checked against its MAC), or None."""
        query = sa.select(watchlist_entries).where(
            watchlist_entries.c.id == entry_id, watchlist_entries.c.deployment_id == deployment_id
        )
        return next(iter(checked(self.session, watchlist_entries, self.session.execute(query))),
                    None)  # fmt: skip

    def destroy(self, deployment_id: int | None) -> int:
        """Delete the deployment's entries; returns how many there were."""
        where = watchlist_entries.c.deployment_id == deployment_id
        return integrity.delete(self.session, watchlist_entries, where)


class Alerts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def listed(
        self,
        deployment_id: int | None = None,
        after: int = 0,
        before: int | None = None,
        newest: int | None = None,
    ) -> list[Alert]:
        """Alerts with ids between ``after`` and ``before`` (both excluded; of one deployment
        if given), oldest first: the ``newest`` of them only, if given."""
        query = sa.select(Alert).where(alerts.c.id > after)
        if before is not None:
            query = query.where(alerts.c.id < before)
        if deployment_id is not None:
            query = query.where(alerts.c.deployment_id == deployment_id)
        if newest is not None:
            query = query.order_by(alerts.c.id.desc()).limit(newest)
            return list(self.session.scalars(query))[::-1]
        return list(self.session.scalars(query.order_by(alerts.c.id)))

    def of_deployments(self, deployment_ids: list[int]) -> list[Alert]:
        """The alerts of these deployments, oldest first."""
        query = sa.select(Alert).where(alerts.c.deployment_id.in_(deployment_ids))
        return list(self.session.scalars(query.order_by(alerts.c.id)))

    def raised_since(self, deployment_id: int, camera: str, since: datetime) -> list[Alert]:
        """The alerts ``camera`` of the deployment raised at or after ``since``."""
        c = alerts.c
        query = sa.select(Alert).where(
            c.deployment_id == deployment_id, c.camera == camera, c.raised_at >= since
        )
        return list(self.session.scalars(query))

    def last_id(self) -> int:
        """The id of the newest alert, 0 if none."""
        return int(self.session.scalar(sa.select(sa.func.max(alerts.c.id))) or 0)

    def biometrics(self, alert_id: int) -> Any:
        """The alert's sealed probe crop and reference image (checked against its MAC), which
        must be there: the caller knows they were not purged."""
        query = sa.select(alert_biometrics).where(alert_biometrics.c.alert_id == alert_id)
        found = checked(self.session, alert_biometrics, self.session.execute(query))
        if not found:
            raise RowEditedError(
                f"the images of alert {alert_id} are gone though they were never purged: they "
                "were deleted outside openlfr; an auditor runs lfr audit verify"
            )
        return found[0]

    def delete_biometrics(self, alert_id: int) -> None:
        integrity.delete(self.session, alert_biometrics, alert_biometrics.c.alert_id == alert_id)

    def unpurged_of_closed(self) -> list[tuple[Alert, datetime | None]]:
        """Alerts of closed deployments whose images are still held, with the close time."""
        query = (
            sa.select(Alert, deployments.c.closed_at)
            .join(deployments, deployments.c.id == alerts.c.deployment_id)
            .where(alerts.c.biometrics_purged_at.is_(None), deployments.c.state == State.CLOSED)
        )
        return [(a, closed) for a, closed in self.session.execute(query)]

    def unpurged_count(self, deployment_id: int) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(alerts)
            .where(alerts.c.deployment_id == deployment_id, alerts.c.biometrics_purged_at.is_(None))
        )
        return int(self.session.scalar(query) or 0)


class AlertLatencies:
    """Seconds from an alert's frame arriving to the alert committed, per deployment."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, alert_id: int, deployment_id: int, seconds: float) -> None:
        row = {"alert_id": alert_id, "deployment_id": deployment_id, "seconds": seconds}
        integrity.insert(self.session, alert_latencies, **row)

    def of(self, deployment_id: int) -> list[float]:
        query = sa.select(alert_latencies).where(alert_latencies.c.deployment_id == deployment_id)
        return [r.seconds for r in checked(self.session, alert_latencies,
                                           self.session.execute(query))]  # fmt: skip


class Deployments:
    def __init__(self, session: Session) -> None:
        self.session = session

    def listed(self, state: State | None = None) -> list[Deployment]:
        """Every deployment by id (in ``state`` if given)."""
        query = sa.select(Deployment).order_by(deployments.c.id)
        if state is not None:
            query = query.where(deployments.c.state == state)
        return list(self.session.scalars(query))

    def started_between(self, start: datetime, end: datetime) -> list[Deployment]:
        """Deployments that went live at or after ``start`` and before ``end``, by start."""
        query = sa.select(Deployment).where(
            deployments.c.started_at >= start, deployments.c.started_at < end
        )
        return list(self.session.scalars(query.order_by(deployments.c.started_at)))

    def open(self) -> list[Deployment]:
        """Deployments authorised or live: those that may be due to close."""
        query = sa.select(Deployment).where(deployments.c.state.in_([State.AUTHORISED, State.LIVE]))
        return list(self.session.scalars(query))
