"""Privacy as a tested property: people who match no one leave nothing behind but counts.

A live deployment (two LFW people on its watchlist) watches the walking clips (the 1080p
arcade and the two corridor GIFs), where none of them appears. Every chip, template and
frame the engine made of the passers-by is recorded as it is made; afterwards none of them,
not a 16-byte run, is in the database (the SQLite file and its write-ahead log, or every
page of PostgreSQL's tables and indexes) or anything else in the data folder, and the
counts are right.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from openlfr.config import Settings
from openlfr.live.camera import CameraWatch
from openlfr.live.source import stamped
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.conftest import shared
from tests.services.conftest import Clock, live_deployment, raw_bytes, staffed_store

WALKING = [shared("video", "walking", name) for name in ("facenet-pytorch_video.mp4",
           "face-demographics-walking.gif", "face-demographics-walking-and-pause.gif")]  # fmt: skip


class RecordingEngine(Engine):
    """The real engine, remembering every chip and template it makes (the test's evidence)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.made: list[bytes] = []

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        templates = super().embed(chips)
        self.made += [c.tobytes() for c in chips] + [t.tobytes() for t in templates]
        return templates


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def found_in(secret: bytes, haystack: bytes) -> bool:
    """Whether any of eight 16-byte runs spread over ``secret`` is in ``haystack``."""
    step = max(1, (len(secret) - 16) // 8)
    return any(secret[i : i + 16] in haystack for i in range(0, len(secret) - 16, step))


def test_passers_by_leave_only_counts(
    database_url: str, engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    store: Store = staffed_store(tmp_path, database_url, clock)
    try:
        d = live_deployment(store, engine, clock)
        recording = RecordingEngine(store.settings)
        clips = [decoded(clip) for clip in WALKING]
        watched = []
        for frames in clips:
            watch = CameraWatch(store, d.id or 0, "van-1-north", recording)
            assert watch.run(stamped(frames)) == []
            watched.append(watch.counts)
        on_disk = raw_bytes(store) + b"".join(
            p.read_bytes() for p in tmp_path.rglob("*")
            if p.is_file() and not p.is_symlink() and "models" not in p.parts
        )  # fmt: skip
    finally:
        store.close()
    # The counts: every face the detector finds in every frame, and nothing else, was counted.
    for frames, counts in zip(clips, watched, strict=True):
        expected = sum(len(found.boxes) for found in engine.detect(frames))
        assert counts.frames == len(frames) and counts.faces == expected > 0
        assert counts.embedded < counts.faces and counts.tracks > 0
    assert [len(frames) for frames in clips] == [105, 35, 41]
    assert watched[0].faces > 300 and watched[0].embedded > 0  # the corridors' faces are small
    # What the engine made of them, and the frames themselves, are nowhere on disk.
    assert recording.made and not [s for s in recording.made if found_in(s, on_disk)]
    middle = [f[f.shape[0] // 2 : f.shape[0] // 2 + 2].tobytes() for c in clips for f in c[::10]]
    assert not [s for s in middle if found_in(s, on_disk)]
