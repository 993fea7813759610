"""LFW verification: threshold choice and fold accuracy by hand, then fold 1 for real."""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.evaluation.lfw import Lfw, LfwImage, Pair
from openlfr.evaluation.metrics import MISSED
from openlfr.evaluation.templates import compute_templates
from openlfr.evaluation.verification import (
    accuracy,
    best_threshold,
    cross_validate,
    evaluate_fold,
    pair_scores,
)
from openlfr.vision.engine import Engine
from tests.conftest import shared

# Scores and labels of five training pairs. Accepting from each candidate up:
#   t=0.2: 3 mated accepted + 0 non-mated rejected = 3     t=0.5: 3 + 1 = 4
#   t=0.6: 2 + 1 = 3     t=0.7: 2 + 2 = 4     t=0.9: 1 + 2 = 3
# 0.5 and 0.7 tie at 4/5; the lower wins, set halfway down to 0.2: 0.35.
TRAIN_SCORES = np.array([0.9, 0.7, 0.6, 0.5, 0.2])
TRAIN_MATED = np.array([True, True, False, True, False])


def test_best_threshold_by_hand() -> None:
    assert best_threshold(TRAIN_SCORES, TRAIN_MATED) == pytest.approx(0.35)
    assert accuracy(TRAIN_SCORES, TRAIN_MATED, 0.35) == pytest.approx(0.8)


def test_a_fold_is_tested_with_the_threshold_from_the_others() -> None:
    result = evaluate_fold(
        TRAIN_SCORES, TRAIN_MATED, np.array([0.4, 0.3]), np.array([True, False]), fold=3
    )
    assert (result.fold, result.accuracy) == (3, 1.0)
    assert result.threshold == pytest.approx(0.35)


def test_a_pair_with_a_missed_image_is_an_error() -> None:
    a, b, c = LfwImage("A", 1), LfwImage("A", 2), LfwImage("B", 1)
    templates = {a: np.array([1.0, 0.0]), b: np.array([0.6, 0.8]), c: None}
    pairs = [Pair(a, b, True, 1), Pair(a, c, True, 1), Pair(b, c, False, 1)]
    scores = pair_scores(pairs, templates)
    assert scores[0] == pytest.approx(0.6)
    assert scores[1] == scores[2] == MISSED
    # A miss counts against the pipeline, mated pair or not, at any threshold.
    assert accuracy(scores, np.array([True, True, False]), -1.0) == pytest.approx(1 / 3)
    assert accuracy(scores, np.array([True, True, False]), 0.7) == 0.0


@pytest.fixture(scope="module")
def fold_1(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels of the 600 pairs of fold 1, templates through the full pipeline."""
    lfw = Lfw(shared("lfw"))
    pairs = [p for p in lfw.pairs if p.fold == 1]
    images = sorted({p.first for p in pairs} | {p.second for p in pairs})
    cache = tmp_path_factory.mktemp("cache") / "templates.sqlite3"
    found = compute_templates(engine, [lfw.path(i) for i in images], cache)
    scores = pair_scores(pairs, dict(zip(images, found, strict=True)))
    return scores, np.array([p.mated for p in pairs])


def test_lfw_fold_1_accuracy(fold_1: tuple[np.ndarray, np.ndarray]) -> None:
    """Fold 1 with the default pipeline (YuNet + SFace).

    One fold leaves no other folds to choose a threshold on, so the threshold
    is chosen by 10-fold cross-validation inside fold 1: ten sub-folds of 30
    mated and 30 non-mated pairs, each tested with the threshold that is best
    on the other nine.
    """
    scores, mated = fold_1
    assert len(scores) == 600
    assert not (scores == MISSED).any()  # YuNet finds a face in every fold-1 image
    sub_folds = np.arange(600) % 10  # pairs 0-299 are mated, 300-599 not: 30 + 30 each
    results = cross_validate(scores, mated, sub_folds)
    assert len(results) == 10
    assert np.mean([r.accuracy for r in results]) >= 0.985
