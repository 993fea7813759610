"""One camera's frames: decoded in a thread of their own, the newest handed over.

Analysis is slower than a camera at times; queueing every frame would grow
without bound and put the alerts ever further behind. So a source keeps one
slot: each decoded frame replaces the one before, and a frame replaced before
anyone took it is counted as dropped. A stream that fails, stalls or sends
garbage is opened again after a pause that doubles up to a cap; a file that
ends, or cannot be read, has ended. What happened is kept in ``health``, in memory only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from openlfr.domain.camera import SourceKind, classify, mask


@dataclass(frozen=True)
class Frame:
    """A decoded frame: BGR pixels, its number from this source's start, and when it was
    decoded (``time.monotonic``)."""

    image: np.ndarray
    number: int
    decoded_at: float


def stamped(images: Iterable[np.ndarray]) -> Iterator[Frame]:
    """``images`` as numbered frames arriving now (clips read ahead, for tests and the demo)."""
    for number, image in enumerate(images):
        yield Frame(image, number, time.monotonic())


@dataclass(frozen=True)
class Health:
    """How a source is doing, for ``lfr camera status`` and the metrics."""

    connected: bool = False
    finished: bool = False  # a file that has ended; streams never finish
    frames_in: int = 0
    frames_taken: int = 0
    frames_dropped: int = 0
    reconnects: int = 0
    fps_in: float = 0.0
    last_error: str = ""


@dataclass
class _Slot:
    # A decoded frame, not yet converted to pixels, with its number and arrival time.
    frame: tuple[Any, int, float] | None = None
    taken: bool = True
    health: Health = field(default_factory=Health)
    window: list[float] = field(default_factory=list)  # recent decode times, for fps_in


class FrameSource:
    """Decodes ``source`` (a file path, a stream URL or a device) in its own thread.

    ``realtime``: a file plays at its own frame rate, as a camera would; else
    every frame of it is handed over as fast as they are taken, none dropped
    (for tests and benchmarks). ``retry``: the first and
    the longest pause before opening again after a failure. ``timeout``: how
    long opening or reading may stall before it counts as a failure.
    """

    def __init__(
        self,
        name: str,
        source: str,
        realtime: bool = True,
        retry: tuple[float, float] = (0.5, 30.0),
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.kind, self.shown = classify(source)
        self._source = source
        self.realtime = realtime
        self.retry = retry
        self.timeout = timeout
        self._slot = _Slot()
        self._ready = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"camera {name}", daemon=True)

    def start(self) -> FrameSource:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop decoding and wait for the thread (a stalled read ends within ``timeout``)."""
        self._stop.set()
        with self._ready:
            self._ready.notify_all()
        self._thread.join(self.timeout + 5)

    def __enter__(self) -> FrameSource:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def health(self) -> Health:
        with self._ready:
            return self._slot.health

    def latest(self, wait: float = 1.0) -> Frame | None:
        """The newest frame not yet taken, waiting up to ``wait`` seconds for one; None if
        none came (or the source has finished)."""
        with self._ready:
            self._ready.wait_for(
                lambda: not self._slot.taken or self._slot.health.finished or self._stop.is_set(),
                wait,
            )
            slot = self._slot
            if slot.taken or slot.frame is None:
                return None
            slot.taken = True
            slot.health = replace(slot.health, frames_taken=slot.health.frames_taken + 1)
            self._ready.notify_all()
            decoded, number, arrived = slot.frame
        # Converted to pixels only when taken: the frames dropped never cost a conversion.
        return Frame(decoded.to_ndarray(format="bgr24"), number, arrived)

    def _run(self) -> None:
        pause = self.retry[0]
        while not self._stop.is_set():
            try:
                self._decode()
            except Exception as exc:
                error = _describe(exc, self._source)
                if self.kind == SourceKind.FILE:  # a broken file does not heal: it has ended
                    self._update(connected=False, finished=True, last_error=error)
                    return
                self._update(connected=False, last_error=error)
            else:
                if self.kind == SourceKind.FILE:
                    self._update(connected=False, finished=True)
                    return
                self._update(connected=False, last_error="the stream ended")
            if self._stop.wait(pause):
                return
            pause = min(pause * 2, self.retry[1])
            with self._ready:
                h = self._slot.health
                self._slot.health = replace(h, reconnects=h.reconnects + 1)

    def _decode(self) -> None:
        import av  # the FFmpeg bindings load where a camera is opened

        options: dict[str, Any] = {"timeout": self.timeout}
        if self.kind == SourceKind.DEVICE:
            options["format"] = "v4l2"
        if self._source.startswith(("rtsp://", "rtsps://")):
            options["options"] = {"rtsp_transport": "tcp"}
        with av.open(self._source, **options) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            self._update(connected=True)
            started = time.monotonic()
            first: float | None = None
            for decoded in container.decode(stream):
                if self._stop.is_set():
                    return
                if self.realtime and self.kind == SourceKind.FILE and decoded.time is not None:
                    first = decoded.time if first is None else first
                    ahead = (decoded.time - first) - (time.monotonic() - started)
                    if ahead > 0 and self._stop.wait(ahead):
                        return
                if not self.realtime and self.kind == SourceKind.FILE:
                    with self._ready:  # wait for the last frame to be taken: none dropped
                        self._ready.wait_for(lambda: self._slot.taken or self._stop.is_set())
                self._hand_over(decoded)

    def _hand_over(self, decoded: Any) -> None:
        now = time.monotonic()
        with self._ready:
            slot = self._slot
            h = slot.health
            slot.window = [t for t in slot.window if now - t <= 2.0] + [now]
            span = slot.window[-1] - slot.window[0]
            fps = (len(slot.window) - 1) / span if span > 0 else 0.0
            slot.health = replace(
                h,
                frames_in=h.frames_in + 1,
                frames_dropped=h.frames_dropped + (0 if slot.taken else 1),
                fps_in=fps,
            )
            slot.frame, slot.taken = (decoded, h.frames_in, now), False
            self._ready.notify_all()

    def _update(self, **changes: Any) -> None:
        with self._ready:
            self._slot.health = replace(self._slot.health, **changes)
            self._ready.notify_all()


def _describe(exc: Exception, source: str) -> str:
    """One line for ``exc``, with the source's secrets masked wherever it quotes the source."""
    return str(exc).replace(source, mask(source)) or type(exc).__name__
