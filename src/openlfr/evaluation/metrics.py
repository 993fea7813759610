"""Error rates at a threshold, in ISO/IEC 19795-1 terms, from two arrays of scores.

Every function takes the scores of *mated* comparisons or searches (same
person) and of *non-mated* ones (different people). A score is accepted, a
match or an alarm, when it is ``>= threshold``. A comparison that could not be
made (no face detected) carries the score ``-inf``: below every threshold, so
it is always a rejection.

- 1:1 verification: FMR is the false-positive rate of non-mated comparison
  scores, FNMR the false-negative rate of mated ones.
- 1:N identification: FPIR is the false-positive rate of the non-mated
  probes' top-1 scores; FNIR the false-negative rate of the mated probes'
  "mate at rank 1" scores (the top-1 score where the top-1 entry is the mate,
  else ``-inf``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MISSED = -np.inf  # the score of a comparison or search that could not be made

# Scores (N, M) of N probe templates against M reference templates; higher means more alike.
Similarity = Callable[[np.ndarray, np.ndarray], np.ndarray]


def cosine(probes: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Cosine similarity of unit-length templates: openlfr's comparison."""
    return np.asarray(probes, np.float32) @ np.asarray(references, np.float32).T


def false_positive_rate(non_mated: np.ndarray, threshold: float) -> float:
    """FMR (1:1) or FPIR (1:N): the fraction of non-mated scores ``>= threshold``."""
    return float(np.mean(np.asarray(non_mated) >= threshold)) if len(non_mated) else 0.0


def false_negative_rate(mated: np.ndarray, threshold: float) -> float:
    """FNMR (1:1) or FNIR (1:N): the fraction of mated scores ``< threshold``."""
    return float(np.mean(np.asarray(mated) < threshold)) if len(mated) else 0.0


def threshold_at(non_mated: np.ndarray, rate: float) -> float:
    """The lowest threshold whose false-positive rate over ``non_mated`` is at most ``rate``.

    That is just above the (floor(rate * n) + 1)-th highest non-mated score:
    with n = 4,069 and rate 1e-3, at most 4 non-mated scores reach it.
    """
    scores = np.sort(np.asarray(non_mated, np.float64))[::-1]
    allowed = int(np.floor(rate * len(scores) + 1e-9))  # 1e-9: 1e-3 * 3000 is 2.9999...
    if allowed >= len(scores):
        return float(MISSED)
    return float(np.nextafter(scores[allowed], np.inf))


def equal_error_rate(mated: np.ndarray, non_mated: np.ndarray) -> tuple[float, float]:
    """(EER, its threshold): where the false-positive and false-negative rates cross.

    Every observed score is tried as the threshold; at the one where the two
    rates are closest, the EER is their mean.
    """
    mated = np.asarray(mated, np.float64)
    non_mated = np.asarray(non_mated, np.float64)
    candidates = np.unique(np.concatenate([mated, non_mated]))
    candidates = candidates[np.isfinite(candidates)]
    # Rates at every candidate at once: counts of scores below each candidate.
    fnr = np.searchsorted(np.sort(mated), candidates, side="left") / len(mated)
    fpr = 1 - np.searchsorted(np.sort(non_mated), candidates, side="left") / len(non_mated)
    best = int(np.argmin(np.abs(fnr - fpr)))
    return float((fnr[best] + fpr[best]) / 2), float(candidates[best])
