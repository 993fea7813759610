"""Exact cosine search of probes against a watchlist's templates.

Templates are unit vectors, so cosine similarity is one matrix product; at
watchlist sizes (thousands) that is faster than any approximate index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openlfr.gallery.normalise import Normaliser, RawScore


@dataclass(frozen=True)
class Candidate:
    """A watchlist entry returned for a probe: its position, label and scores."""

    entry: int
    label: str
    score: float  # after normalisation: the value compared with the threshold
    similarity: float  # raw cosine similarity


class WatchlistIndex:
    """Templates of watchlist entries, searched exhaustively."""

    def __init__(
        self,
        templates: np.ndarray,
        labels: Sequence[str],
        normaliser: Normaliser | None = None,
    ) -> None:
        if len(templates) != len(labels):
            raise ValueError(f"{len(templates)} templates but {len(labels)} labels")
        self.templates = np.ascontiguousarray(templates, dtype=np.float32)
        self.labels = list(labels)
        self.normaliser = normaliser or RawScore()

    def __len__(self) -> int:
        return len(self.labels)

    def similarities(self, probes: np.ndarray) -> np.ndarray:
        """(N, D) probe templates -> (N, M) cosine similarities to every entry."""
        return np.asarray(probes, np.float32) @ self.templates.T

    def top1(self, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Best entry per probe: (entry indices, normalised scores, raw similarities)."""
        sims = self.similarities(probes)
        if sims.shape[1] == 0:
            empty = np.full(len(sims), -np.inf, np.float32)
            return np.full(len(sims), -1), empty, empty
        best = sims.argmax(axis=1)
        raw = sims[np.arange(len(sims)), best]
        return best, self.normaliser.normalise(probes, sims, raw), raw

    def search(self, probes: np.ndarray, threshold: float) -> list[Candidate | None]:
        """Per probe, the best entry if its normalised score reaches ``threshold``, else None
        (always None from an empty watchlist)."""
        best, scores, raw = self.top1(probes)
        return [
            Candidate(int(e), self.labels[e], float(s), float(r))
            if e >= 0 and s >= threshold
            else None
            for e, s, r in zip(best, scores, raw, strict=True)
        ]
