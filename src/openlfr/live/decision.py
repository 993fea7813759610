"""Deciding on a track: does the person it follows match someone on the watchlist?

Each rule gives, after a track's new shots are embedded, its candidates: the
subjects it would alert for (the watchlist's labels: a subject with several
reference images has several entries), each with its decision value (the
rule alerts for the subject at any threshold up to that value) and the entry
that gave it. ``decide`` turns them into alerts at the deployment's
threshold, once per track and subject. Compared by
FNIR at fixed false-alert budgets on a clip made of LFW people
(``openlfr.evaluation.lfw_clip``, figures in docs/benchmarks.md):

- ``KOfN``: at least ``k`` of the track's last ``n`` embedded shots have the
  subject as their best match; the value is the k-th best of those shots'
  scores. ``KOfN(1, 1)``: any shot the track embeds.
- ``Fused``: the mean of the track's kept shots' templates (renormalised), as
  one probe; the value is its best match's score.
- ``AnyOf``: whichever of its rules gives a subject the higher value. The
  camera's default, ``AnyOf((Fused(), KOfN()))`` (fused or any shot), missed
  10 of 200 watchlisted passes at the default threshold against 15 for any
  shot alone and for frame-by-frame matching, none raising a false alert.

A track whose candidates come within ``NEAR`` of the threshold is near a
match: from then on it keeps and embeds nearly every shot (``tracker.WIDE``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from openlfr.gallery.index import Candidate, WatchlistIndex
from openlfr.live.tracker import Shot, Track

# How far below the threshold a decision value makes its track near a match. On the LFW clip
# (1,582 entries, default threshold 0.6018) the highest false-alert values are 0.52-0.53, so
# few tracks of people not enrolled widen: 17-18 embeddings a pass against 37-38 for the
# watchlisted (docs/benchmarks.md, "Fused or any shot").
NEAR = 0.10


@dataclass(frozen=True)
class Decision:
    """A track matched a watchlist subject (through one of its entries): with what score, and
    the shot an alert carries."""

    track: Track
    candidate: Candidate
    shot: Shot


class Rule(Protocol):
    def candidates(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex
    ) -> list[Candidate]:
        """After ``new`` shots of ``track`` were embedded: the subjects it may alert for, one
        candidate each, scored with its decision value."""
        ...

    def forget(self, track: Track) -> None:
        """``track`` ended: drop what is kept about it."""
        ...


def _best_matches(templates: np.ndarray, watchlist: WatchlistIndex) -> list[Candidate]:
    """Each template's best entry, at any score (none from an empty watchlist)."""
    return [c for c in watchlist.search(templates, -np.inf) if c is not None]


@dataclass
class KOfN:
    k: int = 1
    n: int = 1
    _recent: dict[int, deque[Candidate]] = field(default_factory=dict)

    def candidates(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex
    ) -> list[Candidate]:
        recent = self._recent.setdefault(track.id, deque(maxlen=self.n))
        templates = [s.template for s in new if s.template is not None]
        recent.extend(_best_matches(np.stack(templates), watchlist))
        votes: dict[str, list[Candidate]] = {}
        for c in recent:
            votes.setdefault(c.label, []).append(c)
        return [sorted(v, key=lambda c: -c.score)[self.k - 1]
                for v in votes.values() if len(v) >= self.k]  # fmt: skip

    def forget(self, track: Track) -> None:
        self._recent.pop(track.id, None)


@dataclass
class Fused:
    def candidates(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex
    ) -> list[Candidate]:
        fused = np.mean([s.template for s in track.shots if s.template is not None], axis=0)
        fused /= max(float(np.linalg.norm(fused)), 1e-9)
        return _best_matches(fused[None, :], watchlist)

    def forget(self, track: Track) -> None:
        """Nothing is kept per track beyond the track itself."""


@dataclass
class AnyOf:
    rules: Sequence[Rule] = field(default_factory=lambda: (Fused(), KOfN()))

    def candidates(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex
    ) -> list[Candidate]:
        best: dict[str, Candidate] = {}
        for rule in self.rules:
            for c in rule.candidates(track, new, watchlist):
                if c.label not in best or c.score > best[c.label].score:
                    best[c.label] = c
        return list(best.values())

    def forget(self, track: Track) -> None:
        for rule in self.rules:
            rule.forget(track)


def note_near(track: Track, found: list[Candidate], threshold: float) -> None:
    """Mark ``track`` near a match once any of its candidates ``found`` comes within ``NEAR``
    of ``threshold``: from then on it keeps and embeds more shots."""
    track.near = track.near or any(c.score >= threshold - NEAR for c in found)


def decide(
    track: Track, found: list[Candidate], threshold: float, alerted: set[str]
) -> list[Decision]:
    """The alerts ``found`` candidates of ``track`` make at ``threshold``: those at or above it
    for subjects the track did not already alert for (``alerted``, the track's, is updated).
    Each carries the track's best shot. A candidate within ``NEAR`` of the threshold marks the
    track near a match."""
    note_near(track, found, threshold)
    due = [c for c in found if c.score >= threshold and c.label not in alerted]
    alerted.update(c.label for c in due)
    return [Decision(track, c, track.shots[0]) for c in due]
