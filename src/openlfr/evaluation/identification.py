"""Open-set 1:N identification on LFW, in ISO/IEC 19795 terms.

Gallery: the first image (lowest number) of each identity with two or more
images. Mated probes: the other images of those identities. Non-mated probes:
every image of the identities with one image. Each probe is searched against
the whole gallery; its top-1 entry and normalised score decide the outcome:

- FPIR(t): fraction of non-mated probes whose top-1 score is ``>= t``.
- FNIR(t): fraction of mated probes whose mate is not the top-1 entry with a
  score ``>= t``.

A probe with no detected face scores ``MISSED``: a false negative if mated,
no alarm if non-mated. A gallery image with no detected face is a failure to
enrol: the entry is left out of the search, and its mated probes stay mated
(they are false negatives).

Two variants: "as specified" uses LFW's names as they are; "errata-aware"
treats the names the LFW errata list as one person
(labels/duplicate_identities.csv), so a single-image identity that is a
gallery person becomes a mated probe, and a top-1 of the other name counts as
correct. Both variants count those errata matches (false alarms and rank-1
matches between the two names of one person) so they are visible, not dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from openlfr.errors import LfrError
from openlfr.evaluation.lfw import Lfw, LfwImage
from openlfr.evaluation.metrics import (
    MISSED,
    Similarity,
    false_negative_rate,
    false_positive_rate,
    threshold_at,
)
from openlfr.evaluation.templates import OnProgress, compute_templates, pipeline_label, stack
from openlfr.gallery.index import WatchlistIndex
from openlfr.gallery.normalise import CohortNormaliser, Normaliser, RawScore, TopKNormaliser
from openlfr.vision.engine import Engine

NORMALISATIONS = ("raw", "topk", "cohort")
FPIR_TARGETS = (1e-2, 1e-3)
# The embedder authors' own 1:1 cosine threshold, to show what it means in 1:N search.
CONVENTION_THRESHOLDS = {"sface": 0.363}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


@dataclass(frozen=True)
class OpenSetSplit:
    """LFW split for 1:N: one gallery image per identity with 2+ images, every other a probe."""

    gallery: list[LfwImage]
    probes: list[LfwImage]


@dataclass(frozen=True)
class Searches:
    """Top-1 of each probe's search: gallery entry (-1: none), raw similarity, normalised score.

    Where no search was made (no face in the probe) the entry is -1 and both
    scores are ``MISSED``.
    """

    entry: np.ndarray
    similarity: np.ndarray
    score: np.ndarray


@dataclass(frozen=True)
class Outcomes:
    """What each probe's top-1 entry means in one variant of the protocol."""

    variant: str
    mated: np.ndarray  # the probe's person is enrolled
    hit: np.ndarray  # the top-1 entry is the probe's person
    twin: np.ndarray  # the top-1 entry is the probe's person under the errata's other name
    names: list[tuple[str, str]]  # (probe, top-1 entry; "" where no search was made)

    def mated_scores(self, scores: np.ndarray) -> np.ndarray:
        """Per mated probe, its score where its mate is the top-1 entry, else ``MISSED``."""
        return np.where(self.hit, scores, MISSED)[self.mated]

    def non_mated_scores(self, scores: np.ndarray) -> np.ndarray:
        """Per non-mated probe, its top-1 score."""
        return scores[~self.mated]


@dataclass(frozen=True)
class ProbeFigures:
    """Probe counts, rank-1 identification rate and the 1:1 convention threshold, per variant.

    None of these depend on score normalisation: the top-1 entry is the most
    similar one, and the convention threshold applies to raw cosine similarity.
    """

    variant: str
    mated_probes: int
    non_mated_probes: int
    mated_probes_missed: int  # no face detected: false negatives at every threshold
    non_mated_probes_missed: int  # no face detected: cannot raise an alarm
    rank1_identification_rate: float
    errata_rank1_matches: int  # mated probes whose top-1 is their person's other name
    fpir_at_convention: float | None
    fnir_at_convention: float | None


@dataclass(frozen=True)
class OperatingPoint:
    """FNIR at the lowest threshold that keeps FPIR at or below a target."""

    variant: str
    normalisation: str
    fpir_target: float
    threshold: float
    fpir: float
    fnir: float
    false_alarms: int
    errata_false_alarms: int  # false alarms where probe and entry are one person per the errata
    alarm_names: list[tuple[str, str]]  # (probe, gallery entry) of each false alarm, best first


@dataclass(frozen=True)
class IdentificationResult:
    """Everything ``lfr evaluate identification`` reports."""

    pipeline: dict[str, str]
    gallery_entries: int
    failed_to_enrol: list[str]
    probes: int
    cohort_images: int | None
    cohort_missed: int | None
    convention_threshold: float | None
    probe_figures: list[ProbeFigures]
    operating_points: list[OperatingPoint]


