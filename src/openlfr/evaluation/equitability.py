"""Error rates by demographic group against threshold, and where differences stop.

For each attribute (sex, race, both) and each threshold of a grid, every
group's rate comes with its size and 95% interval, and each group is tested
against the rest (``openlfr.evaluation.stats``: Fisher's exact test over
images for FPIR, a permutation test over identities for FNIR; Holm within
the attribute at that threshold). As in the NPL study of the Met's system,
the report then names the lowest threshold from which no significant
difference remains at any higher threshold of the grid.

A group smaller than ``stats.MIN_UNITS`` is shown, marked too small, and not
tested: its interval says how little it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openlfr.evaluation.stats import Rate, identity_rates, image_rates

# Thresholds at which groups are compared: the range where any deployment would set one.
GRID = tuple(round(0.30 + 0.02 * i, 2) for i in range(26))


@dataclass(frozen=True)
class GroupComparison:
    """One metric by the groups of one attribute at one threshold."""

    metric: str  # FPIR, FNIR
    attribute: str
    threshold: float
    rates: list[Rate]

    @property
    def significant(self) -> bool:
        """Whether any group differs significantly from the rest (Holm-adjusted p < 0.05)."""
        return any(r.significant for r in self.rates)


def fpir_by_group(
    scores: np.ndarray, attributes: dict[str, np.ndarray], thresholds: Sequence[float] = GRID
) -> list[GroupComparison]:
    """FPIR of strangers by group: ``scores`` are their top-1 scores, ``attributes`` maps
    an attribute's name to each stranger's group."""
    return [
        GroupComparison("FPIR", name, t, image_rates(groups, scores >= t))
        for name, groups in attributes.items()
        for t in thresholds
    ]


def fnir_by_group(
    scores: np.ndarray,
    identities: np.ndarray,
    attributes: dict[str, np.ndarray],
    thresholds: Sequence[float] = GRID,
) -> list[GroupComparison]:
    """FNIR of mated probes by group: ``scores`` are their mate-at-rank-1 scores (MISSED
    where the mate was not top-1); ``identities`` name each probe's person. A probe whose
    group is unknown ("") is left out of that attribute."""
    comparisons = []
    for name, groups in attributes.items():
        known = groups != ""
        for t in thresholds:
            misses = scores[known] < t
            rates = identity_rates(groups[known], identities[known], misses)
            comparisons.append(GroupComparison("FNIR", name, t, rates))
    return comparisons


@dataclass(frozen=True)
class Verdict:
    """Per metric and attribute, the lowest grid threshold from which no group differs
    significantly at that or any higher threshold; None where the highest still differs."""

    metric: str
    attribute: str
    lowest_threshold: float | None
    significant_at: list[float]


def verdicts(comparisons: Sequence[GroupComparison]) -> list[Verdict]:
    """One verdict per (metric, attribute) in ``comparisons``, in order of first appearance."""
    keys = list(dict.fromkeys((c.metric, c.attribute) for c in comparisons))
    found = []
    for metric, attribute in keys:
        rows = sorted(
            (c for c in comparisons if (c.metric, c.attribute) == (metric, attribute)),
            key=lambda c: c.threshold,
        )
        differ = [c.threshold for c in rows if c.significant]
        above = [c.threshold for c in rows if not differ or c.threshold > max(differ)]
        found.append(Verdict(metric, attribute, above[0] if above else None, differ))
    return found


def equitable_from(found: Sequence[Verdict]) -> float | None:
    """The lowest threshold at which every verdict holds (None if one never does)."""
    lowest = [v.lowest_threshold for v in found]
    if not lowest or any(t is None for t in lowest):
        return None
    return max(t for t in lowest if t is not None)
