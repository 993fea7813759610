"""An RTSP camera for the tests: Debian's FFmpeg plays a clip in real time, looping, as RTP,
and this serves it to RTSP clients over TCP (interleaved RTP), as IP cameras do. FFmpeg's
own RTSP output can only publish to a server, not be one; this is the server part."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path


class RtspCamera:
    """Serves ``clip`` at ``rtsp://127.0.0.1:port/cam`` between ``start`` and ``stop`` (a
    camera switched off: its connections drop), as often as asked."""

    def __init__(self, clip: Path, port: int) -> None:
        self.clip, self.port = clip, port
        self._folder = tempfile.TemporaryDirectory()
        self._playing: list[socket.socket] = []
        self._lock = threading.Lock()
        self._ffmpeg: subprocess.Popen[bytes] | None = None

    def start(self) -> RtspCamera:
        self._rtp = _udp()
        self._rtcp = _udp()  # FFmpeg sends its RTCP reports here; a closed port would fail it
        sdp = Path(self._folder.name) / f"cam-{time.monotonic_ns()}.sdp"
        rtp_port, rtcp_port = self._rtp.getsockname()[1], self._rtcp.getsockname()[1]
        self._ffmpeg = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
             "-i", str(self.clip), "-an", "-c", "copy", "-f", "rtp", "-sdp_file", str(sdp),
             f"rtp://127.0.0.1:{rtp_port}?rtcpport={rtcp_port}&pkt_size=1200"],
        )  # fmt: skip
        # FFmpeg writes the SDP once it has opened the clip: seconds on a loaded machine.
        deadline = time.monotonic() + 60
        while not (sdp.exists() and sdp.read_text().strip()):
            if self._ffmpeg.poll() is not None or time.monotonic() > deadline:
                state = self._ffmpeg.poll()
                self._ffmpeg.kill()  # not left playing after the test
                raise RuntimeError(
                    f"FFmpeg wrote no SDP for {self.clip} "
                    + ("in 60 s" if state is None else f"(it exited with {state})")
                )
            time.sleep(0.05)
        self._sdp = sdp.read_text().strip() + "\r\na=control:trackID=0\r\n"
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen()
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        threading.Thread(target=self._relay, args=(self._rtp,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Switch the camera off: FFmpeg killed, every connection dropped."""
        if self._ffmpeg is not None:
            self._ffmpeg.kill()
            self._ffmpeg.wait()
        for s in (self._listener, self._rtp, self._rtcp):
            s.close()
        with self._lock:
            for client in self._playing:
                client.close()
            self._playing.clear()

    def close(self) -> None:
        self.stop()
        self._folder.cleanup()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # stopped
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _relay(self, rtp: socket.socket) -> None:
        while True:
            try:
                packet = rtp.recv(65536)
            except OSError:
                return
            frame = b"$\x00" + len(packet).to_bytes(2, "big") + packet  # channel 0, RFC 2326
            with self._lock:
                for client in list(self._playing):
                    try:
                        client.sendall(frame)
                    except OSError:
                        self._playing.remove(client)

    def _serve(self, client: socket.socket) -> None:
        """Answer one client's requests (OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN)."""
        reader = client.makefile("rb")
        try:
            while True:
                first = reader.read(1)
                if not first:
                    return
                if first == b"$":  # the client's RTCP, interleaved: skipped
                    header = reader.read(3)
                    reader.read(int.from_bytes(header[1:3], "big"))
                    continue
                lines = [first + reader.readline()]
                while lines[-1] not in (b"\r\n", b"\n", b""):
                    lines.append(reader.readline())
                method, url = lines[0].decode().split()[:2]
                headers = dict(
                    line.decode().strip().split(": ", 1) for line in lines[1:-1] if b": " in line
                )
                self._answer(client, method, url, headers.get("CSeq", "0"))
                if method == "TEARDOWN":
                    return
        except OSError:
            return
        finally:
            with self._lock:
                if client in self._playing:
                    self._playing.remove(client)
            client.close()

    def _answer(self, client: socket.socket, method: str, url: str, cseq: str) -> None:
        extra, body = "", ""
        if method == "OPTIONS":
            extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
        elif method == "DESCRIBE":
            body = self._sdp
            extra = f"Content-Base: {url}/\r\nContent-Type: application/sdp\r\n"
        elif method == "SETUP":
            extra = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 1\r\n"
        elif method in ("PLAY", "TEARDOWN"):
            extra = "Session: 1\r\n"
        reply = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
        with self._lock:
            client.sendall((reply + body).encode())
            if method == "PLAY":
                self._playing.append(client)


def _udp() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