def lfw_open_set(lfw: Lfw) -> OpenSetSplit:
    """The gallery (first image of each identity with 2+ images) and all other images as probes."""
    gallery: list[LfwImage] = []
    probes: list[LfwImage] = []
    for person, count in lfw.people.items():
        images = lfw.images(person)
        if count >= 2:
            gallery.append(images[0])
            probes.extend(images[1:])
        else:
            probes.extend(images)
    return OpenSetSplit(gallery, probes)


def search(
    gallery: np.ndarray,
    gallery_found: np.ndarray,
    probes: np.ndarray,
    probes_found: np.ndarray,
    normaliser: Normaliser,
    compare: Similarity | None = None,
) -> Searches:
    """Search each probe template against the gallery templates that exist.

    ``gallery`` (M, D) and ``probes`` (N, D) are templates; the ``_found``
    masks say which rows hold one (the others were missed by the detector).
    Searches go through openlfr's watchlist index (cosine) unless ``compare``
    gives another similarity (another system's templates, in a benchmark).
    """
    entries = np.flatnonzero(gallery_found)
    entry = np.full(len(probes), -1)
    similarity = np.full(len(probes), MISSED, np.float64)
    score = np.full(len(probes), MISSED, np.float64)
    if len(entries) and probes_found.any():
        found = probes[probes_found]
        if compare is None:
            index = WatchlistIndex(gallery[entries], [str(e) for e in entries], normaliser)
            best, normalised, raw = index.top1(found)
        else:
            sims = compare(found, gallery[entries])
            best = sims.argmax(axis=1)
            raw = sims[np.arange(len(sims)), best]
            normalised = normaliser.normalise(found, sims, raw)
        entry[probes_found] = entries[best]
        similarity[probes_found] = raw
        score[probes_found] = normalised
    return Searches(entry, similarity, score)


def label(
    gallery_names: Sequence[str],
    probe_names: Sequence[str],
    entry: np.ndarray,
    duplicates: Sequence[tuple[str, str]],
    errata_aware: bool,
) -> Outcomes:
    """Which probes are mated and which top-1 entries (``entry``, -1: none) are right.

    ``duplicates`` are the errata's pairs of names of one person. With
    ``errata_aware`` each pair is one identity; either way a top-1 of the
    other name is marked as a twin, so it can be counted.
    """
    errata = {a: b for a, b in duplicates}  # either name -> the second one
    person: Mapping[str, str] = errata if errata_aware else {}
    enrolled = {person.get(g, g) for g in gallery_names}
    names = [
        (p, gallery_names[e] if e >= 0 else "") for p, e in zip(probe_names, entry, strict=True)
    ]
    return Outcomes(
        variant="errata-aware" if errata_aware else "as specified",
        mated=np.array([person.get(p, p) in enrolled for p in probe_names], bool),
        hit=np.array([bool(t) and person.get(t, t) == person.get(p, p) for p, t in names], bool),
        twin=np.array(
            [bool(t) and t != p and errata.get(t, t) == errata.get(p, p) for p, t in names], bool
        ),
        names=names,
    )


def probe_figures(
    outcomes: Outcomes, searches: Searches, convention_threshold: float | None
) -> ProbeFigures:
    """Counts, rank-1 rate and FPIR/FNIR at ``convention_threshold`` (raw similarity)."""
    missed, mated = searches.entry < 0, outcomes.mated
    fpir_at_convention = fnir_at_convention = None
    if convention_threshold is not None:
        raw = searches.similarity
        fpir_at_convention = false_positive_rate(
            outcomes.non_mated_scores(raw), convention_threshold
        )
        fnir_at_convention = false_negative_rate(outcomes.mated_scores(raw), convention_threshold)
    return ProbeFigures(
        variant=outcomes.variant,
        mated_probes=int(mated.sum()),
        non_mated_probes=int((~mated).sum()),
        mated_probes_missed=int((missed & mated).sum()),
        non_mated_probes_missed=int((missed & ~mated).sum()),
        rank1_identification_rate=float(outcomes.hit[mated].mean()) if mated.any() else 0.0,
        errata_rank1_matches=int((outcomes.twin & mated).sum()),
        fpir_at_convention=fpir_at_convention,
        fnir_at_convention=fnir_at_convention,
    )


