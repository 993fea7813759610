"""WIDER FACE reading and average precision, against hand-computed cases and the files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from openlfr.config import Settings
from openlfr.evaluation import DatasetError
from openlfr.evaluation.detection import LevelResult, evaluate, misses_by_group, overlaps
from openlfr.evaluation.wider import LEVELS, WiderImage, read_demographics, read_wider
from openlfr.vision.types import Detections
from tests.conftest import shared


def image(boxes: list[list[int]], easy: list[bool]) -> WiderImage:
    """An image whose faces all count at medium and hard, and ``easy`` ones at easy."""
    every = np.ones(len(boxes), bool)
    counted = {"easy": np.array(easy), "medium": every, "hard": every}
    return WiderImage("test/test.jpg", Path("test.jpg"), np.array(boxes, float), counted)


def detections(boxes: list[list[int]], scores: list[float]) -> Detections:
    return Detections(np.array(boxes, float), np.array(scores), np.zeros((len(scores), 5, 2)))


def test_overlap_counts_whole_pixels() -> None:
    ten = np.array([[0, 0, 9, 9]], float)
    assert overlaps(ten, ten)[0, 0] == 1
    assert overlaps(ten, np.array([[5, 0, 14, 9], [10, 0, 19, 9]], float)).tolist() == [[1 / 3, 0]]


def test_average_precision_by_hand() -> None:
    a, b, c, d = [0, 0, 99, 99], [200, 0, 299, 99], [400, 0, 499, 99], [0, 0, 49, 49]
    crowd = image([a, b, c], easy=[True, True, False])  # c is ignored at easy
    alone = image([d], easy=[True])  # counts, but nothing is found in it
    found = detections(
        [[2, 2, 101, 101], b, [600, 0, 699, 99], c, a],  # a again, b, nothing, c, a
        [0.5, 0.6, 0.7, 0.8, 0.9],
    )
    easy, medium, hard = evaluate([crowd, alone], [found, Detections.empty()])
    # Best first, easy: a (tp), c (ignored), nothing (fp), b (tp), a again (fp); 3 faces.
    # (recall, precision): (1/3, 1), (1/3, 1/2), (2/3, 2/3), (2/3, 1/2); AP = 1/3 + 1/3 * 2/3.
    assert easy.faces == 3 and easy.recall == pytest.approx(2 / 3)
    assert easy.ap == pytest.approx(5 / 9)
    # Medium counts c: tp, tp, fp, tp, fp of 4 faces; AP = 1/4 + 1/4 + 1/4 * 3/4.
    assert medium.faces == 4 and medium.recall == pytest.approx(3 / 4)
    assert medium.ap == pytest.approx(0.6875)
    assert hard == LevelResult("hard", 4, medium.ap, medium.recall)


def test_no_detections_score_zero() -> None:
    results = evaluate([image([[0, 0, 9, 9]], easy=[True])], [Detections.empty()])
    assert [(r.level, r.faces, r.ap, r.recall) for r in results] == [
        (level, 1, 0.0, 0.0) for level in LEVELS
    ]


def test_reader_agrees_with_the_subset_files() -> None:
    root = shared("widerface_val_subset")
    images = read_wider(root)
    annotated = json.loads((root / "gt.json").read_text())
    assert len(images) == annotated["n_images"] == 317
    for level in LEVELS:
        assert (
            sum(int(i.counted[level].sum()) for i in images)
            == (annotated["n_faces_per_level"][level])
        )
    first = images[0]
    x, y, w, h = annotated["images"][first.key]["boxes"][0]
    assert first.boxes[0].tolist() == [x, y, x + w, y + h]
    assert first.path.is_file()


def test_a_folder_without_the_files_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"gt\.json is missing"):
        read_wider(tmp_path)


def test_misses_by_group_count_every_labelled_face_once(settings: Settings) -> None:
    root = shared("widerface_val_subset")
    images = read_wider(root)[:20]
    labels = read_demographics(root)
    labelled = [
        labels[i.key, f] for i in images for f in range(len(i.boxes)) if (i.key, f) in labels
    ]
    comparisons = {c.attribute: c for c in misses_by_group(settings, images, labels)}
    assert set(comparisons) == {"skin tone", "gender", "age group", "skin tone, grouped"}
    for attribute in ("skin tone", "gender", "age group"):
        known = [r[attribute] for r in labelled if r[attribute] != "not_sure"]
        rates = comparisons[attribute].rates
        assert sum(r.trials for r in rates) == len(known)
        assert {r.group: r.trials for r in rates} == {g: known.count(g) for g in set(known)}
    # Lighter and darker are the sums of types I-III and IV-VI.
    tones = {r.group: r for r in comparisons["skin tone"].rates}
    grouped = {r.group: r for r in comparisons["skin tone, grouped"].rates}
    for name, types in (
        ("lighter (I-III)", ("I", "II", "III")),
        ("darker (IV-VI)", ("IV", "V", "VI")),
    ):
        present = [tones[t] for t in types if t in tones]
        if present:
            assert grouped[name].trials == sum(r.trials for r in present)
            assert grouped[name].errors == sum(r.errors for r in present)
    # The detector as it runs live: its own score threshold, not the protocol's 0.02.
    assert comparisons["gender"].threshold >= 0.3


def test_demographics_are_required_for_misses_by_group(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"demographics_val\.csv is missing"):
        read_demographics(tmp_path)
