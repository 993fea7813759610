"""The decision rules on hand-made templates: a watchlist of three orthogonal entries, and
shots whose scores against them are chosen."""

from __future__ import annotations

import numpy as np

from openlfr.gallery.index import Candidate, WatchlistIndex
from openlfr.live.decision import AnyOf, Fused, KOfN, decide
from openlfr.live.tracker import Shot, Track

WATCHLIST = WatchlistIndex(np.eye(3, 6, dtype=np.float32), ["A", "B", "C"])


def _shot(frame: int, a: float, b: float = 0.0) -> Shot:
    """A shot scoring ``a`` against A and ``b`` against B: a unit vector whose rest (what the
    shot does not share with the entries) points a way that depends on its frame."""
    template = np.zeros(6, np.float32)
    template[[0, 1, 3 + frame % 3]] = a, b, np.sqrt(1 - a * a - b * b)
    return Shot(frame, rank=1.0, chip=np.zeros((112, 112, 3), np.uint8), template=template)


def _track(*shots: Shot) -> Track:
    track = Track(1, np.zeros(4, np.float32), 0, 0)
    track.shots = list(shots)
    return track


def _scores(found: list[Candidate]) -> dict[str, float]:
    return {c.label: round(c.score, 4) for c in found}


def test_k_of_n_scores_an_entry_by_the_kth_best_of_its_last_n_shots() -> None:
    rule, track = KOfN(k=2, n=3), _track()
    assert rule.candidates(track, [_shot(0, 0.7)], WATCHLIST) == []  # one vote of two
    assert _scores(rule.candidates(track, [_shot(1, 0.5)], WATCHLIST)) == {"A": 0.5}
    # B's shot pushes nothing out yet (n = 3); A still has two votes, 0.7 and 0.5.
    assert _scores(rule.candidates(track, [_shot(2, 0.1, 0.9)], WATCHLIST)) == {"A": 0.5}
    # The 0.7 shot leaves the window: A has one vote left; B two, 0.9 and 0.2.
    assert _scores(rule.candidates(track, [_shot(3, 0.0, 0.2)], WATCHLIST)) == {"B": 0.2}
    rule.forget(track)
    assert rule.candidates(track, [_shot(4, 0.6)], WATCHLIST) == []


def test_fused_searches_the_mean_of_the_kept_shots() -> None:
    shots = [_shot(0, 0.6), _shot(1, 0.5)]
    [found] = Fused().candidates(_track(*shots), shots[1:], WATCHLIST)
    fused = shots[0].template + shots[1].template  # type: ignore[operator]
    assert found.label == "A" and np.isclose(found.score, fused[0] / np.linalg.norm(fused))
    assert found.score > 0.6  # two views of one face agree more with it than either alone


def test_any_of_takes_each_entrys_higher_value() -> None:
    shots = [_shot(0, 0.6), _shot(1, 0.2, 0.55)]
    found = AnyOf().candidates(_track(*shots), shots[1:], WATCHLIST)
    # Fused: A, about 0.61; any shot (the new one): B 0.55.
    assert set(_scores(found)) == {"A", "B"} and _scores(found)["B"] == 0.55


def test_a_track_alerts_once_per_subject_and_for_every_subject_that_reaches_the_threshold() -> None:
    track, alerted = _track(_shot(0, 0.7)), set[str]()
    found = AnyOf().candidates(track, [_shot(1, 0.1, 0.8)], WATCHLIST)
    assert [d.candidate.label for d in decide(track, found, 0.9, alerted)] == []
    assert sorted(d.candidate.label for d in decide(track, found, 0.5, alerted)) == ["A", "B"]
    assert decide(track, found, 0.5, alerted) == [] and alerted == {"A", "B"}  # done already
    other = _track(_shot(0, 0.7), _shot(1, 0.5))
    decided = decide(other, found, 0.5, set())
    assert decided and all(d.shot is other.shots[0] for d in decided)  # the best shot


def test_an_empty_watchlist_gives_no_candidate() -> None:
    empty = WatchlistIndex(np.zeros((0, 6), np.float32), [])
    shot = _shot(0, 0.7)
    assert AnyOf().candidates(_track(shot), [shot], empty) == []
