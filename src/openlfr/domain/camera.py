"""Cameras: the registry a deployment's cameras must come from, and what a source may be.

A source is a video file, an RTSP or HTTP(S) stream URL, or a local device.
A stream URL may carry credentials (``rtsp://user:password@host/path``) or a
token in its query: those are secrets, so only a masked form
(``rtsp://***@host/path``) is ever shown, logged or audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from openlfr.domain.errors import DomainError

# Lower case, digits and . _ -: names that read the same in a log, a URL and a shell.
CAMERA_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")
DEVICE = re.compile(r"/dev/video\d{1,3}|\d{1,3}")


class SourceKind(StrEnum):
    FILE = "file"
    STREAM = "stream"
    DEVICE = "device"


@dataclass
class Camera:
    """A registered camera as anyone may see it: never its source in clear."""

    name: str
    kind: SourceKind
    shown: str  # the source, masked
    added_by: str
    added_at: datetime
    sealed: bytes = field(default=b"", repr=False)  # the source, sealed: only a service opens it
    id: int | None = None

    def __str__(self) -> str:
        return f"camera {self.name}"


def check_name(name: str) -> None:
    if not CAMERA_NAME.fullmatch(name):
        raise DomainError(
            f"camera name {name!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def classify(source: str) -> tuple[SourceKind, str]:
    """The kind of ``source`` and its masked form, or a refusal saying what a source may be.
    A file is named by its absolute path and must exist when it is registered."""
    source = source.strip()
    scheme = source.split("://", 1)[0].lower() if "://" in source else ""
    if scheme:
        if scheme not in STREAM_SCHEMES:
            raise DomainError(
                f"camera source scheme {scheme!r}: use {', '.join(STREAM_SCHEMES)}, "
                "a video file's path or a device (/dev/video0)"
            )
        parts = urlsplit(source)
        if not parts.hostname:
            raise DomainError(f"camera source {mask(source)} names no host")
        return SourceKind.STREAM, mask(source)
    if DEVICE.fullmatch(source):
        return SourceKind.DEVICE, source
    path = Path(source)
    if not path.is_absolute():
        raise DomainError(f"camera source {source}: give a video file by its absolute path")
    if not path.is_file():
        raise DomainError(f"camera source {source}: no such video file")
    return SourceKind.FILE, source


def mask(source: str) -> str:
    """``source`` with any credentials and query replaced by ``***``: safe to show or log."""
    if "://" not in source:
        return source
    parts = urlsplit(source)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    userinfo = "***@" if parts.username or parts.password else ""
    query = "?***" if parts.query else ""
    return f"{parts.scheme}://{userinfo}{host}{parts.path}{query}"


def check_registered(cameras: list[str], registered: set[str], deployment: str) -> None:
    """Refuse a deployment that names a camera not in the registry."""
    missing = [c for c in cameras if c not in registered]
    if missing:
        raise DomainError(
            f"{deployment} names camera(s) not registered: {', '.join(missing)}; an admin "
            "adds each (lfr camera add NAME SOURCE)"
        )


def check_removable(name: str, used_by: list[str]) -> None:
    """Refuse to remove a camera an authorised or live deployment names."""
    if used_by:
        raise DomainError(
            f"camera {name} is named by {', '.join(used_by)}: close or cancel them first"
        )
