"""The camera registry: cameras an admin registers, which deployments may then name.

A camera's source is kept sealed (a stream URL may carry credentials); the
audit log, listings and errors show only its masked form.
"""

from __future__ import annotations

from openlfr.domain.camera import Camera, check_name, check_removable, classify
from openlfr.domain.errors import DomainError, NotFound
from openlfr.domain.roles import SYSTEM, Action, require
from openlfr.live import status
from openlfr.live.status import CameraStatus
from openlfr.services.unit_of_work import Store, acting
from openlfr.store.repositories import Cameras, Deployments
from openlfr.store.tables import cameras

SCOPE = "cameras"  # the data key camera sources are sealed under


def add_camera(store: Store, actor: str, name: str, source: str) -> Camera:
    """Register camera ``name`` reading ``source`` (a video file's absolute path, an RTSP or
    HTTP(S) URL, or a device); admin only."""
    with store.action(actor, "camera.add", f"camera {name}") as act:
        require(act.user(), Action.MANAGE_CAMERAS)
        check_name(name)
        try:
            kind, shown = classify(source)
        except DomainError as exc:
            raise DomainError(f"camera {name}: {exc}") from None
        if Cameras(act.session).named(name) is not None:
            raise DomainError(f"there is already a camera named {name}: remove it first")
        camera = Camera(name, kind, shown, act.actor, act.now)
        act.session.add(camera)
        act.session.flush()
        camera.sealed = act.seal(SCOPE, cameras, camera.id, "sealed", source.strip().encode())
        act.detail = {"kind": kind, "source": shown}
        return camera


def list_cameras(store: Store, actor: str) -> list[Camera]:
    """Every registered camera, sources masked; any role may see them."""
    with store.action(actor, "camera.list", "cameras") as act:
        require(act.user(), Action.VIEW_DEPLOYMENTS)
        return Cameras(act.session).everyone()


def remove_camera(store: Store, actor: str, name: str) -> None:
    """Unregister camera ``name`` (admin only), unless an authorised or live deployment names
    it."""
    with store.action(actor, "camera.remove", f"camera {name}") as act:
        require(act.user(), Action.MANAGE_CAMERAS)
        camera = Cameras(act.session).named(name)
        if camera is None:
            raise NotFound(f"there is no camera named {name}")
        using = [str(d) for d in Deployments(act.session).open() if name in d.cameras]
        check_removable(name, using)
        act.session.delete(camera)


def camera_source(store: Store, name: str) -> str:
    """The clear source of camera ``name``, for the software to open it (audited, masked)."""
    with store.action(SYSTEM, "camera.open", f"camera {name}") as act:
        camera = Cameras(act.session).named(name)
        if camera is None:
            raise NotFound(f"there is no camera named {name}")
        act.detail = {"source": camera.shown}
        return act.unseal(SCOPE, cameras, camera.id, "sealed", camera.sealed).decode()


def camera_status(store: Store, actor: str) -> list[CameraStatus]:
    """What each camera of every running deployment is doing (any role: numbers only)."""
    with store.reading() as session:
        require(acting(session, actor), Action.VIEW_DEPLOYMENTS)
    return status.running(store.settings.data_dir)
