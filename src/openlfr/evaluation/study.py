"""The identification and equitability study, NPL-style: watchlisted people (LFW, or a
force's own, ``openlfr.evaluation.people``) and strangers (UTKFace's layout).

One call runs the protocol of ``openlfr.evaluation.strangers`` at one
watchlist size and returns every figure the reports show: FNIR and FPIR
against threshold (FPIR both ways), FNIR at FPIR 1e-2, 1e-3 and 1e-4 where
the strangers support it, rank-1, false alerts per million faces scanned,
and FPIR and FNIR by group with intervals, tests and the lowest threshold
from which no group differs (``openlfr.evaluation.equitability``).

Groups: strangers by their labels' sex and race (UTKFace's: perceived); mated
probes by the people's recorded sex and race (LFW's: perceived sex per image,
race per identity for 866 people only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openlfr.errors import LfrError
from openlfr.evaluation.equitability import (
    GRID,
    GroupComparison,
    Verdict,
    equitable_from,
    fnir_by_group,
    fpir_by_group,
    verdicts,
)
from openlfr.evaluation.metrics import MISSED
from openlfr.evaluation.people import People, PersonImage
from openlfr.evaluation.strangers import (
    CurvePoint,
    OperatingPoint,
    Pool,
    Templates,
    curve,
    operating_point,
    operating_points,
    search,
    watchlists,
)
from openlfr.evaluation.templates import OnProgress, compute_templates, pipeline_label, stack
from openlfr.evaluation.utkface import UtkImage, calibration_names, read_utkface
from openlfr.gallery.evidence import SCANNED
from openlfr.vision.engine import Engine

CURVE = tuple(round(0.20 + 0.01 * i, 2) for i in range(71))  # thresholds 0.20 to 0.90
# The referee calls two faces one person at its 1:1 FMR of 1e-6 on LFW: against 10,000
# entries it wrongly sets aside about 1 stranger in 100 at most, and the set-aside are counted.
REFEREE_FMR = 1e-6
BINS = np.linspace(0.0, 1.0, 51)  # score histograms: 50 bins over [0, 1]


@dataclass(frozen=True)
class Referee:
    """The second embedder that finds strangers who are watchlisted people, and how sure."""

    embedder: str
    threshold: float
    basis: str


@dataclass(frozen=True)
class Recommendation:
    """The lowest threshold whose FPIR (overlap set aside) meets a target at one watchlist
    size, what it costs in FNIR and false alerts, and whether any group differs there."""

    point: OperatingPoint
    false_alerts_per_million: float
    groups: list[GroupComparison]  # at the recommended threshold itself
    equitable: bool  # no group differs significantly at it


@dataclass(frozen=True)
class Study:
    """Everything ``lfr evaluate identification`` reports with strangers, at one size."""

    pipeline: dict[str, str]
    watchlist_size: int
    people: str  # whose images the watchlist's people are: LFW, or a force's own folder
    people_enrolled: int
    failed_to_enrol: int
    folds: int
    mated_probes: int
    mated_probes_missed: int  # no face found: a miss at every threshold
    strangers: int
    strangers_missed: int  # no face found: never an alarm
    strangers_set_aside: int
    calibration_left_out: int
    referee: Referee | None
    rank1_identification_rate: float
    threshold: float | None  # the default match threshold of the pipeline, if one is known
    at_threshold: CurvePoint | None
    operating_points: list[OperatingPoint]
    curve: list[CurvePoint]
    strangers_by_group: dict[str, dict[str, int]]  # attribute -> group -> strangers counted
    set_aside_by_group: dict[str, dict[str, int]]
    histograms: dict[str, dict[str, list[int]]]  # what -> group -> counts in BINS
    groups: list[GroupComparison]
    verdicts: list[Verdict]
    equitable_from: float | None
    recommendation: Recommendation | None  # for the target FPIR asked, if one was


@dataclass(frozen=True)
class Data:
    """The images of the study: the people's enrolled images and mated probes, and the pool
    of strangers and fillers."""

    people: str
    gallery: list[PersonImage]
    gallery_person: np.ndarray
    mated: list[PersonImage]
    mated_person: np.ndarray
    pool: list[UtkImage]
    stranger: np.ndarray
    filler: np.ndarray
    calibration_left_out: int


def study_data(people: People, strangers: Sequence[Path], fillers: Sequence[Path] = ()) -> Data:
    """The ``people`` and the pool: faces of ``strangers`` folders (UTKFace's layout) may be
    strangers, and fillers too unless ``fillers`` folders are given; the int8 SFace's
    calibration faces are never strangers."""
    if not strangers:
        raise LfrError("no strangers: give at least one UTKFace folder with --strangers")
    identity: dict[str, int] = {}
    gallery_person = np.array([identity.setdefault(i.person, len(identity))
                               for i in people.enrolled])  # fmt: skip
    calibration = calibration_names()
    pool_strangers = [i for folder in strangers for i in read_utkface(folder)]
    pool_fillers = [i for folder in fillers for i in read_utkface(folder)]
    pool = pool_strangers + pool_fillers
    seen: set[Path] = set()
    for image in pool:
        if image.path.resolve() in seen:
            raise LfrError(
                f"{image.path} is listed twice among the strangers and fillers: an image may "
                "play one role once; give folders that share no file"
            )
        seen.add(image.path.resolve())
    is_stranger = np.array(
        [i < len(pool_strangers) and im.name not in calibration for i, im in enumerate(pool)]
    )
    return Data(
        people=people.name,
        gallery=people.enrolled,
        gallery_person=gallery_person,
        mated=people.mated,
        mated_person=np.array([identity[i.person] for i in people.mated]),
        pool=pool,
        stranger=is_stranger,
        filler=np.array([not fillers or i >= len(pool_strangers) for i in range(len(pool))]),
        calibration_left_out=sum(im.name in calibration for im in pool_strangers),
    )


def templates_of(
    engine: Engine, data: Data, cache: Path | None, on_progress: OnProgress | None
) -> tuple[Templates, Templates, Templates]:
    """``engine``'s templates of the people's gallery, the mated probes and the pool."""
    files = [i.path for i in data.gallery + data.mated]
    people = Templates(*stack(compute_templates(engine, files, cache, data.people, on_progress)))
    pool = Templates(
        *stack(compute_templates(engine, [i.path for i in data.pool], cache, "strangers",
                                 on_progress))
    )  # fmt: skip
    m = len(data.gallery)
    return people.take(np.arange(m)), people.take(np.arange(m, len(people))), pool


def referee_threshold(templates: Templates, person: np.ndarray) -> tuple[float, int]:
    """The similarity at the referee's 1:1 FMR of REFEREE_FMR over every pair of images (of
    ``templates``, the watchlisted people's) of different people, and how many pairs that is
    (about 42 million for LFW's gallery and mated probes, so some 40 pairs lie above it)."""
    rows = np.flatnonzero(templates.found)
    vectors, who = templates.vectors[rows].astype(np.float32), person[rows]
    above: list[np.ndarray] = []  # only positive similarities: the threshold is far above 0
    pairs = 0
    for start in range(0, len(rows), 2048):
        sims = vectors[start : start + 2048] @ vectors.T
        mine = np.arange(start, start + len(sims))[:, None]
        other = (np.arange(len(rows))[None, :] > mine) & (who[mine] != who[None, :])
        pairs += int(other.sum())
        above.append(sims[other & (sims > 0)])
    top = np.sort(np.concatenate(above))[::-1]
    allowed = int(np.floor(REFEREE_FMR * pairs))
    return (float(np.nextafter(top[allowed], np.inf)) if allowed < len(top) else 0.0), pairs


@dataclass(frozen=True)
class Judge:
    """A referee ready to judge: who it is and its threshold, and its templates of the
    people's gallery and of the pool."""

    about: Referee
    gallery: Templates
    pool: Templates


def judge_of(data: Data, name: str, templates: tuple[Templates, Templates, Templates]) -> Judge:
    """The referee ``name`` with its ``templates`` (people's gallery, mated probes, pool), its
    threshold set on the people's images once for every watchlist size."""
    gallery, mated, pool = templates
    people = Templates(
        np.concatenate([gallery.vectors, mated.vectors]),
        np.concatenate([gallery.found, mated.found]),
    )
    who = np.concatenate([data.gallery_person, data.mated_person])
    same, pairs = referee_threshold(people, who)
    basis = f"its 1:1 FMR {REFEREE_FMR:g} over {pairs:,} pairs of {data.people} images"
    about = Referee(name, same, basis)
    return Judge(about, gallery, pool)


def run_study(
    data: Data,
    pipeline: dict[str, str],
    templates: tuple[Templates, Templates, Templates],
    size: int,
    threshold: float | None = None,
    judge: Judge | None = None,
    target_fpir: float | None = None,
) -> Study:
    """The study at watchlist ``size`` from templates (people's gallery, mated probes, pool),
    optionally with a referee's ``judge`` and the threshold recommended for
    ``target_fpir``."""
    gallery, mated, pool_templates = templates
    pool = Pool([i.name for i in data.pool], pool_templates, data.stranger, data.filler)
    plan = watchlists(pool, int(gallery.found.sum()), size)
    sets_aside = None if judge is None else (judge.gallery, judge.pool, judge.about.threshold)
    found = search(gallery, data.gallery_person, mated, data.mated_person, pool, plan, sets_aside)
    points = curve(found, CURVE)
    utk = [data.pool[i] for i in found.strangers]
    kept = ~found.set_aside
    attributes = {
        "sex": np.array([i.sex for i in utk]),
        "race": np.array([i.race for i in utk]),
        "sex and race": np.array([f"{i.race} {i.sex}" for i in utk]),
    }
    k = len(plan.fillers)
    mated_attributes = {
        "sex": np.array([i.sex for i in data.mated] * k),
        "race": np.array([i.race for i in data.mated] * k),
    }
    identities = np.tile(data.mated_person, k)

    def by_group(thresholds: Sequence[float]) -> list[GroupComparison]:
        strangers = {a: g[kept] for a, g in attributes.items()}
        return fpir_by_group(found.stranger_scores[kept], strangers, thresholds) + fnir_by_group(
            found.mated_scores, identities, mated_attributes, thresholds
        )

    comparisons = by_group(GRID)
    judged = verdicts(comparisons)
    at = None
    if threshold is not None:
        at = curve(found, [threshold])[0]
    recommendation = None
    if target_fpir is not None:
        point = operating_point(
            found.stranger_scores[kept], found.mated_scores, target_fpir, "overlap set aside"
        )
        there = by_group([point.threshold])
        recommendation = Recommendation(
            point, point.fpir * SCANNED, there, not any(c.significant for c in there)
        )
    return Study(
        pipeline=pipeline,
        watchlist_size=size,
        people=data.people,
        people_enrolled=int(gallery.found.sum()),
        failed_to_enrol=int((~gallery.found).sum()),
        folds=k,
        mated_probes=len(data.mated),
        mated_probes_missed=int((~mated.found).sum()),
        strangers=len(found.strangers),
        strangers_missed=int((found.stranger_scores == MISSED).sum()),
        strangers_set_aside=int(found.set_aside.sum()),
        calibration_left_out=data.calibration_left_out,
        referee=None if judge is None else judge.about,
        rank1_identification_rate=float(found.mated_rank1.mean()),
        threshold=threshold,
        at_threshold=at,
        operating_points=operating_points(found),
        curve=points,
        strangers_by_group={a: _counts(g[kept]) for a, g in attributes.items()},
        set_aside_by_group={a: _counts(g[~kept]) for a, g in attributes.items()},
        histograms={
            "strangers' top-1 scores by race": _histograms(
                found.stranger_scores[kept], attributes["race"][kept]
            ),
            "mated probes' scores by sex": _histograms(found.mated_scores, mated_attributes["sex"]),
        },
        groups=comparisons,
        verdicts=judged,
        equitable_from=equitable_from(judged),
        recommendation=recommendation,
    )


def _histograms(scores: np.ndarray, groups: np.ndarray) -> dict[str, list[int]]:
    """Per group with a label, the counts of its scores in each of BINS."""
    return {
        str(g): np.histogram(scores[groups == g], BINS)[0].tolist()
        for g in np.unique(groups)
        if g != ""
    }


def _counts(groups: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(groups, return_counts=True)
    return {str(n): int(c) for n, c in zip(names, counts, strict=True)}


def evaluate_study(
    people: People,
    engine: Engine,
    strangers: Sequence[Path],
    sizes: Sequence[int],
    fillers: Sequence[Path] = (),
    referee: Engine | None = None,
    threshold: float | None = None,
    cache: Path | None = None,
    on_progress: OnProgress | None = None,
    target_fpir: float | None = None,
) -> list[Study]:
    """The study at each watchlist size of ``sizes`` with ``engine``'s pipeline (and the
    threshold for ``target_fpir`` at each, if given); templates come from (and go to) the
    cache at ``cache``."""
    data = study_data(people, strangers, fillers)
    templates = templates_of(engine, data, cache, on_progress)
    judge = None
    if referee is not None:
        judge = judge_of(
            data, referee.settings.embedder, templates_of(referee, data, cache, on_progress)
        )
    pipeline = pipeline_label(engine.settings)
    return [
        run_study(data, pipeline, templates, size, threshold, judge, target_fpir) for size in sizes
    ]
