"""A clip made from LFW, and the live decision rules measured on it against ground truth.

The clip: seeded, 1280x720 BGR frames on a textured background (no faces in
it). Each pass is one LFW person crossing the frame in one of three lanes,
growing or shrinking (face 60 to 200 px wide) as if walking towards or away
from the camera, shown through their LFW images in turn (a new image every 4
to 8 frames, as a head turns); up to three passes at once, overlapping in time.
Half the passes are of watchlisted people: their first LFW image is enrolled
and never shown. The others are of people not enrolled. The ground truth is
each pass's person and face box in every frame. Frames are made in memory as
they are read: neither they nor the LFW images are written anywhere.

The rules: the live pipeline's per-frame steps (``CameraWatch.process``: cut
check, detection, tracking, quality, embedding of the shots a track keeps, the
decision) run once, and every rule decides on the same tracks and shots; so
does frame-by-frame matching, every face of acceptable quality embedded and
searched with no tracking. For each rule and unit (a track; a face for frame by
frame) the run records the rule's candidates after every step, each entry with
its decision value (the highest threshold at which the rule alerts for that
entry then; the live camera decides on the same candidates), so a threshold
can be swept afterwards. An alert counts on the pass its unit was following in
the frame it was raised in (``PassAlerts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from openlfr.evaluation.lfw import Lfw, LfwImage
from openlfr.evaluation.templates import compute_templates
from openlfr.gallery.index import WatchlistIndex
from openlfr.live.decision import AnyOf, Fused, KOfN, Rule, note_near
from openlfr.live.motion import CutDetector
from openlfr.live.tracker import KEEP, Shot, Track, Tracker, choose_shots, iou
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.types import Quality

FRAME = (1280, 720)  # width, height
CROP = 160  # the LFW images here are the 160x160 centre crops of the 250x250 originals
# Median CenterFace box (x1, y1, x2, y2) in 200 random LFW crops: the face box of a pass is
# this box placed and scaled, so a face "60 px wide" is what the detector calls 60 px.
FACE_BOX = (30.0, 17.0, 126.0, 143.0)
LANES = (150, 360, 570)  # centre heights of the three lanes
FACE_PX = (60.0, 200.0)
PASS_FRAMES = (30, 60)
SWITCH_FRAMES = (4, 8)  # frames each image is shown for
# Frames between two passes in a lane: more than the tracker's max_gap (15), so a person
# entering where another has just left is not taken for them.
LANE_GAP = (16, 30)
MIN_IMAGES = 5  # one enrolled (or kept back) and at least four shown
# People the LFW errata name (labels/duplicate_identities.csv and the image-level errata in
# the LFW README): never shown, so a match of their other name cannot be a wrong alert.
ERRATA_PEOPLE = (
    "Recep_Tayyip_Erdogan", "Abdullah_Gul", "Anja_Paerson", "Janica_Kostelic", "Bart_Hendricks",
    "Ricky_Ray", "Carlos_Beltran", "Raul_Ibanez", "Emmy_Rossum", "Eva_Amurri",
    "Michael_Schumacher", "Rubens_Barrichello", "Mahmoud_Abbas", "Jim_OBrien",
    "Elisabeth_Schumacher", "Nora_Bendijo", "Flor_Montulo", "Martha_Bowen", "Debra_Messing",
    "Tamara_Mowry", "Tia_Mowry",
)  # fmt: skip
MIN_IOU = 0.3  # a detection overlapping a pass's face box this much is of that pass
FRAME_BY_FRAME = "frame by frame"
RULES: dict[str, Callable[[], Rule]] = {
    "fused": Fused,
    "fused or any shot": AnyOf,
    "1 of 1": lambda: KOfN(k=1, n=1),
    "2 of 3": lambda: KOfN(k=2, n=3),
    "3 of 5": lambda: KOfN(k=3, n=5),
}


@dataclass(frozen=True, eq=False)
class Pass:
    """One person crossing the frame: from frame ``start``, per frame the face box (x1, y1,
    x2, y2) and the LFW image shown."""

    person: str
    watchlisted: bool
    start: int
    boxes: np.ndarray  # (frames, 4)
    shown: tuple[LfwImage, ...]

    @property
    def end(self) -> int:
        """The last frame the pass is in."""
        return self.start + len(self.boxes) - 1


@dataclass(frozen=True, eq=False)
class Clip:
    """The plan of a clip: its passes, length, the seed of its background, and the enrolment
    image of each watchlisted person."""

    passes: tuple[Pass, ...]
    frames: int
    seed: int
    enrolled: dict[str, LfwImage]

    def truth(self, frame: int) -> list[tuple[int, np.ndarray]]:
        """The passes in ``frame``: (pass index, face box)."""
        return [(i, p.boxes[frame - p.start]) for i, p in enumerate(self.passes)
                if p.start <= frame <= p.end]  # fmt: skip


def plan_clip(lfw: Lfw, passes: int, seed: int) -> Clip:
    """A clip of ``passes`` passes, one person each (every other one watchlisted), drawn
    with ``seed`` from the LFW people with ``MIN_IMAGES`` images or more."""
    rng = np.random.default_rng(seed)
    barred = set(ERRATA_PEOPLE) | {name for pair in lfw.duplicate_identities for name in pair}
    people = [p for p, n in lfw.people.items() if n >= MIN_IMAGES and p not in barred]
    if passes > len(people):
        raise ValueError(f"{passes} passes but only {len(people)} people to show")
    free = [int(rng.integers(0, 30)) for _ in LANES]  # the frame each lane is free from
    planned = []
    for i, k in enumerate(rng.choice(len(people), passes, replace=False)):
        person = people[int(k)]
        lane = int(np.argmin(free))
        length = int(rng.integers(PASS_FRAMES[0], PASS_FRAMES[1] + 1))
        boxes = _path(rng, LANES[lane], length)
        shown = _shown(rng, lfw.images(person)[1:], length)
        planned.append(Pass(person, i % 2 == 0, free[lane], boxes, shown))
        free[lane] += length + int(rng.integers(*LANE_GAP, endpoint=True))
    enrolled = {p.person: lfw.images(p.person)[0] for p in planned if p.watchlisted}
    return Clip(tuple(planned), max(p.end for p in planned) + 1, seed, enrolled)


def _path(rng: np.random.Generator, lane: int, length: int) -> np.ndarray:
    """Face boxes of a walk across the frame in ``lane``: entering at one side, leaving at the
    other, the face's width going from one size to another, swaying a little up and down."""
    t = np.linspace(0.0, 1.0, length)
    first, last = rng.uniform(*FACE_PX, size=2)
    width = first + (last - first) * t
    height = width * (FACE_BOX[3] - FACE_BOX[1]) / (FACE_BOX[2] - FACE_BOX[0])
    left, right = first / 2 + 1, FRAME[0] - last / 2 - 1
    cx = left + (right - left) * t
    if rng.random() < 0.5:  # right to left
        cx = FRAME[0] - cx
    sway = rng.uniform(5, 15) * np.sin(2 * np.pi * (rng.uniform(1, 3) * t + rng.random()))
    cy = np.clip(lane + sway, height / 2 + 1, FRAME[1] - height / 2 - 1)
    return np.stack([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2], axis=1)


