"""Privacy as a tested property: people who match no one leave nothing behind but counts.

A live deployment (two LFW people on its watchlist) watches the walking clip, where none of
them appears. Every chip, template and frame the engine made of the passers-by is recorded
as it is made; afterwards none of them, not a 16-byte run, is in the database file, its
write-ahead log or anything else in the data folder, and the counts are right.
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
from tests.services.conftest import Clock, live_deployment, staffed_store

WALKING = shared("video", "walking", "facenet-pytorch_video.mp4")


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


def test_passers_by_leave_only_counts(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    store: Store = staffed_store(tmp_path, None, clock)  # SQLite: its files can be scanned
    try:
        d = live_deployment(store, engine, clock)
        recording = RecordingEngine(store.settings)
        frames = decoded(WALKING)
        watch = CameraWatch(store, d.id or 0, "van-1-north", recording)
        raised = watch.run(stamped(frames))
    finally:
        store.close()
    assert raised == []
    # The counts: every face the detector finds in every frame, and nothing else, was counted.
    expected = sum(len(found.boxes) for found in engine.detect(frames))
    counts = watch.counts
    assert counts.frames == len(frames) == 105 and counts.faces == expected > 300
    assert 0 < counts.embedded < counts.faces and counts.tracks > 0
    # What the engine made of them, and the frames themselves, are nowhere on disk.
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
                       and not p.is_symlink() and "models" not in p.parts)  # fmt: skip
    assert recording.made and not [s for s in recording.made if found_in(s, on_disk)]
    middle = [f[500:502].tobytes() for f in frames[::10]]  # two rows from mid-frame
    assert not [s for s in middle if found_in(s, on_disk)]
