"""Reading images from files safely: one clear error per bad file."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from openlfr.errors import LfrError
from openlfr.files import FileError, read_limited


class ImageError(LfrError):
    pass


def read_image(path: Path, max_bytes: int, max_pixels: int) -> np.ndarray:
    """Decode the image file at ``path`` to a BGR uint8 array (EXIF rotation applied).

    Raises ImageError naming the file for a missing, empty, oversized, truncated, corrupt or
    non-image file, one that is not a regular file (a device, a pipe), or a decompression bomb.
    """
    try:
        data = read_limited(path, max_bytes)
    except FileError as exc:
        raise ImageError(str(exc)) from None
    return decode_image(data, str(path), max_bytes, max_pixels)


def decode_image(data: bytes, name: str, max_bytes: int, max_pixels: int) -> np.ndarray:
    """Decode the encoded image ``data`` (called ``name`` in errors) as ``read_image`` does: its
    type is found from its content, never from its name."""
    _check_size(name, len(data), max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise ImageError(
                        f"{name}: {width}x{height} pixels is over the {max_pixels:,}-pixel "
                        "limit (a decompression bomb or an oversized image)"
                    )
                rgb = ImageOps.exif_transpose(img).convert("RGB")
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image file, or a format that cannot be read") from None
    except Image.DecompressionBombError:  # Pillow's own limit, met before ours is checked
        raise ImageError(
            f"{name}: over the {max_pixels:,}-pixel limit (a decompression bomb or an "
            "oversized image)"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{name}: the image is corrupt or truncated ({exc})") from None
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size == 0:
        raise ImageError(f"{name}: the file is empty")
    if size > max_bytes:
        raise ImageError(f"{name}: {size:,} bytes is over the {max_bytes:,}-byte limit")
