"""FMR/FPIR, FNMR/FNIR, thresholds at a target rate and EER on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.evaluation.metrics import (
    MISSED,
    equal_error_rate,
    false_negative_rate,
    false_positive_rate,
    threshold_at,
)

MATED = np.array([0.9, 0.8, 0.3, MISSED])
NON_MATED = np.array([0.1, 0.4, 0.2, MISSED])


def test_rates_at_a_threshold_count_missed_as_rejections() -> None:
    # Scores >= 0.4 are accepted: non-mated 0.4 is a false positive (1 of 4); mated 0.3 and
    # the missed one are false negatives (2 of 4).
    assert false_positive_rate(NON_MATED, 0.4) == 0.25
    assert false_negative_rate(MATED, 0.4) == 0.5
    # A missed comparison never reaches any threshold, however low.
    assert false_positive_rate(NON_MATED, -1.0) == 0.75
    assert false_negative_rate(MATED, -1.0) == 0.25


def test_threshold_at_a_rate_is_the_lowest_that_meets_it() -> None:
    scores = np.array([0.9, 0.7, 0.7, 0.5, 0.1])
    # 20 %: one of five may pass: just above the second highest (0.7).
    t = threshold_at(scores, 0.2)
    assert 0.7 < t < 0.7001
    assert false_positive_rate(scores, t) == 0.2
    # 40 %: two may pass, but 0.7 is tied, so only the 0.9 can: still just above 0.7.
    assert threshold_at(scores, 0.4) == t
    # 0 %: none may pass: just above the highest.
    assert false_positive_rate(scores, threshold_at(scores, 0.0)) == 0.0
    assert threshold_at(scores, 0.6) == pytest.approx(0.5, abs=1e-6)


def test_threshold_at_survives_floating_point_products() -> None:
    # 1e-3 * 3000 is 2.9999999999999996 in floating point: three may still pass.
    scores = np.linspace(1, 0, 3000)
    assert false_positive_rate(scores, threshold_at(scores, 1e-3)) == pytest.approx(1e-3)


def test_equal_error_rate() -> None:
    # At t = 0.4: FNMR 1/3 (0.3 below), FMR 1/3 (0.4 accepted): the rates are equal.
    eer, t = equal_error_rate(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4, 0.2]))
    assert eer == pytest.approx(1 / 3)
    assert t == 0.4
