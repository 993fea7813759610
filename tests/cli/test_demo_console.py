"""``lfr demo --console``, as a newcomer runs it: the printed one-time password logs the
operator in, alerts arrive within seconds, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from openlfr.config import Settings
from tests.api.conftest import PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_console_demo_serves_a_live_deployment_whose_alerts_the_operator_sees(
    tmp_path: Path,
) -> None:
    (tmp_path / "models").symlink_to(Settings().models_dir)
    port = free_port()
    env = {**os.environ, "LFR_DATA_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "openlfr.cli", "demo", "--console", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        said, passwords = [], {}
        assert demo.stdout is not None
        for line in demo.stdout:
            said.append(line)
            if found := re.match(r"log in as (\w+) .* one-time password (\S+)$", line.strip()):
                passwords[found[1]] = found[2]
            if line.startswith("console: open"):
                break
        assert f"http://127.0.0.1:{port}/login" in said[-1], "".join(said)
        base = f"http://127.0.0.1:{port}"
        body = {"name": "omar", "password": passwords["omar"], "new_password": PASSWORD}
        session = httpx.post(f"{base}/api/v1/session", json=body).json()
        omar = {"Authorization": f"Bearer {session['token']}"}
        deadline, seen = time.monotonic() + 90, list[dict[str, str]]()
        while not seen and time.monotonic() < deadline:
            seen = httpx.get(f"{base}/api/v1/alerts", headers=omar).json()
            time.sleep(1)
        assert {a["subject_name"] for a in seen} <= {"Eileen Collins", "Grace Hopper"} and seen
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=60)
        assert demo.returncode == 0, rest
        assert rest.strip().endswith("console demo stopped")
    finally:
        if demo.poll() is None:
            demo.kill()


def test_a_port_in_use_is_one_clear_error_before_anything_is_made(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "LFR_DATA_DIR": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-m", "openlfr.cli", "demo", "--console", "--port", str(port)],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1 and f"port {port}: Address already in use" in done.stderr
    assert not (tmp_path / "demo").exists()
