"""Files a user names, read within a limit; folders openlfr makes, private to its account."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from openlfr.errors import LfrError


class FileError(LfrError):
    """A file that cannot be read as given: missing, not a file, too big."""


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them. A device, a
    pipe or a folder is refused unread, and a file longer than the limit (or growing while it
    is read) is refused after ``max_bytes + 1`` bytes, never read to its end."""
    try:
        # Non-blocking: opening a pipe no one writes to returns at once, to be refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileError(f"{path}: no such file") from None
    except OSError as exc:
        raise FileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        held = os.fstat(fd)  # of what was opened, not of what the name points to now
        if not stat.S_ISREG(held.st_mode):
            raise FileError(f"{path}: not a regular file (a device, a pipe or a folder)")
        if held.st_size > max_bytes:
            raise FileError(f"{path}: {held.st_size:,} bytes is over the {max_bytes:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise FileError(f"{path}: cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileError(f"{path}: more than the {max_bytes:,}-byte limit (it grew as it was read)")
    return data


def private_folder(path: Path) -> Path:
    """``path``, made if missing with each missing folder above it, each readable by this
    account only (0700, as the XDG base directory spec asks of the folders it makes: the data
    folder holds the database and the models); folders already there are left as they are."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path
