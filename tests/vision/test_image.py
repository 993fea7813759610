"""Every bad image file gets one error naming the file; good ones decode to BGR."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from openlfr.vision.image import ImageError, read_image

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 40_000_000}


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.fixture
def good_jpeg(tmp_path: Path) -> Path:
    path = tmp_path / "good.jpg"
    pixels = np.zeros((40, 60, 3), np.uint8)
    pixels[..., 0] = 255  # pure red in RGB
    Image.fromarray(pixels).save(path, quality=95)
    return path


def test_good_image_decodes_to_bgr(good_jpeg: Path) -> None:
    image = read_image(good_jpeg, **LIMITS)
    assert image.shape == (40, 60, 3) and image.dtype == np.uint8
    assert image[..., 2].mean() > 240 and image[..., 0].mean() < 15


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jpg", b"", "the file is empty"),
        ("notes.jpg", b"these are not pixels\n" * 20, "not an image file"),
        ("noise.png", bytes(range(256)) * 8, "not an image file"),
        ("bomb.png", _png_header_claiming(100_000, 100_000), "decompression bomb"),
        # Past Pillow's own limit (178,956,970 pixels): refused with the configured one.
        ("huge.png", _png_header_claiming(20_000, 20_000), "over the 40,000,000-pixel limit"),
    ],
)
def test_bad_files_are_named_with_the_reason(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageError, match=message) as caught:
        read_image(path, **LIMITS)
    assert str(path) in str(caught.value)


def test_truncated_jpeg(tmp_path: Path, good_jpeg: Path) -> None:
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good_jpeg.read_bytes()[:300])
    with pytest.raises(ImageError, match="corrupt or truncated"):
        read_image(cut, **LIMITS)


def test_oversized_file_and_missing_file(tmp_path: Path, good_jpeg: Path) -> None:
    with pytest.raises(ImageError, match="over the 100-byte limit"):
        read_image(good_jpeg, max_bytes=100, max_pixels=10**6)
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "absent.jpg", **LIMITS)


def test_a_device_or_a_pipe_is_refused_unread(tmp_path: Path) -> None:
    """/dev/zero never ends and a pipe with no writer never answers: each is refused at once."""
    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), pipe, link, tmp_path):
        with pytest.raises(ImageError, match="not a regular file") as caught:
            read_image(path, **LIMITS)
        assert str(path) in str(caught.value)
