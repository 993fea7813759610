"""Score normalisation for open-set search.

A raw top-1 similarity means different things for different probes: a blurred
face is close to everyone. Subtracting what the probe scores against people it
is not (the other watchlist entries, or a cohort of faces the operator
supplies, never faces from the live crowd) makes one threshold fit all probes.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Normaliser(Protocol):
    name: str

    def normalise(self, probes: np.ndarray, sims: np.ndarray, top1: np.ndarray) -> np.ndarray:
        """Normalised scores (N,) from probe templates, their similarities (N, M) and top-1."""
        ...


class RawScore:
    name = "raw"

    def normalise(self, probes: np.ndarray, sims: np.ndarray, top1: np.ndarray) -> np.ndarray:
        return top1


class TopKNormaliser:
    """Top-1 minus the mean of the next ``k`` watchlist similarities."""

    name = "topk"

    def __init__(self, k: int = 5) -> None:
        self.k = k

    def normalise(self, probes: np.ndarray, sims: np.ndarray, top1: np.ndarray) -> np.ndarray:
        k = min(self.k, sims.shape[1] - 1)
        if k < 1:
            return top1
        # The k+1 largest per row; drop the largest (the top-1 itself).
        largest = -np.partition(-sims, k, axis=1)[:, : k + 1]
        rest = largest.sum(axis=1) - largest.max(axis=1)
        return top1 - rest / k


class CohortNormaliser:
    """Top-1 minus the mean of the probe's ``k`` highest similarities in a fixed cohort."""

    name = "cohort"

    def __init__(self, cohort: np.ndarray, k: int = 20) -> None:
        if len(cohort) < k:
            raise ValueError(f"a cohort of {len(cohort)} templates is smaller than k={k}")
        self.cohort = np.ascontiguousarray(cohort, dtype=np.float32)
        self.k = k

    def normalise(self, probes: np.ndarray, sims: np.ndarray, top1: np.ndarray) -> np.ndarray:
        cohort_sims = np.asarray(probes, np.float32) @ self.cohort.T
        nearest = -np.partition(-cohort_sims, self.k - 1, axis=1)[:, : self.k]
        return top1 - nearest.mean(axis=1)
