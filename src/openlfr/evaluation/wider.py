"""Reading WIDER FACE val (whole or a subset): images, face boxes, difficulty levels.

The folder is the one described in ``../shared/data/widerface_val_subset/README.md``:
``images/<event>/<file>.jpg``, ``gt.json`` (the images and their boxes) and the
official difficulty files ``wider_<level>_val.mat``, whose ``gt_list`` names, per
image, the faces that count at that level (1-based).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.io import loadmat

from openlfr.evaluation import DatasetError

LEVELS = ("easy", "medium", "hard")
VAL_IMAGES = 3226  # in the whole val set


@dataclass(frozen=True)
class WiderImage:
    """One val image and its annotated faces.

    ``boxes`` is (N, 4) x1, y1, x2, y2 with x2 = x + w as the official evaluation
    reads the x, y, w, h annotation; ``counted[level]`` is an (N,) bool mask of
    the faces that count at that level (the others are ignored there).
    """

    key: str  # "<event>/<file>.jpg", as in the annotation files
    path: Path
    boxes: np.ndarray
    counted: dict[str, np.ndarray]


def read_wider(root: Path) -> list[WiderImage]:
    """The images of the WIDER FACE folder ``root``, in gt.json order.

    Raises DatasetError naming the folder and the missing file if ``root`` is not
    such a folder, or if gt.json and the .mat files disagree on an image.
    """
    needed = ["gt.json", "images", *(f"wider_{level}_val.mat" for level in LEVELS)]
    for name in needed:
        if not (root / name).exists():
            raise DatasetError(
                f"{root} is not a WIDER FACE val folder: {name} is missing; point --data-dir "
                "at the folder holding gt.json and the wider_<level>_val.mat files"
            )
    annotated = json.loads((root / "gt.json").read_text())["images"]
    mats = {level: loadmat(str(root / f"wider_{level}_val.mat")) for level in LEVELS}
    images = []
    for key, entry in annotated.items():
        event, file = entry["event_index"], entry["file_index"]
        listed = str(mats["easy"]["file_list"][event, 0][file, 0][0])
        if f"{listed}.jpg" != key.split("/")[-1]:
            raise DatasetError(
                f"{root}: gt.json puts {key} where the .mat files list {listed}; "
                "the folder's files do not belong together"
            )
        xywh = np.array(entry["boxes"], np.float64).reshape(-1, 4)
        counted = {}
        for level in LEVELS:
            mask = np.zeros(len(xywh), bool)
            mask[mats[level]["gt_list"][event, 0][file, 0].ravel().astype(int) - 1] = True
            counted[level] = mask
        boxes = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        images.append(WiderImage(key, root / "images" / key, boxes, counted))
    return images


def read_demographics(root: Path) -> dict[tuple[str, int], dict[str, str]]:
    """(image key, face index) -> perceived skin tone, gender and age group of the labelled
    faces in ``root/demographics_val.csv`` ("not_sure" where the labellers were unsure)."""
    path = root / "demographics_val.csv"
    if not path.exists():
        raise DatasetError(
            f"{path} is missing: detection recall by group needs the demographic labels"
        )
    with path.open(newline="") as f:
        return {
            (r["image"], int(r["face_index"])): {
                "skin tone": r["skin_tone"], "gender": r["gender"], "age group": r["age_group"],
            }
            for r in csv.DictReader(f)
        }  # fmt: skip
