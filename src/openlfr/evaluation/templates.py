"""Templates of image files through the full pipeline, with an on-disk cache.

Each image goes through detection, alignment and embedding exactly as in
live use. Where the detector finds several faces, the one whose box centre is
nearest the image centre is the subject (LFW and UTKFace images are centred on
it). Where it finds none the image's template is None: a miss the protocols
count, never a silently dropped image.

The cache is one SQLite file. Its key is the image's absolute path, size and
modification time plus the identity of the pipeline: the detector and
embedder, the SHA-256 of their model files, the backend and precision they run
on and every setting that changes a template. Change any of those and the
cached templates are not reused.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing, nullcontext
from pathlib import Path

import numpy as np

from openlfr import __version__
from openlfr.config import Settings
from openlfr.vision.engine import Engine
from openlfr.vision.image import ImageError, read_image
from openlfr.vision.types import Detections

# Raise when the way a template is made changes in code rather than in settings.
CACHE_FORMAT = 1
CHUNK = 64  # images read, detected and embedded per step

OnProgress = Callable[[str, int, int], None]
"""Told ``(label, items done, items in all)`` as an evaluation step advances. How (or
whether) to show it is the caller's business: the library itself never draws."""


def cache_path(settings: Settings) -> Path:
    """Where the template cache of ``settings`` lives: ``data_dir/cache/templates.sqlite3``."""
    return settings.data_dir / "cache" / "templates.sqlite3"


def pipeline_label(settings: Settings) -> dict[str, str]:
    """The detector and embedder of ``settings``, as reports name them."""
    embedder = settings.embedder
    if embedder == "custom" and settings.embedder_path is not None:
        embedder = f"custom ({settings.embedder_path.name})"
    return {"detector": settings.detector, "embedder": embedder}


def pipeline_identity(engine: Engine) -> dict[str, object]:
    """Everything about ``engine``'s pipeline that changes a template, on this machine (the
    precision each model runs at here included), and how the cache picks a face."""
    return {
        "format": CACHE_FORMAT,
        "openlfr": __version__,
        **engine.identity,
        "face_choice": "nearest image centre",
    }


class TemplateCache:
    """Templates (or recorded misses) by key, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS templates (key TEXT PRIMARY KEY, vec BLOB)")

    def close(self) -> None:
        self._db.close()

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray | None]:
        """The cached entries among ``keys``; a miss is cached as None."""
        found: dict[str, np.ndarray | None] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, vec FROM templates WHERE key IN ({marks})"
            for key, blob in self._db.execute(query, chunk):
                found[key] = None if blob is None else np.frombuffer(blob, np.float32).copy()
        return found

    def put(self, entries: Iterable[tuple[str, np.ndarray | None]]) -> None:
        rows = [(k, None if v is None else v.astype(np.float32).tobytes()) for k, v in entries]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO templates VALUES (?, ?)", rows)


def _file_key(path: Path, identity: str) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    text = f"{identity}\n{path.resolve()}\n{stat.st_size}\n{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()


def nearest_centre_index(boxes: np.ndarray, shape: tuple[int, ...]) -> int:
    """Index of the (x1, y1, x2, y2) box whose centre is nearest the centre of an image."""
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    offset = centres - np.array([shape[1] / 2, shape[0] / 2])
    return int(np.argmin((offset**2).sum(axis=1)))


def nearest_centre(found: Detections, shape: tuple[int, ...]) -> Detections:
    """The one face of ``found`` whose box centre is nearest the centre of an image of ``shape``."""
    if len(found) <= 1:
        return found
    return found.take(np.array([nearest_centre_index(found.boxes, shape)]))


def compute_templates(
    engine: Engine,
    files: Sequence[Path],
    cache_file: Path | None,
    label: str = "templates",
    on_progress: OnProgress | None = None,
) -> list[np.ndarray | None]:
    """One template per file in ``files`` (same order), or None where no face was found.

    Files already in the cache at ``cache_file`` (None: no cache) for this
    pipeline are not read again; new ones are added to it as they are
    computed. An unreadable file raises ImageError. ``on_progress`` is told
    ``(label, done, len(files))`` once at the start (cached files count as
    done) and after each chunk.
    """
    settings = engine.settings
    identity = json.dumps(pipeline_identity(engine), sort_keys=True)
    keys = [_file_key(path, identity) for path in files]
    with closing(TemplateCache(cache_file)) if cache_file else nullcontext() as cache:
        known = cache.get(keys) if cache else {}
        todo = [i for i, key in enumerate(keys) if key not in known]
        done = len(files) - len(todo)
        if on_progress:
            on_progress(label, done, len(files))
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            images = [
                read_image(files[i], settings.max_image_bytes, settings.max_image_pixels)
                for i in chunk
            ]
            detections = zip(engine.detect(images), images, strict=True)
            chosen = [nearest_centre(found, im.shape) for found, im in detections]
            faces = engine.describe(images, chosen)
            new = [(keys[i], found[0].embedding if found else None)
                   for i, found in zip(chunk, faces, strict=True)]  # fmt: skip
            known.update(new)
            if cache:
                cache.put(new)  # per chunk, so an interrupted run keeps its work
            done += len(chunk)
            if on_progress:
                on_progress(label, done, len(files))
    return [known[key] for key in keys]


def stack(templates: Sequence[np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """(N, D) matrix with zero rows for misses, and the (N,) mask of images with a template."""
    found = np.array([t is not None for t in templates], dtype=bool)
    dim = next((len(t) for t in templates if t is not None), 0)
    matrix = np.zeros((len(templates), dim), np.float32)
    for i, template in enumerate(templates):
        if template is not None:
            matrix[i] = template
    return matrix, found
