"""The watchlisted people of the study: a force's own folder (people.csv) or LFW's."""

from __future__ import annotations

from pathlib import Path

import pytest

from openlfr.config import Settings
from openlfr.evaluation import DatasetError
from openlfr.evaluation.identification import lfw_open_set
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.people import lfw_people, locate_people, read_people
from tests.conftest import shared


def listing(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(text)
    return folder


def test_each_persons_first_image_is_enrolled_and_the_others_are_mated(tmp_path: Path) -> None:
    for name in ("a1.jpg", "a2.jpg", "b1.jpg", "c1.jpg", "c2.jpg", "c3.jpg"):
        (tmp_path / name).write_bytes(b"")  # only their presence is read here
    lone = shared("lfw", "images", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")
    people = read_people(listing(tmp_path, (
        "file,person,sex,race\n"
        "c2.jpg,C,female,Black\na1.jpg,A,male,\nb1.jpg,B,,\n"
        f"a2.jpg,A,male,\nc1.jpg,C,female,Black\nc3.jpg,C,female,Black\n{lone},D,male,White\n"
    )))  # fmt: skip
    assert people.name == tmp_path.name
    assert [(i.path.name, i.person) for i in people.enrolled] == [("c2.jpg", "C"), ("a1.jpg", "A")]
    assert [i.path.name for i in people.mated] == ["c1.jpg", "c3.jpg", "a2.jpg"]
    assert {(i.sex, i.race) for i in people.mated} == {("female", "Black"), ("male", "")}


def test_a_bad_listing_is_one_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a1.jpg").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"people\.csv lacks the column\(s\) sex, race"):
        read_people(listing(tmp_path / "cols", "file,person\na1.jpg,A\n"))
    with pytest.raises(DatasetError, match=r"names .*missing\.jpg, which does not exist"):
        read_people(listing(tmp_path / "gone", "file,person,sex,race\nmissing.jpg,A,,\n"))
    alone = f"file,person,sex,race\n{tmp_path / 'a1.jpg'},A,,\n"
    with pytest.raises(DatasetError, match="no person with two or more images"):
        read_people(listing(tmp_path / "alone", alone))
    with pytest.raises(DatasetError, match=r"holds neither people\.csv"):
        locate_people(tmp_path, Settings(lfw_dir=None))


def test_lfw_is_read_as_its_open_set_with_its_labels() -> None:
    lfw = Lfw(shared("lfw"))
    people = locate_people(shared("lfw"), Settings(lfw_dir=None))
    assert people == lfw_people(lfw) and people.name == "LFW"
    split = lfw_open_set(lfw)
    assert len(people.enrolled) == len(split.gallery) == 1680
    assert {i.person for i in people.mated} <= {i.person for i in people.enrolled}
    # Sex is labelled per image for nearly all; race per identity, for a minority.
    sexed = sum(i.sex != "" for i in people.mated) / len(people.mated)
    assert sexed > 0.95 and {i.sex for i in people.mated} <= {"male", "female", ""}
    assert any(i.race == "several" for i in people.enrolled + people.mated)