def _shown(rng: np.random.Generator, images: list[LfwImage], length: int) -> tuple[LfwImage, ...]:
    """The image in each of ``length`` frames: ``images`` in a random order, again and again,
    each for 4 to 8 frames."""
    order = [images[int(i)] for i in rng.permutation(len(images))]
    shown: list[LfwImage] = []
    while len(shown) < length:
        shown += [order[len(shown) % len(order)]] * int(rng.integers(*SWITCH_FRAMES, endpoint=True))
    return tuple(shown[:length])


def render(clip: Clip, lfw: Lfw) -> Iterator[tuple[int, np.ndarray]]:
    """The clip's frames, numbered, made one at a time; nearer (larger) faces over further
    ones."""
    background = _background(clip.seed)
    mask = _head_mask()
    photos: dict[LfwImage, np.ndarray] = {}
    for number in range(clip.frames):
        frame = background.copy()
        here = [(p, p.boxes[number - p.start], p.shown[number - p.start])
                for p in clip.passes if p.start <= number <= p.end]  # fmt: skip
        for _, box, image in sorted(here, key=lambda h: h[1][2] - h[1][0]):
            if image not in photos:
                photos[image] = read_image(lfw.path(image), 10**7, 10**7)
            _paste(frame, photos[image], mask, box)
        for p, _, _ in here:
            if p.end == number:
                for image in set(p.shown):
                    photos.pop(image, None)
        yield number, frame


