"""The watchlisted people of the identification study: for each person with two or more
images, one is enrolled on the watchlist and the others search for them (mated probes).

Two layouts, told apart by what the folder holds:

- A force's own: ``people.csv`` with ``file,person,sex,race`` rows, ``file`` relative to the
  folder (or absolute), ``person`` any identifier, ``sex`` and ``race`` the groups the force
  records (blank where not recorded; the same words as in its strangers' ``labels.csv``, so
  groups compare). Each person's first listed image is enrolled.
- LFW's (``openlfr.evaluation.lfw``): each person's first image enrolled, names its errata
  file under two names taken as one person, sex per image and race per identity from its
  labels (for 866 people only).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openlfr.config import Settings
from openlfr.evaluation import DatasetError
from openlfr.evaluation.identification import lfw_open_set
from openlfr.evaluation.lfw import Lfw, LfwImage
from openlfr.evaluation.listing import check_files, read_listing

COLUMNS = ("file", "person", "sex", "race")


@dataclass(frozen=True)
class PersonImage:
    """One image of a watchlisted person, with the groups recorded for them ("" if none)."""

    path: Path
    person: str
    sex: str
    race: str


@dataclass(frozen=True)
class People:
    """The study's watchlisted people: ``name`` says where they come from (LFW, or the
    folder's name); ``enrolled`` are the images enrolled, ``mated`` those that search for
    them."""

    name: str
    enrolled: list[PersonImage]
    mated: list[PersonImage]


def read_people(folder: Path) -> People:
    """The people listed in ``folder/people.csv``. Raises DatasetError naming the file if it
    lacks a column, names a file that is not there, or lists no one with two images."""
    listing = folder / "people.csv"
    rows = read_listing(listing, COLUMNS)
    images = [PersonImage(folder / r["file"], r["person"], r["sex"], r["race"]) for r in rows]
    check_files(listing, (i.path for i in images))
    by_person: dict[str, list[PersonImage]] = {}
    for image in images:
        by_person.setdefault(image.person, []).append(image)
    pairs = [shots for shots in by_person.values() if len(shots) >= 2]
    if not pairs:
        raise DatasetError(
            f"{listing} lists no person with two or more images: one is enrolled and the "
            "others search for them"
        )
    return People(folder.name, [s[0] for s in pairs], [i for s in pairs for i in s[1:]])


def lfw_people(lfw: Lfw) -> People:
    """LFW's open set: the first image of each person with two or more enrolled, the probes
    of an enrolled person (errata-aware) mated."""
    errata = dict(lfw.duplicate_identities)
    demographics = lfw.demographics
    split = lfw_open_set(lfw)

    def image(i: LfwImage) -> PersonImage:
        sex, race = demographics.get(i.relpath, ("", ""))
        race = "several" if "|" in race else race  # labelled with more than one
        return PersonImage(lfw.root / i.relpath, errata.get(i.person, i.person), sex, race)

    enrolled = [image(i) for i in split.gallery]
    identities = {i.person for i in enrolled}
    mated = [m for m in map(image, split.probes) if m.person in identities]
    return People("LFW", enrolled, mated)


def locate_people(folder: Path | None, settings: Settings) -> People:
    """The people of ``folder``: its ``people.csv`` if it holds one, else LFW's layout (the
    ``lfw_dir`` setting if no folder is given)."""
    if folder is not None and (folder / "people.csv").is_file():
        return read_people(folder)
    if folder is not None and not (folder / "pairs.txt").is_file():
        raise DatasetError(
            f"{folder} holds neither people.csv (your own people: file,person,sex,race) nor "
            "LFW's pairs.txt: point --data-dir at a folder holding one"
        )
    return lfw_people(Lfw.locate(folder, settings))
