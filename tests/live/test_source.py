"""Camera sources on real video: the stage clip as a file and over HTTP, a dead stream, a file
of garbage. No timing targets here: pacing is checked only against the clip's own rate."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openlfr.live.source import FrameSource, Health
from tests.conftest import shared

CLIP = shared("video", "hamilton", "short_hamilton_clip.mp4")
CLIP_FRAMES = 275  # 9.2 s at 29.97 frames a second, 640x360


def drain(source: FrameSource, every: float = 0.0, within: float = 60.0) -> list[int]:
    """Take frames until the source finishes (or ``within`` seconds pass), one each ``every``
    seconds; their numbers."""
    taken, deadline = [], time.monotonic() + within
    while time.monotonic() < deadline:
        frame = source.latest(wait=0.5)
        if frame is not None:
            assert frame.image.shape == (360, 640, 3)
            taken.append(frame.number)
            time.sleep(every)
        elif source.health.finished:
            break
    return taken


def accounted(h: Health) -> bool:
    """Every frame decoded was taken or dropped, but for at most the last one, still held."""
    return h.frames_in - (h.frames_taken + h.frames_dropped) in (0, 1)


def test_a_file_not_in_real_time_hands_over_every_frame_in_order_to_a_slow_reader() -> None:
    with FrameSource("stage", str(CLIP), realtime=False) as source:
        taken = drain(source, every=0.002)
        h = source.health
    assert h.finished and h.frames_in == CLIP_FRAMES and h.frames_dropped == 0
    assert taken == list(range(CLIP_FRAMES))


def test_a_slow_reader_gets_the_newest_frame_and_the_rest_are_counted_dropped() -> None:
    with FrameSource("stage", str(CLIP)) as source:  # in real time, as a camera sends
        taken = drain(source, every=0.1)
        h = source.health
    assert h.frames_in == CLIP_FRAMES and h.frames_dropped > 0 and accounted(h)
    assert len(taken) == h.frames_taken < CLIP_FRAMES


def test_a_file_in_real_time_plays_at_its_own_rate() -> None:
    with FrameSource("stage", str(CLIP)) as source:
        time.sleep(1.0)
        h = source.health
    # 1 s of a 29.97 frames-a-second clip: about 30 frames, not the 275 it could decode.
    assert 10 <= h.frames_in <= 60, h


def test_a_dead_stream_is_retried_with_growing_pauses_and_its_password_never_shown() -> None:
    url = "rtsp://viewer:topsecret@127.0.0.1:9/stream"  # nothing listens on port 9
    with FrameSource("van-1", url, retry=(0.05, 0.2), timeout=1.0) as source:
        time.sleep(1.5)
        h = source.health
        assert source.latest(wait=0.1) is None
    assert not h.connected and h.reconnects >= 3 and h.frames_in == 0
    assert h.last_error and "topsecret" not in h.last_error


def test_a_file_of_garbage_ends_with_its_error_not_a_crash(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 64)
    with FrameSource("broken", str(garbage), retry=(0.05, 0.1)) as source:
        assert source.latest(wait=5) is None
        h = source.health
    # A file does not heal: it is not retried, and what was wrong is kept.
    assert h.finished and h.frames_in == 0 and h.reconnects == 0
    assert "garbage.mp4" in h.last_error


def as_transport_stream(clip: Path, out: Path) -> Path:
    """``clip``'s video remuxed (not re-encoded) into MPEG-TS, the form cameras stream over
    HTTP: it plays from the first byte, where an MP4 needs its index from the end."""
    import av

    with av.open(str(clip)) as source, av.open(str(out), "w", format="mpegts") as sink:
        video = source.streams.video[0]
        copy = sink.add_stream_from_template(video)
        for packet in source.demux(video):
            if packet.dts is not None:
                packet.stream = copy
                sink.mux(packet)
    return out


@pytest.fixture
def http_clip(tmp_path: Path) -> Iterator[str]:
    """The clip served as MPEG-TS over HTTP on a free local port, as an IP camera's stream."""
    stream = as_transport_stream(CLIP, tmp_path / "clip.ts")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{stream.name}"
    server.shutdown()
    thread.join()


def test_an_http_stream_is_decoded_and_reopened_when_it_ends(http_clip: str) -> None:
    with FrameSource("ip-cam", http_clip, realtime=False, retry=(0.05, 0.1)) as source:
        deadline = time.monotonic() + 60
        while source.health.reconnects == 0 and time.monotonic() < deadline:
            source.latest(wait=0.2)
        h = source.health
    assert h.frames_in >= CLIP_FRAMES and h.reconnects >= 1
    assert h.last_error == "the stream ended"
