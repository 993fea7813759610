"""Reading LFW: its people and images, the View 2 pairs (10 folds) and the errata.

The folder is the one described in ``../shared/data/lfw/README.md``:
``images/<Name>/<Name>_<NNNN>.jpg``, ``lfw-names.txt`` (name and image count),
``pairs.txt`` and ``labels/duplicate_identities.csv``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from openlfr.config import Settings
from openlfr.evaluation import DatasetError


@dataclass(frozen=True, order=True)
class LfwImage:
    """One LFW image: the identity it is filed under and its number (1-based)."""

    person: str
    number: int

    @property
    def relpath(self) -> str:
        return f"images/{self.person}/{self.person}_{self.number:04d}.jpg"


@dataclass(frozen=True)
class Pair:
    """A pairs.txt line: two images, whether they are of the same person, and the fold (1-10)."""

    first: LfwImage
    second: LfwImage
    mated: bool
    fold: int


class Lfw:
    """An LFW folder, checked to hold what the readers need.

    Raises DatasetError naming the folder and the missing file if it does not.
    """

    def __init__(self, root: Path) -> None:
        for needed in ("lfw-names.txt", "pairs.txt", "images"):
            if not (root / needed).exists():
                raise DatasetError(
                    f"{root} is not an LFW folder: {needed} is missing; point --data-dir "
                    "(or the lfw_dir setting, LFR_LFW_DIR) at the folder holding pairs.txt"
                )
        self.root = root

    @classmethod
    def locate(cls, folder: Path | None, settings: Settings) -> Lfw:
        """The LFW folder ``folder``, else the ``lfw_dir`` setting; DatasetError if neither."""
        folder = folder or settings.lfw_dir
        if folder is None:
            raise DatasetError(
                "no LFW folder given: pass --data-dir or set lfw_dir (LFR_LFW_DIR, or "
                "lfw_dir in the settings file) to the folder holding pairs.txt"
            )
        return cls(folder)

    def path(self, image: LfwImage) -> Path:
        return self.root / image.relpath

    @cached_property
    def people(self) -> dict[str, int]:
        """Identity -> number of images, in lfw-names.txt order."""
        counts: dict[str, int] = {}
        for line in (self.root / "lfw-names.txt").read_text().splitlines():
            if line.strip():
                name, count = line.split()
                counts[name] = int(count)
        return counts

    def images(self, person: str) -> list[LfwImage]:
        """The images of ``person``, lowest number first."""
        return [LfwImage(person, n) for n in range(1, self.people[person] + 1)]

    @cached_property
    def pairs(self) -> list[Pair]:
        """The 6,000 View 2 pairs: per fold, the mated pairs then the non-mated ones."""
        lines = (self.root / "pairs.txt").read_text().splitlines()
        folds, per_fold = (int(v) for v in lines[0].split())
        rows = [line.split() for line in lines[1:] if line.strip()]
        if len(rows) != folds * 2 * per_fold:
            raise DatasetError(
                f"{self.root / 'pairs.txt'}: {len(rows)} pairs, expected {folds * 2 * per_fold}"
            )
        pairs = []
        for i, row in enumerate(rows):
            fold, mated = i // (2 * per_fold) + 1, i % (2 * per_fold) < per_fold
            if mated:
                name, a, b = row
                pairs.append(Pair(LfwImage(name, int(a)), LfwImage(name, int(b)), True, fold))
            else:
                name_a, a, name_b, b = row
                pairs.append(Pair(LfwImage(name_a, int(a)), LfwImage(name_b, int(b)), False, fold))
        return pairs

    @cached_property
    def duplicate_identities(self) -> list[tuple[str, str]]:
        """Pairs of names the LFW errata say are one person (labels/duplicate_identities.csv)."""
        path = self.root / "labels" / "duplicate_identities.csv"
        if not path.exists():
            raise DatasetError(f"{path} is missing: the errata-aware protocol needs it")
        with path.open(newline="") as f:
            return [(row["name_a"], row["name_b"]) for row in csv.DictReader(f)]

    @cached_property
    def demographics(self) -> dict[str, tuple[str, str]]:
        """Image relpath -> (sex, race) from labels/lfw_demographics.csv, "" where unknown.

        Sex is labelled per image (nearly all); race per identity for 866 people
        only, in the source's words (caucasian, african, eastasian...), several
        joined by "|".
        """
        path = self.root / "labels" / "lfw_demographics.csv"
        if not path.exists():
            raise DatasetError(f"{path} is missing: figures by group need it")
        with path.open(newline="") as f:
            return {f"images/{r['image']}": (r["sex"], r["race"]) for r in csv.DictReader(f)}
