"""Reading UTKFace folders: adult faces labelled with perceived sex and race.

A folder is one described in ``../shared/data/utkface_subset/README.md`` or
``../shared/data/utkface_distractors/README.md``: ``labels.csv`` with
``file,age,sex,race,race_code`` rows, ``file`` relative to the folder. The
labels are the data set's own: perceived, assigned by its authors, wrong for
some images. UTKFace has no identity labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openlfr.evaluation import DatasetError
from openlfr.evaluation.listing import check_files, read_listing
from openlfr.models.quantise import calibration_file

COLUMNS = ("age", "file", "race", "sex")


@dataclass(frozen=True)
class UtkImage:
    """One UTKFace image: its file and labels."""

    path: Path
    age: int
    sex: str  # male, female
    race: str  # White, Black, Asian, Indian, Others

    @property
    def name(self) -> str:
        return self.path.name


def read_utkface(folder: Path) -> list[UtkImage]:
    """The images listed in ``folder/labels.csv``, in its order.

    Raises DatasetError naming the folder if labels.csv is missing or lacks a
    column, or names a file that is not there.
    """
    labels = folder / "labels.csv"
    if not labels.is_file():
        raise DatasetError(
            f"{folder} is not a UTKFace folder: labels.csv is missing; point --strangers at a "
            "folder holding labels.csv (file,age,sex,race)"
        )
    rows = read_listing(labels, COLUMNS)
    images = [UtkImage(folder / r["file"], int(r["age"]), r["sex"], r["race"]) for r in rows]
    check_files(labels, (i.path for i in images))
    return images


def calibration_names(model_name: str = "sface") -> frozenset[str]:
    """File names of the UTKFace faces that calibrated the int8 ``model_name``: they are left
    out of every FPIR figure, since the model was tuned on them."""
    names = calibration_file(model_name).with_name(f"{model_name}_images.txt")
    return frozenset(names.read_text().split()) if names.exists() else frozenset()