def _background(seed: int) -> np.ndarray:
    """A 1280x720 texture of muted blotches and grain: somewhere to look for faces that has
    none."""
    rng = np.random.default_rng([seed, 1])
    light = rng.uniform(50, 190, (9, 16, 1)) + rng.uniform(-25, 25, (9, 16, 3))
    coarse = cv2.resize(light, FRAME, interpolation=cv2.INTER_CUBIC)
    grain = cv2.resize(rng.normal(0, 10, (180, 320, 3)), FRAME, interpolation=cv2.INTER_LINEAR)
    return np.clip(coarse + grain, 0, 255).astype(np.uint8)


def _head_mask() -> np.ndarray:
    """Weights (CROP x CROP, 0 to 1) of an LFW crop pasted into a frame: an ellipse around the
    face and hair with a soft edge."""
    mask = np.zeros((CROP, CROP), np.float32)
    cv2.ellipse(mask, (78, 76), (56, 78), 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), 5)


def _paste(frame: np.ndarray, photo: np.ndarray, mask: np.ndarray, box: np.ndarray) -> None:
    """Blend ``photo`` (an LFW crop) into ``frame`` so its face lands on ``box``."""
    scale = float(box[2] - box[0]) / (FACE_BOX[2] - FACE_BOX[0])
    size = round(CROP * scale)
    how = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    head = cv2.resize(photo, (size, size), interpolation=how).astype(np.float32)
    weight = cv2.resize(mask, (size, size), interpolation=how)[:, :, None]
    x, y = round(float(box[0]) - FACE_BOX[0] * scale), round(float(box[1]) - FACE_BOX[1] * scale)
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + size, frame.shape[1]), min(y + size, frame.shape[0])
    part = np.s_[y0 - y : y1 - y, x0 - x : x1 - x]
    under = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = (head[part] * weight[part] + under * (1 - weight[part])).astype(np.uint8)


def lfw_watchlist(
    engine: Engine,
    lfw: Lfw,
    clip: Clip,
    distractors: int | None,
    cache: Path | None,
    extra: Mapping[str, Path] | None = None,
) -> tuple[WatchlistIndex, list[str]]:
    """The watchlist of ``clip``: each watchlisted person's enrolment image, then as other
    entries the first image of the LFW people with two or more images not in the clip (the
    LFW open-set gallery; only the first ``distractors`` of them if given) and ``extra``
    (label -> image file). Templates as ``compute_templates`` makes them (``cache``: its
    cache file, or None). Returns the index (labels: names) and the labels that failed to
    enrol (no face found)."""
    shown = {p.person for p in clip.passes}
    others = [p for p, n in lfw.people.items() if n >= 2 and p not in shown][:distractors]
    files = {person: lfw.path(image) for person, image in clip.enrolled.items()}
    files |= {person: lfw.path(lfw.images(person)[0]) for person in others}
    files |= dict(extra or {})
    templates = compute_templates(engine, list(files.values()), cache, "watchlist")
    made = {label: t for label, t in zip(files, templates, strict=True) if t is not None}
    index = WatchlistIndex(np.stack(list(made.values())), list(made))
    return index, [label for label in files if label not in made]


@dataclass
class RuleRun:
    """One rule over a clip. ``seen``: each unit's (frame, box) detections (a unit is a track;
    for frame by frame, one face). ``values``: (unit, frame, entry, value) of each candidate
    the rule gave, so that it alerts for the entry then at any threshold up to the value."""

    seen: dict[int, list[tuple[int, np.ndarray]]]
    values: list[tuple[int, int, int, float]] = field(default_factory=list)

    def first_alerts(self, threshold: float) -> dict[tuple[int, int], int]:
        """(unit, entry) -> the frame the rule alerts at ``threshold`` (once a unit and entry,
        as ``decide``)."""
        first: dict[tuple[int, int], int] = {}
        for unit, frame, entry, value in self.values:
            if value >= threshold:
                first.setdefault((unit, entry), frame)
        return first


