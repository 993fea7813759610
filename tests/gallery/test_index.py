"""Watchlist search and score normalisation against hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.gallery.index import WatchlistIndex
from openlfr.gallery.normalise import CohortNormaliser, TopKNormaliser


def unit(*v: float) -> np.ndarray:
    a = np.array(v, np.float32)
    return a / np.linalg.norm(a)


def test_search_returns_best_entry_at_or_above_threshold() -> None:
    index = WatchlistIndex(np.stack([unit(1, 0, 0), unit(0, 1, 0)]), ["ann", "bob"])
    probes = np.stack([unit(0.9, 0.1, 0), unit(0, 0, 1), unit(0.6, 0.8, 0)])
    found = index.search(probes, threshold=0.7)
    assert found[0] is not None and found[0].label == "ann"
    assert found[1] is None
    assert found[2] is not None and found[2].label == "bob"
    assert found[2].similarity == pytest.approx(0.8)
    # The threshold is inclusive, and the index keeps no default of its own.
    assert index.search(probes[2:], threshold=0.8)[0] is not None


def test_empty_watchlist_matches_nobody() -> None:
    index = WatchlistIndex(np.zeros((0, 3), np.float32), [])
    assert index.search(np.stack([unit(1, 0, 0)]), threshold=-1.0) == [None]
    assert index.search(np.stack([unit(1, 0, 0)]), threshold=-np.inf) == [None]  # at any score


def test_topk_subtracts_mean_of_next_k() -> None:
    sims = np.array([[0.9, 0.5, 0.3, 0.1]], np.float32)
    # top-1 0.9; next two 0.5 and 0.3, mean 0.4 -> 0.5
    score = TopKNormaliser(k=2).normalise(np.zeros((1, 3)), sims, sims.max(axis=1))
    assert score[0] == pytest.approx(0.5)


def test_cohort_subtracts_mean_of_nearest_cohort() -> None:
    cohort = np.stack([unit(1, 0), unit(0, 1), unit(-1, 0)])
    probe = np.stack([unit(1, 1)])
    # Cohort similarities 0.707, 0.707, -0.707; nearest two mean 0.707.
    score = CohortNormaliser(cohort, k=2).normalise(probe, np.zeros((1, 1)), np.array([0.9]))
    assert score[0] == pytest.approx(0.9 - np.sqrt(0.5), abs=1e-6)
    with pytest.raises(ValueError, match="smaller than k=5"):
        CohortNormaliser(cohort, k=5)
