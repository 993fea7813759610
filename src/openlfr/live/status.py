"""What the cameras of running deployments are doing, for ``lfr camera status``.

A deployment's supervisor writes its cameras' state every second to one small
file per deployment in the data folder: numbers, states and masked errors,
nothing about a face. The file goes when the run ends; one left by a
supervisor that died is not shown.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from openlfr.files import private_folder


@dataclass(frozen=True)
class CameraStatus:
    """One camera of a running deployment: its state (starting, connected, reconnecting,
    ended, restarting, refused, stopped), its worker process and its rates and counts."""

    deployment_id: int
    camera: str
    state: str
    worker: int | None
    restarts: int
    fps_in: float
    fps_analysed: float
    frames_analysed: int
    frames_dropped: int
    reconnects: int
    faces: int
    alerts: int
    last_error: str


def _folder(data_dir: Path) -> Path:
    return data_dir / "live"


def _file(data_dir: Path, deployment_id: int) -> Path:
    return _folder(data_dir) / f"deployment-{deployment_id}.json"


def publish(data_dir: Path, deployment_id: int, cameras: list[CameraStatus]) -> None:
    """Replace the deployment's status file, whole (readers never see half of one)."""
    private_folder(_folder(data_dir))
    final = _file(data_dir, deployment_id)
    partial = final.with_suffix(".partial")
    payload = {"supervisor": os.getpid(), "cameras": [asdict(c) for c in cameras]}
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out)
    os.replace(partial, final)


def withdraw(data_dir: Path, deployment_id: int) -> None:
    _file(data_dir, deployment_id).unlink(missing_ok=True)


def running(data_dir: Path) -> list[CameraStatus]:
    """The cameras of every deployment whose supervisor is still running."""
    found: list[CameraStatus] = []
    for path in sorted(_folder(data_dir).glob("deployment-*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if _alive(payload["supervisor"]):
            found += [CameraStatus(**c) for c in payload["cameras"]]
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process: alive
        return True
    return True
