"""Intervals and tests for error rates compared across demographic groups.

Two kinds of unit, two kinds of method:

- Images as independent trials (UTKFace strangers: no identity labels, so
  nothing better is possible; repeated images of one person make these
  intervals too narrow, and the reports say so). Interval: Wilson score
  interval. Test: Fisher's exact test of one group against all the others,
  exact however few errors there are (false alarms at FPIR 1e-3 are a
  handful, where a chi-square approximation is invalid).
- Identities as clusters of trials (LFW's mated probes: one person's images
  succeed or fail together). Interval: percentile bootstrap over identities.
  Test: permutation of group labels over identities, the difference in rate
  between a group and all the others as statistic.

Each test compares one group with the rest of its attribute at one
threshold. The groups of one attribute at one threshold are one family; the
p-values are Holm-adjusted within it, which holds the chance of any false
"significant" in the family at 5%.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import fisher_exact, norm

Z95 = float(norm.ppf(0.975))
ALPHA = 0.05
RESAMPLES = 2000  # bootstrap resamples and permutations: p-values to about +/- 0.01 near 0.05
MIN_UNITS = 30  # fewer images or identities than this: shown, never tested


@dataclass(frozen=True)
class Rate:
    """Errors among trials in one group, with a 95% interval and, after testing, a p-value.

    ``units`` are the independent draws behind the rate: images, or identities
    where several images belong to one person. ``p_value`` is Holm-adjusted;
    None where the group is ``too_small`` to test (fewer units than the
    minimum, MIN_UNITS unless told) or there was nothing to compare it with.
    """

    group: str
    units: int
    trials: int
    errors: int
    rate: float
    low: float
    high: float
    p_value: float | None = None
    too_small: bool = False

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA


def wilson(errors: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson score interval of ``errors / trials``; (0, 1) with no trials."""
    if trials == 0:
        return 0.0, 1.0
    p = errors / trials
    z2 = Z95**2
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = Z95 * np.sqrt(p * (1 - p) / trials + z2 / (4 * trials**2)) / (1 + z2 / trials)
    # At no errors (or all) the bound is exactly 0 (or 1); the formula leaves rounding noise.
    low = 0.0 if errors == 0 else max(0.0, float(centre - half))
    high = 1.0 if errors == trials else min(1.0, float(centre + half))
    return low, high


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (same order): each adjusted value is
    the most that any comparison ranked at or before it needs, capped at 1."""
    order = np.argsort(p_values, kind="stable")
    adjusted = np.empty(len(p_values))
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p_values) - rank) * p_values[i])
        adjusted[i] = min(1.0, running)
    return [float(p) for p in adjusted]


def _tested(rates: list[Rate], raw_p: dict[str, float]) -> list[Rate]:
    """``rates`` with the Holm-adjusted p-values of the groups in ``raw_p``."""
    names = list(raw_p)
    adjusted = dict(zip(names, holm([raw_p[n] for n in names]), strict=True))
    return [replace(r, p_value=adjusted.get(r.group)) for r in rates]


def image_rates(groups: np.ndarray, errors: np.ndarray, min_units: int = MIN_UNITS) -> list[Rate]:
    """Per group (sorted by name): error rate over images, Wilson interval, Fisher p-value.

    ``groups`` (N,) names each image's group, ``errors`` (N,) says whether it
    erred. Each group of at least ``min_units`` images is tested against all other images.
    """
    names = sorted(set(groups.tolist()))
    rates = []
    for name in names:
        member = groups == name
        k, n = int(errors[member].sum()), int(member.sum())
        rates.append(Rate(name, n, n, k, k / n, *wilson(k, n), too_small=n < min_units))
    raw_p: dict[str, float] = {}
    for r in rates:
        rest_n, rest_k = len(errors) - r.trials, int(errors.sum()) - r.errors
        if not r.too_small and rest_n >= min_units:
            table = [[r.errors, r.trials - r.errors], [rest_k, rest_n - rest_k]]
            raw_p[r.group] = float(fisher_exact(table).pvalue)
    return _tested(rates, raw_p)


def identity_rates(
    groups: np.ndarray,
    identities: np.ndarray,
    errors: np.ndarray,
    min_units: int = MIN_UNITS,
    seed: int = 0,
) -> list[Rate]:
    """Per group (sorted by name): error rate over images, with a bootstrap interval and a
    permutation p-value over identities.

    ``groups``, ``identities`` and ``errors`` are per image; an identity whose
    images carry several group labels counts in each group with those images
    (the labels are per image). Resampling is seeded: the same input gives the
    same figures.
    """
    rng = np.random.default_rng(seed)
    names = sorted(set(groups.tolist()))
    # One row per (group, identity) cluster: its group, trials and errors.
    pairs = np.stack([groups.astype(str), identities.astype(str)], axis=1)
    clusters, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    cluster_group = clusters[:, 0]
    trials = np.bincount(inverse, minlength=len(clusters)).astype(float)
    wrong = np.bincount(inverse, weights=errors.astype(float), minlength=len(clusters))
    rates = []
    for name in names:
        member = np.flatnonzero(cluster_group == name)
        n, k = int(trials[member].sum()), int(wrong[member].sum())
        draws = rng.integers(0, len(member), (RESAMPLES, len(member)))
        boot = wrong[member][draws].sum(axis=1) / trials[member][draws].sum(axis=1)
        low, high = np.percentile(boot, [2.5, 97.5])
        too_small = len(member) < min_units
        rates.append(Rate(name, len(member), n, k, k / n, float(low), float(high), None, too_small))
    raw_p: dict[str, float] = {}
    for r in rates:
        member = cluster_group == r.group
        if r.too_small or (~member).sum() < min_units:
            continue
        observed = abs(_difference(member, trials, wrong))
        shuffled = np.array(
            [abs(_difference(rng.permutation(member), trials, wrong)) for _ in range(RESAMPLES)]
        )
        # The observed labelling counts as one of the permutations, so p is never 0.
        raw_p[r.group] = float((1 + (shuffled >= observed - 1e-12).sum()) / (1 + RESAMPLES))
    return _tested(rates, raw_p)


def _difference(member: np.ndarray, trials: np.ndarray, wrong: np.ndarray) -> float:
    """Error rate of the clusters in ``member`` minus that of all the others."""
    inside = wrong[member].sum() / trials[member].sum()
    return float(inside - wrong[~member].sum() / trials[~member].sum())
