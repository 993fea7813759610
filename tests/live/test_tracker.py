"""Tracks: unit cases with made-up boxes, then the stage clip through the real engine."""

from __future__ import annotations

import numpy as np

from openlfr.live.motion import CutDetector
from openlfr.live.tracker import Shot, Track, Tracker, choose_shots, iou
from openlfr.vision.engine import Engine


def boxes(*rows: tuple[float, float, float, float]) -> np.ndarray:
    return np.array(rows, np.float32).reshape(-1, 4)


def test_iou_of_boxes() -> None:
    a = boxes((0, 0, 10, 10))
    overlaps = iou(a, boxes((0, 0, 10, 10), (5, 0, 15, 10), (20, 20, 30, 30)))
    assert np.allclose(overlaps, [[1.0, 1 / 3, 0.0]])


def test_a_moving_face_keeps_its_track_and_a_new_one_starts_another() -> None:
    tracker = Tracker(max_gap=2)
    [first], _ = tracker.update(0, boxes((0, 0, 20, 20)))
    for frame in range(1, 6):  # 6 px a frame: the prediction keeps up with the motion
        [same], _ = tracker.update(frame, boxes((6 * frame, 0, 6 * frame + 20, 20)))
        assert same is first
    [same, other], _ = tracker.update(6, boxes((36, 0, 56, 20), (200, 200, 220, 220)))
    assert same is first and other is not first and first.seen == 7
    # Unseen for more than max_gap frames, a track ends.
    owners, ended = tracker.update(9, boxes((200, 200, 220, 220)))
    assert owners == [other] and ended == [first]
    assert tracker.finish() == [other]


def test_a_face_leaving_by_the_edge_is_not_carried_on_inside_out() -> None:
    """Leaving by the left edge, a face's box is clipped: its left side stops at 0 while its
    right side moves on, which looks like shrinking. The prediction moves the box, keeps its
    size and stops carrying it on after a while, so it cannot land on a face entering at the
    same edge lower down (as a track once jumped between two LFW people in a test clip)."""
    tracker = Tracker()
    for frame, x in enumerate((80, 60, 40, 20, 0)):
        [leaving], _ = tracker.update(frame, boxes((x, 300, x + 80, 380)))
    for frame, right in ((5, 60), (6, 40)):  # clipped by the edge
        [leaving], _ = tracker.update(frame, boxes((0, 300, right, 380)))
    ahead = leaving.predicted(20)
    assert ahead[2] - ahead[0] == 40 and ahead[3] - ahead[1] == 80  # its last size
    assert np.allclose(ahead, leaving.predicted(60))  # carried on no further than AHEAD frames
    [entering], _ = tracker.update(12, boxes((0, 420, 60, 500)))
    assert entering is not leaving


def test_a_track_keeps_only_its_best_shots() -> None:
    track = Track(1, np.zeros(4, np.float32), 0, 0)
    chip = np.zeros((112, 112, 3), np.uint8)
    offered = [track.offer(Shot(f, rank, chip), keep=2) for f, rank in enumerate([5, 3, 1, 9, 4])]
    assert offered == [True, True, False, True, False]
    assert [s.rank for s in track.shots] == [9, 5]


def test_the_stage_clip_gives_lin_one_track_and_costs_few_embeddings(
    engine: Engine, hamilton_frames: list[np.ndarray]
) -> None:
    """The clip (see shared/data/video/hamilton) cuts at frames 20, 82 and 211; Lin-Manuel
    Miranda is near-frontal in 82-210, the audience in 211-274."""
    tracker, cuts, ended = Tracker(), CutDetector(), []
    faces = embedded = 0
    cut_at = []
    for number, frame in enumerate(hamilton_frames):
        if cuts.cut(frame):
            cut_at.append(number)
            ended += tracker.finish()
        [found] = engine.detect([frame])
        owners, done = tracker.update(number, found.boxes)
        ended += done
        [inspected] = engine.inspect([frame], [found])
        faces += len(inspected)
        chosen = choose_shots(owners, [q for _, q in inspected], [c for c, _ in inspected],
                              number, tracker.keep)  # fmt: skip
        embedded += len(chosen)
        assert all(shot in track.shots for track, shot in chosen)
    ended += tracker.finish()
    assert cut_at == [20, 82, 211]
    # No track crosses a cut; the longest is Lin's, through the whole of his shot.
    assert all(not t.first_frame < c <= t.last_frame for t in ended for c in cut_at)
    lin = max(ended, key=lambda t: t.seen)
    assert (lin.first_frame, lin.last_frame) == (82, 210) and lin.seen > 100
    assert len(lin.shots) == tracker.keep and lin.below_gate == 0
    # A few embeddings a track, not one a face a frame; faces below the gate are counted.
    assert embedded <= tracker.keep * len(ended) and embedded * 10 < faces
    assert sum(t.below_gate for t in ended) > 0
