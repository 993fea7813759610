from pathlib import Path

import pytest

from openlfr.domain.camera import (
    SourceKind,
    check_name,
    check_registered,
    check_removable,
    classify,
    mask,
)
from openlfr.domain.errors import DomainError


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("rtsp://admin:hunter2@10.0.0.7:554/live", "rtsp://***@10.0.0.7:554/live"),
        ("https://cams.example/feed?key=abc", "https://cams.example/feed?***"),
        ("http://user@cam.local/mjpeg", "http://***@cam.local/mjpeg"),
        ("rtsp://cam.local/stream1", "rtsp://cam.local/stream1"),
    ],
)
def test_a_stream_url_is_shown_without_its_secrets(source: str, shown: str) -> None:
    assert mask(source) == shown
    assert classify(source) == (SourceKind.STREAM, shown)


def test_a_device_and_a_file(tmp_path: Path) -> None:
    assert classify("/dev/video0") == (SourceKind.DEVICE, "/dev/video0")
    assert classify("2") == (SourceKind.DEVICE, "2")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not checked here")
    assert classify(str(clip)) == (SourceKind.FILE, str(clip))


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ("ftp://host/clip", "camera source scheme 'ftp'"),
        ("rtsp://user:pw@/path", "camera source rtsp://\\*\\*\\*@/path names no host"),
        ("clip.mp4", "give a video file by its absolute path"),
        ("/nowhere/clip.mp4", "no such video file"),
    ],
)
def test_a_source_that_is_none_of_these_is_refused(source: str, refusal: str) -> None:
    with pytest.raises(DomainError, match=refusal):
        classify(source)


def test_camera_names_are_plain() -> None:
    check_name("van-07-north")
    for bad in ("", "Van 7", "van/7", "x" * 65, "cam\x1b[31m"):
        with pytest.raises(DomainError, match="camera name"):
            check_name(bad)


def test_a_deployment_names_only_registered_cameras() -> None:
    check_registered(["a", "b"], {"a", "b", "c"}, "deployment 1")
    with pytest.raises(DomainError, match="deployment 1 names camera\\(s\\) not registered: b"):
        check_registered(["a", "b"], {"a"}, "deployment 1")


def test_a_camera_in_use_stays() -> None:
    check_removable("a", [])
    with pytest.raises(DomainError, match="camera a is named by deployment 2: close or cancel"):
        check_removable("a", ["deployment 2"])
