"""The LFW reader against the counts the data set's README states."""

from __future__ import annotations

from pathlib import Path

import pytest

from openlfr.config import Settings
from openlfr.evaluation import DatasetError
from openlfr.evaluation.lfw import Lfw, LfwImage
from tests.conftest import shared


@pytest.fixture(scope="module")
def lfw() -> Lfw:
    return Lfw(shared("lfw"))


def test_people_and_images(lfw: Lfw) -> None:
    assert len(lfw.people) == 5749
    assert sum(lfw.people.values()) == 13233
    assert sum(1 for n in lfw.people.values() if n >= 2) == 1680
    assert lfw.images("Aaron_Eckhart") == [LfwImage("Aaron_Eckhart", 1)]
    assert lfw.path(LfwImage("Aaron_Eckhart", 1)).is_file()


def test_pairs_are_ten_folds_of_300_mated_and_300_non_mated(lfw: Lfw) -> None:
    pairs = lfw.pairs
    assert len(pairs) == 6000
    for fold in range(1, 11):
        in_fold = [p for p in pairs if p.fold == fold]
        assert sum(p.mated for p in in_fold) == 300
        assert sum(not p.mated for p in in_fold) == 300
    # First line of fold 1 is "Abel_Pacheco 1 4"; the last of fold 10 a non-mated pair.
    assert (pairs[0].first, pairs[0].second, pairs[0].mated) == (
        LfwImage("Abel_Pacheco", 1), LfwImage("Abel_Pacheco", 4), True,
    )  # fmt: skip
    assert not pairs[-1].mated
    assert pairs[-1].fold == 10
    assert all(lfw.path(p.first).is_file() and lfw.path(p.second).is_file() for p in pairs)


def test_duplicate_identities(lfw: Lfw) -> None:
    assert len(lfw.duplicate_identities) == 9
    assert ("Wang_Nan", "Nan_Wang") in lfw.duplicate_identities


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="--data-dir"):
        Lfw.locate(None, Settings(lfw_dir=None))
    with pytest.raises(DatasetError, match="not an LFW folder"):
        Lfw.locate(tmp_path, Settings(lfw_dir=None))
