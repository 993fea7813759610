"""``lfr faces IMAGE...``: what the engine finds in image files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openlfr.cli.common import JsonFlag, current_settings, err, out, print_json, table

if TYPE_CHECKING:
    from openlfr.vision.types import Face


def _face_dict(face: Face) -> dict[str, object]:
    q = face.quality
    return {
        "box": [round(float(v), 1) for v in face.box],
        "landmarks": [[round(float(x), 1), round(float(y), 1)] for x, y in face.landmarks],
        "score": round(face.score, 4),
        "quality": {
            "face_px": round(q.face_px, 1),
            "inter_eye_px": round(q.inter_eye_px, 1),
            "sharpness": round(q.sharpness, 1),
            "yaw": round(q.yaw, 3),
            "acceptable": q.acceptable,
            "failures": list(q.failures),
        },
        "template_dim": int(face.embedding.shape[0]),
    }


def faces(
    ctx: typer.Context,
    images: Annotated[list[Path], typer.Argument(help="image files")],
    as_json: JsonFlag = False,
) -> None:
    """Detect faces in each image and report box, landmarks and quality.

    A file that cannot be read gets one error line; the others are still processed.
    """
    # The vision stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.services.faces import find_faces

    results: list[dict[str, object]] = []
    failed = 0
    for found in find_faces(current_settings(ctx), images):
        if found.error is not None:
            failed += 1
            err.print(f"error: {found.error}")
            results.append({"file": str(found.path), "error": found.error})
            continue
        results.append({"file": str(found.path), "faces": [_face_dict(f) for f in found.faces]})
        if not as_json:
            _print_table(found.path, found.faces)
    if as_json:
        print_json(results)
    if failed:
        raise typer.Exit(1)


def _print_table(path: Path, found: list[Face]) -> None:
    shown = table(
        "#", "box (x1 y1 x2 y2)", "score", "eye dist", "sharpness", "yaw", "quality",
        title=f"{path}: {len(found)} face(s)",
    )  # fmt: skip
    for i, face in enumerate(found, 1):
        q = face.quality
        shown.add_row(
            str(i),
            " ".join(f"{v:.0f}" for v in face.box),
            f"{face.score:.2f}",
            f"{q.inter_eye_px:.0f}px",
            f"{q.sharpness:.0f}",
            f"{q.yaw:+.2f}",
            "ok" if q.acceptable else ", ".join(q.failures),
        )
    out.print(shown)