@dataclass
class Runs:
    """Every rule over one clip; what was seen and what was embedded (``embedded``: per track,
    the shots it kept)."""

    rules: dict[str, RuleRun]
    frames: int = 0
    faces: int = 0
    embedded: Counter[int] = field(default_factory=Counter)

    @property
    def tracks(self) -> int:
        return len(self.rules["fused"].seen)

    @property
    def searched(self) -> int:
        """Faces of acceptable quality: each one embedded and searched frame by frame."""
        return len(self.rules[FRAME_BY_FRAME].seen)


def run_rules(
    engine: Engine,
    frames: Iterable[tuple[int, np.ndarray]],
    watchlist: WatchlistIndex,
    threshold: float,
    keep: int = KEEP,
    tracker: Tracker | None = None,
) -> Runs:
    """Every rule of ``RULES``, and frame by frame, over numbered BGR ``frames`` searching
    ``watchlist``: per frame the steps of ``CameraWatch.process`` (without the store and the
    motion gate; with ``tracker``, the live tracker by default, to compare another), each
    rule's candidates recorded, to be swept over thresholds. A track is near a match (and so
    embeds more shots) once any rule's candidate comes within ``NEAR`` of ``threshold``."""
    rules = {name: make() for name, make in RULES.items()}
    tracks: dict[int, list[tuple[int, np.ndarray]]] = {}
    runs = Runs({name: RuleRun(tracks) for name in rules})
    runs.rules[FRAME_BY_FRAME] = faces = RuleRun({})
    tracker, cuts = tracker or Tracker(keep=keep), CutDetector()

    def end(ended: list[Track]) -> None:
        for track in ended:
            for rule in rules.values():
                rule.forget(track)

    for number, image in frames:
        runs.frames += 1
        if cuts.cut(image):
            end(tracker.finish())
        [found] = engine.detect([image])
        owners, ended = tracker.update(number, found.boxes)
        end(ended)
        [inspected] = engine.inspect([image], [found])
        qualities, chips = [q for _, q in inspected], [c for c, _ in inspected]
        for track, box in zip(owners, found.boxes, strict=True):
            tracks.setdefault(track.id, []).append((number, box))
        runs.faces += len(inspected)
        _frame_by_frame(engine, faces, watchlist, number, found.boxes, inspected)
        chosen = choose_shots(owners, qualities, chips, number, keep)
        if not chosen:
            continue
        templates = engine.embed([shot.chip for _, shot in chosen])
        new: dict[int, tuple[Track, list[Shot]]] = {}
        for (track, shot), template in zip(chosen, templates, strict=True):
            shot.template = template
            new.setdefault(track.id, (track, []))[1].append(shot)
        runs.embedded.update(track.id for track, _ in chosen)
        for name, rule in rules.items():
            for track, shots in new.values():
                given = rule.candidates(track, shots, watchlist)
                runs.rules[name].values += [(track.id, number, c.entry, c.score) for c in given]
                note_near(track, given, threshold)
    end(tracker.finish())
    return runs


def _frame_by_frame(
    engine: Engine,
    run: RuleRun,
    watchlist: WatchlistIndex,
    number: int,
    boxes: np.ndarray,
    inspected: list[tuple[np.ndarray, Quality]],
) -> None:
    """Frame by frame, no tracking: every face of acceptable quality in frame ``number`` is a
    probe of its own, embedded and searched; its top-1 entry alerts at or above its score."""
    good = [i for i, (_, q) in enumerate(inspected) if q.acceptable]
    if not good:
        return
    entries, scores, _ = watchlist.top1(engine.embed([inspected[i][0] for i in good]))
    for i, entry, score in zip(good, entries, scores, strict=True):
        unit = len(run.seen)
        run.seen[unit] = [(number, boxes[i])]
        run.values.append((unit, number, int(entry), float(score)))


@dataclass(frozen=True)
class Outcome:
    """A rule on a clip at one threshold: misses of the watchlisted passes (FNIR), false
    alerts (``PassAlerts.wrong``), and every alert raised (a unit and entry each)."""

    threshold: float
    mated: int
    misses: int
    false_alerts: int
    raised: int

    @property
    def fnir(self) -> float:
        return self.misses / max(self.mated, 1)


@dataclass(frozen=True)
class Span:
    """At thresholds in (``lo``, ``hi``] a unit's first alert for an entry is raised in one
    frame; ``key`` is the pass in view there (or ``-1 - unit`` where none is) and the entry's
    label."""

    lo: float
    hi: float
    key: tuple[int, str]


