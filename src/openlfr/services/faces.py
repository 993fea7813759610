"""Faces in image files: what ``lfr faces`` reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from openlfr.config import Settings
from openlfr.errors import LfrError
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.types import Face


@dataclass(frozen=True)
class FileFaces:
    """The faces found in one file, or why it could not be read."""

    path: Path
    faces: list[Face]
    error: str | None = None


def find_faces(settings: Settings, paths: Sequence[Path]) -> Iterator[FileFaces]:
    """For each file, as it is done, the faces in it (box, landmarks, quality, template); a file
    that cannot be read gives its error and the others are still read."""
    engine = Engine(settings)
    for path in paths:
        try:
            image = read_image(path, settings.max_image_bytes, settings.max_image_pixels)
        except LfrError as exc:
            yield FileFaces(path, [], str(exc))
            continue
        yield FileFaces(path, engine.analyse([image])[0])
