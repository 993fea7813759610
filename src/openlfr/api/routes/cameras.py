"""Cameras (admins register them) and what each is doing in a running deployment."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from openlfr.api.deps import CameraName, StoreDep
from openlfr.api.security import Acting
from openlfr.domain.camera import Camera, SourceKind
from openlfr.live.status import CameraStatus
from openlfr.services import cameras

router = APIRouter(prefix="/cameras", tags=["cameras"])


class CameraIn(BaseModel):
    name: str
    source: str = Field(description="a video file, an rtsp:// or http(s):// URL, or a device")


class CameraOut(BaseModel):
    name: str
    kind: SourceKind
    source: str = Field(description="masked: credentials are never shown")
    added_by: str
    added_at: datetime

    @classmethod
    def of(cls, c: Camera) -> CameraOut:
        return cls(name=c.name, kind=c.kind, source=c.shown, added_by=c.added_by,
                   added_at=c.added_at)  # fmt: skip


@router.get("", response_model=list[CameraOut])
def list_cameras(who: Acting, store: StoreDep) -> list[CameraOut]:
    return [CameraOut.of(c) for c in cameras.list_cameras(store, who.name)]


@router.post("", response_model=CameraOut, status_code=201)
def add_camera(body: CameraIn, who: Acting, store: StoreDep) -> CameraOut:
    return CameraOut.of(cameras.add_camera(store, who.name, body.name, body.source))


@router.delete("/{name}", status_code=204)
def remove_camera(name: CameraName, who: Acting, store: StoreDep) -> None:
    cameras.remove_camera(store, who.name, name)


@router.get("/status", response_model=list[CameraStatus])
def camera_status(who: Acting, store: StoreDep) -> list[CameraStatus]:
    """Each camera of every running deployment: state, rates, drops, reconnects."""
    return cameras.camera_status(store, who.name)