class PassAlerts:
    """A rule's alerts on a clip at any threshold, each put on the pass its unit was following
    in the frame it was raised in (a track that went from one person to another alerts on
    whoever it followed then). A pass and entry count once however many units alerted."""

    def __init__(self, clip: Clip, run: RuleRun, labels: list[str]) -> None:
        self.clip, self.run = clip, run
        boxes = {(unit, frame): box for unit, seen in run.seen.items() for frame, box in seen}
        best: dict[tuple[int, int], float] = {}
        self.spans: list[Span] = []
        for unit, frame, entry, value in run.values:
            last = best.get((unit, entry), -np.inf)
            if value > last:
                best[unit, entry] = value
                where = pass_of(clip, frame, boxes[unit, frame])
                key = (-1 - unit if where is None else where, labels[entry])
                self.spans.append(Span(last, value, key))

    def wrong(self, key: tuple[int, str]) -> bool:
        """Whether an alert of ``key`` is false: off every pass, on a pass of someone not
        enrolled, or for another entry than the pass's person."""
        where, label = key
        return where < 0 or not (
            self.clip.passes[where].watchlisted and self.clip.passes[where].person == label
        )

    def alerted(self, threshold: float) -> set[tuple[int, str]]:
        """The (pass, label) alerts at ``threshold``."""
        return {s.key for s in self.spans if s.lo < threshold <= s.hi}

    def outcome(self, threshold: float) -> Outcome:
        keys = self.alerted(threshold)
        mated = [(i, p.person) for i, p in enumerate(self.clip.passes) if p.watchlisted]
        misses = sum(key not in keys for key in mated)
        false = sum(self.wrong(key) for key in keys)
        return Outcome(threshold, len(mated), misses, false, len(self.run.first_alerts(threshold)))

    def highest_false(self) -> list[tuple[float, str, str]]:
        """Per false alert the rule could raise, the highest threshold it is raised at, with
        the pass's person (or "no pass") and the entry's label; highest first."""
        top: dict[tuple[int, str], float] = {}
        for s in self.spans:
            if self.wrong(s.key):
                top[s.key] = max(top.get(s.key, -np.inf), s.hi)
        return sorted(((v, self.clip.passes[w].person if w >= 0 else "no pass", label)
                       for (w, label), v in top.items()), reverse=True)  # fmt: skip

    def threshold_for(self, budget: int) -> float:
        """The lowest threshold at and above which there are at most ``budget`` false alerts
        (-inf: never more). Thresholds are swept down through the values where a false alert
        starts, counting the (pass, label) alerts that are false."""
        wrong = [s for s in self.spans if self.wrong(s.key)]
        starting = sorted(wrong, key=lambda s: -s.hi)
        ending = sorted(wrong, key=lambda s: -s.lo)
        active: Counter[tuple[int, str]] = Counter()
        i = j = false = 0
        for t in sorted({s.hi for s in wrong}, reverse=True):
            while i < len(starting) and starting[i].hi >= t:
                active[starting[i].key] += 1
                false += active[starting[i].key] == 1
                i += 1
            while j < len(ending) and ending[j].lo >= t:
                active[ending[j].key] -= 1
                false -= active[ending[j].key] == 0
                j += 1
            if false > budget:
                return float(np.nextafter(t, np.inf))
        return -np.inf


def pass_of(clip: Clip, frame: int, box: np.ndarray) -> int | None:
    """The pass of ``clip`` a detection (``box`` in ``frame``) is of: the one whose face box it
    overlaps most, by IoU ``MIN_IOU`` or more; else None."""
    truth = clip.truth(frame)
    if not truth:
        return None
    overlaps = iou(box[None, :].astype(np.float32),
                   np.stack([b for _, b in truth]).astype(np.float32))[0]  # fmt: skip
    best = int(np.argmax(overlaps))
    return truth[best][0] if overlaps[best] >= MIN_IOU else None


def overlapped(clip: Clip, seen: list[tuple[int, np.ndarray]]) -> Counter[int]:
    """How many of a unit's detections (frame, box) are of each pass of ``clip``."""
    return Counter(p for frame, box in seen if (p := pass_of(clip, frame, box)) is not None)
