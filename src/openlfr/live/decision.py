"""Deciding on a track: does the person it follows match someone on the watchlist?

Two rules, compared by FNIR at fixed false-alert budgets on a clip made of
LFW people (``openlfr.evaluation.lfw_clip``, figures in docs/benchmarks.md):

- ``KOfN``: at least ``k`` of the track's last ``n`` embedded shots match the
  same watchlist entry at or above the threshold. The default, ``KOfN(1, 1)``
  (any shot a track keeps matches), missed the fewest passes with no false
  alert (3 in 200, against 10 for ``Fused`` and 5 for 2 of 3) and tied at a
  1% budget; voting (k > 1) did not remove the false alerts, which came from
  lookalikes who match on every shot.
- ``Fused``: the mean of the track's kept shots' templates (renormalised), as
  one probe, matches an entry at or above the threshold.

Either way a track alerts at most once per watchlist entry.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from openlfr.gallery.index import Candidate, WatchlistIndex
from openlfr.live.tracker import Shot, Track


@dataclass(frozen=True)
class Decision:
    """A track matched a watchlist entry: with what score, and the shot an alert carries."""

    track: Track
    candidate: Candidate
    shot: Shot


@dataclass
class KOfN:
    k: int = 1
    n: int = 1
    _recent: dict[int, deque[Candidate | None]] = field(default_factory=dict)

    def decide(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex, threshold: float
    ) -> Candidate | None:
        """After ``new`` shots of ``track`` were embedded: the entry ``k`` of its last ``n``
        shots match, if any."""
        if not new:
            return None
        recent = self._recent.setdefault(track.id, deque(maxlen=self.n))
        templates = [s.template for s in new if s.template is not None]
        recent.extend(watchlist.search(np.stack(templates), threshold))
        matched = [c for c in recent if c is not None]
        for c in matched:
            votes = [m for m in matched if m.entry == c.entry]
            if len(votes) >= self.k:
                return max(votes, key=lambda m: m.score)
        return None

    def forget(self, track: Track) -> None:
        self._recent.pop(track.id, None)


@dataclass
class Fused:
    def decide(
        self, track: Track, new: list[Shot], watchlist: WatchlistIndex, threshold: float
    ) -> Candidate | None:
        """After ``new`` shots of ``track`` were embedded: the entry its fused template
        matches, if any."""
        kept = [s.template for s in track.shots if s.template is not None]
        if not new or not kept:
            return None
        fused = np.mean(kept, axis=0)
        fused /= max(float(np.linalg.norm(fused)), 1e-9)
        [found] = watchlist.search(fused[None, :], threshold)
        return found

    def forget(self, track: Track) -> None:
        """Nothing is kept per track beyond the track itself."""


Rule = KOfN | Fused


def decide_once(
    rule: Rule,
    track: Track,
    new: list[Shot],
    watchlist: WatchlistIndex,
    threshold: float,
    alerted: set[tuple[int, int]],
) -> Decision | None:
    """``rule``'s decision on ``track`` unless it already alerted for that entry (``alerted``
    holds (track id, entry) pairs and is updated)."""
    found = rule.decide(track, new, watchlist, threshold)
    if found is None or (track.id, found.entry) in alerted:
        return None
    alerted.add((track.id, found.entry))
    return Decision(track, found, track.shots[0])
