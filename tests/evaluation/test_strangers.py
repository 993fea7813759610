"""Watchlists grown with fillers, strangers searched against them, worked out by hand.

The templates are hand-made unit vectors, so that every similarity is known:
these tests check the protocol's bookkeeping; the study on real faces is in
test_study.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.errors import LfrError
from openlfr.evaluation.equitability import GroupComparison, equitable_from, verdicts
from openlfr.evaluation.metrics import MISSED
from openlfr.evaluation.stats import Rate
from openlfr.evaluation.strangers import (
    Pool,
    Templates,
    curve,
    operating_points,
    search,
    watchlists,
)


def unit(*v: float) -> np.ndarray:
    a = np.array(v, np.float32)
    return a / np.linalg.norm(a)


def templates(*rows: np.ndarray) -> Templates:
    return Templates(np.stack(rows), np.ones(len(rows), bool))


def test_one_pool_is_split_into_folds_so_no_stranger_is_its_own_filler() -> None:
    names = [f"face{i}.jpg" for i in range(10)]
    pool = Pool(
        names, templates(*[unit(1, i) for i in range(10)]), np.ones(10, bool), np.ones(10, bool)
    )
    plan = watchlists(pool, enrolled=2, size=6)
    # One fold would leave no fillers; two folds of 5 leave 5 outside each, 4 needed.
    assert len(plan.fillers) == 2
    assert sorted(np.bincount(plan.fold)) == [5, 5]
    for f, fillers in enumerate(plan.fillers):
        assert len(fillers) == 4
        assert not set(fillers) & set(np.flatnonzero(plan.fold == f))
    # The same names always give the same watchlists.
    again = watchlists(pool, enrolled=2, size=6)
    assert all(np.array_equal(a, b) for a, b in zip(plan.fillers, again.fillers, strict=True))


def test_separate_fillers_need_one_fold_and_faces_missed_are_not_fillers() -> None:
    found = np.array([True] * 6 + [True, False, True, True, True])
    pool = Pool(
        [f"s{i}" for i in range(6)] + [f"f{i}" for i in range(5)],
        Templates(np.stack([unit(1, i) for i in range(11)]), found),
        stranger=np.arange(11) < 6,
        filler=np.arange(11) >= 6,
    )
    plan = watchlists(pool, enrolled=3, size=7)
    assert len(plan.fillers) == 1
    assert sorted(plan.fillers[0]) == [6, 8, 9, 10]  # f1 had no face
    assert list(plan.fold) == [0] * 6 + [-1] * 5
    with pytest.raises(LfrError, match=r"needs 5 fillers.*--watchlist-size"):
        watchlists(pool, enrolled=3, size=8)
    with pytest.raises(LfrError, match="smaller than the 3 people enrolled"):
        watchlists(pool, enrolled=3, size=2)


def test_search_scores_mates_at_rank_one_and_the_referee_sets_strangers_aside() -> None:
    lfw_gallery = templates(unit(1, 0, 0, 0), unit(0, 1, 0, 0))  # people 0 and 1
    mated = templates(
        unit(0.9, np.sqrt(1 - 0.81), 0, 0),  # person 0: 0.9 to its entry
        unit(0, 0.6, 0.8, 0),  # person 1: 0.6 to its entry, 0.8 to the filler
    )
    pool = Pool(
        ["filler", "s1", "s2"],
        templates(unit(0, 0, 1, 0), unit(0, 0, 0.5, np.sqrt(0.75)), unit(0.7, 0, 0, np.sqrt(0.51))),
        stranger=np.array([False, True, True]),
        filler=np.array([True, False, False]),
    )
    plan = watchlists(pool, enrolled=2, size=3)
    found = search(
        lfw_gallery, np.array([0, 1]), mated, np.array([0, 1]), pool, plan,
        referee=(lfw_gallery, pool.templates, 0.65),
    )  # fmt: skip
    assert found.mated_scores == pytest.approx([0.9, MISSED])  # person 1 found the filler
    assert list(found.mated_rank1) == [True, False]
    assert list(found.strangers) == [1, 2]
    assert found.stranger_scores == pytest.approx([0.5, 0.7])
    assert list(found.set_aside) == [False, True]  # s2 is person 0 as far as the referee knows

    (point,) = curve(found, [0.6])
    assert (point.fpir, point.fpir_as_measured, point.fnir) == (0.0, 0.5, 0.5)
    assert point.false_alerts_per_million == 0.0
    by = {(p.counting, p.fpir_target): p for p in operating_points(found)}
    strict = by["as measured", 1e-2]
    # Two strangers allow no false alarm at 1e-2: the threshold sits just above 0.7, where
    # person 0's 0.9 still matches; 2 strangers are far too few to show 1e-2 (3 / 1e-2).
    assert strict.threshold == pytest.approx(0.7, abs=1e-6)
    assert strict.threshold > found.stranger_scores.max()
    assert (strict.fpir, strict.fnir, strict.false_alarms, strict.supported) == (0.0, 0.5, 0, False)
    assert by["overlap set aside", 1e-2].strangers == 1


def _comparison(threshold: float, p_value: float | None) -> GroupComparison:
    rates = [Rate("a", 50, 50, 1, 0.02, 0.0, 0.1, p_value), Rate("b", 50, 50, 0, 0.0, 0.0, 0.07)]
    return GroupComparison("FPIR", "sex", threshold, rates)


def test_the_lowest_threshold_is_above_the_last_significant_difference() -> None:
    pattern = {0.30: 0.01, 0.32: 0.2, 0.34: 0.04, 0.36: 0.5, 0.38: 0.06}
    found = verdicts([_comparison(t, p) for t, p in pattern.items()])
    assert [(v.lowest_threshold, v.significant_at) for v in found] == [(0.36, [0.30, 0.34])]
    assert equitable_from(found) == 0.36
    never = verdicts([_comparison(0.3, 0.2), _comparison(0.32, None)])
    assert never[0].lowest_threshold == 0.3
    always = verdicts([_comparison(0.3, 0.001), _comparison(0.32, 0.01)])
    assert always[0].lowest_threshold is None and equitable_from(always + never) is None