def operating_point(
    outcomes: Outcomes, scores: np.ndarray, fpir_target: float, normalisation: str
) -> OperatingPoint:
    """FNIR and the false alarms at the lowest threshold with FPIR <= ``fpir_target``."""
    non_mated = outcomes.non_mated_scores(scores)
    t = threshold_at(non_mated, fpir_target)
    alarms = ~outcomes.mated & (scores >= t)
    by_score = np.flatnonzero(alarms)[np.argsort(-scores[alarms], kind="stable")]
    return OperatingPoint(
        variant=outcomes.variant,
        normalisation=normalisation,
        fpir_target=fpir_target,
        threshold=t,
        fpir=false_positive_rate(non_mated, t),
        fnir=false_negative_rate(outcomes.mated_scores(scores), t),
        false_alarms=int(alarms.sum()),
        errata_false_alarms=int((alarms & outcomes.twin).sum()),
        alarm_names=[outcomes.names[i] for i in by_score],
    )


def image_files(folder: Path) -> list[Path]:
    """The image files under ``folder`` (recursively), sorted; a clear error if there are none."""
    if not folder.is_dir():
        raise LfrError(f"cohort folder {folder} does not exist: set --cohort-dir or cohort_dir")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise LfrError(f"cohort folder {folder} holds no image files")
    return files


def evaluate_identification(
    lfw: Lfw,
    engine: Engine,
    normalisations: Sequence[str] = NORMALISATIONS,
    cohort_dir: Path | None = None,
    convention_threshold: float | None = None,
    cache_file: Path | None = None,
    on_progress: OnProgress | None = None,
) -> IdentificationResult:
    """Run the pipeline of ``engine`` over all of LFW; report both variants per normalisation.

    ``cohort_dir`` holds the cohort faces for ``cohort`` normalisation (people
    in neither gallery nor probes). ``convention_threshold`` defaults to the
    embedder's published 1:1 threshold where one is known. Templates come
    from (and go to) the cache at ``cache_file`` (None: no cache); ``on_progress``
    is told how many are done, cohort and LFW apart (openlfr.evaluation.templates).
    """
    unknown = set(normalisations) - set(NORMALISATIONS)
    if unknown:
        raise LfrError(f"unknown normalisation {', '.join(sorted(unknown))}: use raw, topk, cohort")
    normalisers: dict[str, Normaliser] = {"raw": RawScore(), "topk": TopKNormaliser(k=5)}
    cohort_images: int | None = None
    cohort_missed: int | None = None
    if "cohort" in normalisations:
        if cohort_dir is None:
            raise LfrError(
                "cohort normalisation needs a cohort folder: set --cohort-dir or cohort_dir"
            )
        faces = compute_templates(
            engine, image_files(cohort_dir), cache_file, "cohort: templates", on_progress
        )
        cohort = np.stack([t for t in faces if t is not None])
        cohort_images, cohort_missed = len(faces), len(faces) - len(cohort)
        normalisers["cohort"] = CohortNormaliser(cohort, k=20)
    split = lfw_open_set(lfw)
    templates, found = stack(
        compute_templates(
            engine, [lfw.path(i) for i in split.gallery + split.probes], cache_file,
            "LFW: templates", on_progress,
        )
    )  # fmt: skip
    if convention_threshold is None:
        convention_threshold = CONVENTION_THRESHOLDS.get(engine.settings.embedder)
    result = identify(
        lfw, split, templates, found, {n: normalisers[n] for n in normalisations},
        pipeline_label(engine.settings), convention_threshold,
    )  # fmt: skip
    return replace(result, cohort_images=cohort_images, cohort_missed=cohort_missed)


def identify(
    lfw: Lfw,
    split: OpenSetSplit,
    templates: np.ndarray,
    found: np.ndarray,
    normalisers: Mapping[str, Normaliser],
    pipeline: dict[str, str],
    convention_threshold: float | None,
    compare: Similarity | None = None,
) -> IdentificationResult:
    """The 1:N figures from templates of ``split.gallery + split.probes`` (rows of ``templates``).

    ``found`` marks the rows that hold a template; ``compare`` as in ``search``.
    """
    m = len(split.gallery)
    searches = {
        name: search(templates[:m], found[:m], templates[m:], found[m:], normaliser, compare)
        for name, normaliser in normalisers.items()
    }
    # The top-1 entry and raw similarity are the same under every normalisation.
    first = next(iter(searches.values()))
    variants = [
        label(
            [i.person for i in split.gallery], [i.person for i in split.probes], first.entry,
            lfw.duplicate_identities, errata_aware,
        )
        for errata_aware in (False, True)
    ]  # fmt: skip
    return IdentificationResult(
        pipeline=pipeline,
        gallery_entries=m,
        failed_to_enrol=[i.relpath for i, f in zip(split.gallery, found[:m], strict=True) if not f],
        probes=len(split.probes),
        cohort_images=None,
        cohort_missed=None,
        convention_threshold=convention_threshold,
        probe_figures=[probe_figures(o, first, convention_threshold) for o in variants],
        operating_points=[
            operating_point(outcomes, searches[name].score, target, name)
            for outcomes in variants
            for name in normalisers
            for target in FPIR_TARGETS
        ],
    )
