"""Intervals and tests by group, recomputed by hand on small cases."""

from __future__ import annotations

import itertools
from math import comb, sqrt

import numpy as np
import pytest

from openlfr.evaluation.stats import Z95, holm, identity_rates, image_rates, wilson


def test_wilson_interval_matches_its_formula() -> None:
    # 1 error in 10: centre (0.1 + z²/20) / (1 + z²/10),
    # half-width z·sqrt(0.009 + z²/400) / (1 + z²/10)
    z2 = Z95**2
    centre = (0.1 + z2 / 20) / (1 + z2 / 10)
    half = Z95 * sqrt(0.1 * 0.9 / 10 + z2 / 400) / (1 + z2 / 10)
    assert wilson(1, 10) == pytest.approx((centre - half, centre + half))
    assert wilson(1, 10) == pytest.approx((0.0179, 0.4042), abs=1e-4)  # the textbook figure
    # No errors: the lower bound is 0 and the upper z² / (n + z²), the "rule of three" region.
    assert wilson(0, 100) == pytest.approx((0.0, z2 / (100 + z2)))
    assert wilson(0, 0) == (0.0, 1.0)


def test_holm_adjusts_step_down_and_keeps_order() -> None:
    # Sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04, made non-decreasing -> 0.06.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact p by hand: the hypergeometric probabilities of every table with the
    same margins that is no more likely than the one observed."""
    row, col, n = a + b, a + c, a + b + c + d

    def p(x: int) -> float:
        return comb(col, x) * comb(n - col, row - x) / comb(n, row)

    observed = p(a)
    support = range(max(0, row + col - n), min(row, col) + 1)
    return sum(p(x) for x in support if p(x) <= observed * (1 + 1e-7))


def test_image_rates_by_group_with_fisher_tests_and_holm() -> None:
    # Three groups of 100 images: 6, 1 and 0 false alarms.
    groups = np.repeat(["a", "b", "c"], 100)
    errors = np.zeros(300, bool)
    errors[:6] = True
    errors[100] = True
    rates = image_rates(groups, errors)
    assert [(r.group, r.trials, r.errors) for r in rates] == [
        ("a", 100, 6),
        ("b", 100, 1),
        ("c", 100, 0),
    ]
    assert rates[0].rate == 0.06
    assert (rates[0].low, rates[0].high) == pytest.approx(wilson(6, 100))
    raw = [
        _fisher_two_sided(6, 94, 1, 199),
        _fisher_two_sided(1, 99, 6, 194),
        _fisher_two_sided(0, 100, 7, 193),
    ]
    assert [r.p_value for r in rates] == pytest.approx(holm(raw))
    assert raw[0] < 0.05 / 3  # group a differs from the rest even after adjustment
    assert rates[0].significant and not rates[1].significant and not rates[2].significant


def test_a_group_too_small_is_shown_with_its_interval_but_not_tested() -> None:
    groups = np.array(["big"] * 40 + ["small"] * 5)
    errors = np.zeros(45, bool)
    errors[40] = True
    big, small = image_rates(groups, errors)
    assert small.too_small and small.p_value is None
    assert (small.errors, small.trials, small.rate) == (1, 5, 0.2)
    assert (small.low, small.high) == pytest.approx(wilson(1, 5))
    # Nothing left to compare the big group with: untested, but not "too small".
    assert not big.too_small and big.p_value is None


def test_identity_rates_resample_people_not_images() -> None:
    # Six people in two groups; a person's images all fail or all succeed together.
    identities = np.array(["p1"] * 4 + ["p2"] * 2 + ["p3"] * 2 + ["q1"] * 3 + ["q2", "q3"])
    groups = np.array(["A"] * 8 + ["B"] * 5)
    errors = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], bool)
    a, b = identity_rates(groups, identities, errors, min_units=1)
    assert (a.units, a.trials, a.errors, a.rate) == (3, 8, 4, 0.5)
    assert (b.units, b.trials, b.errors, b.rate) == (3, 5, 1, 0.2)
    # Bootstrap over A's three people: the rate is 0 (p1 never drawn) up to 1 (only p1).
    assert 0.0 <= a.low < a.rate < a.high <= 1.0
    # The permutation p-value is the share of the 20 ways to split six people 3/3 whose
    # difference in rate is at least the observed 0.3, estimated from the random permutations.
    clusters = {"p1": (4, 4), "p2": (2, 0), "p3": (2, 0), "q1": (3, 0), "q2": (1, 0), "q3": (1, 1)}

    def difference(inside: tuple[str, ...]) -> float:
        rate = [
            sum(clusters[p][1] for p in side) / sum(clusters[p][0] for p in side)
            for side in (inside, tuple(p for p in clusters if p not in inside))
        ]
        return abs(rate[0] - rate[1])

    splits = list(itertools.combinations(clusters, 3))
    exact = sum(difference(s) >= 0.3 - 1e-12 for s in splits) / len(splits)
    assert a.p_value is not None and b.p_value is not None
    # Both tests are one comparison each of the same split: Holm doubles the smaller.
    assert min(a.p_value, b.p_value) == pytest.approx(min(1.0, 2 * exact), abs=0.06)


def test_identity_rates_are_the_same_every_run() -> None:
    identities = np.repeat(np.arange(80).astype(str), 3)
    groups = np.where(np.arange(240) < 120, "x", "y")
    errors = np.arange(240) % 7 == 0
    first = identity_rates(groups, identities, errors)
    assert first == identity_rates(groups, identities, errors)
    assert all(r.units == 40 and not r.too_small for r in first)
