"""Open-set identification at realistic watchlist sizes: LFW's people, fillers and strangers.

The watchlist holds LFW's gallery (the first image of each of the 1,680
people with two or more images), grown to the size asked with *fillers*:
faces of people on no other list (UTKFace). The *mated probes* are LFW's
other images of those people. The *strangers*, the non-mated probes, are
further UTKFace faces: people passing a camera who are on no watchlist.

Fillers and strangers never share an image. Where they are drawn from one
pool, the pool is split into k folds (k as small as leaves enough fillers)
and each fold's strangers are searched against a watchlist whose fillers
come from the other folds, so every stranger is searched once, and FNIR is
the mean over the k watchlists. Folds and filler order follow the SHA-1 of
each file name: the same data always gives the same watchlists.

UTKFace has no identity labels, and holds many of LFW's public figures and
some people twice: a stranger's "false" alarm may be a true match. Given a
*referee* (the templates of a second, independent embedder and its
threshold), a stranger whom the referee finds to be the same person as any
entry of its watchlist is set aside and counted. FPIR is reported both ways:
as measured (an upper bound) and with those strangers set aside (close to the
truth if the referee is right; if it is wrong about a pair, a real false
alarm may be hidden, which is why both are shown).

The faces that calibrated the int8 SFace are never strangers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openlfr.errors import LfrError
from openlfr.evaluation.metrics import (
    MISSED,
    false_negative_rate,
    false_positive_rate,
    threshold_at,
)
from openlfr.gallery.evidence import SCANNED  # false alerts are per this many faces scanned

FPIR_TARGETS = (1e-2, 1e-3, 1e-4)
# A target FPIR r needs at least 3 / r strangers: fewer, and even zero false alarms
# could not show the rate is below r at 95% confidence (the "rule of three").
RULE_OF_THREE = 3.0
MAX_FOLDS = 10


@dataclass(frozen=True)
class Templates:
    """Rows of templates and the mask of rows that hold one (the others: no face found)."""

    vectors: np.ndarray
    found: np.ndarray

    def __len__(self) -> int:
        return len(self.found)

    def take(self, rows: np.ndarray) -> Templates:
        return Templates(self.vectors[rows], self.found[rows])


@dataclass(frozen=True)
class Pool:
    """UTKFace faces that may serve as fillers, strangers or both.

    ``names`` are file names (they decide folds and order); ``stranger`` and
    ``filler`` say which role each face may take.
    """

    names: list[str]
    templates: Templates
    stranger: np.ndarray
    filler: np.ndarray


@dataclass(frozen=True)
class Watchlists:
    """The k watchlists of one size: per fold, the pool rows of its fillers, and per pool row
    the fold whose strangers it is among (-1: never a stranger)."""

    size: int
    fillers: list[np.ndarray]
    fold: np.ndarray


@dataclass(frozen=True)
class Searches:
    """Top-1 outcomes of one watchlist size, every fold pooled.

    ``mated_scores``: per mated probe and fold, the top-1 score where the mate
    is the top-1 entry, else MISSED. ``stranger_scores``: per stranger (pool
    rows ``strangers``), its top-1 score; MISSED with no face. ``set_aside``:
    per stranger, whether the referee found one of its watchlist's entries to
    be the same person.
    """

    mated_scores: np.ndarray
    mated_rank1: np.ndarray
    strangers: np.ndarray
    stranger_scores: np.ndarray
    set_aside: np.ndarray


def _order(names: Sequence[str]) -> np.ndarray:
    """Indices of ``names`` in the order of their names' SHA-1: fixed, and blind to labels."""
    digests = [hashlib.sha1(n.encode()).hexdigest() for n in names]
    return np.argsort(np.array(digests), kind="stable")


def watchlists(pool: Pool, enrolled: int, size: int) -> Watchlists:
    """The folds and fillers that grow ``enrolled`` watchlisted people to ``size`` entries.

    Fillers are faces found in filler-eligible pool rows outside the fold;
    raises LfrError if the pool cannot fill the watchlist even in MAX_FOLDS folds.
    """
    needed = size - enrolled
    if needed < 0:
        raise LfrError(
            f"a watchlist of {size} entries is smaller than the {enrolled} people enrolled"
        )
    order = _order(pool.names)
    usable = pool.filler & pool.templates.found
    candidates = np.flatnonzero(pool.stranger)
    position = np.empty(len(order), int)
    position[order] = np.arange(len(order))
    ranked = candidates[np.argsort(position[candidates], kind="stable")]
    for k in range(1, MAX_FOLDS + 1):
        fold = np.full(len(pool.names), -1)
        fold[ranked] = np.arange(len(ranked)) % k
        fillers = [order[(usable & (fold != f))[order]][:needed] for f in range(k)]
        if all(len(f) == needed for f in fillers):
            return Watchlists(size, fillers, fold)
    raise LfrError(
        f"a watchlist of {size} entries needs {needed} fillers besides the strangers, but the "
        f"pool holds {int(usable.sum())} usable faces for {len(candidates)} strangers: "
        "give more faces with --fillers, or ask for a smaller --watchlist-size"
    )


def _top1(probes: Templates, gallery: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each probe's most similar gallery row (cosine) and its similarity; -1 and MISSED
    where the probe has no face."""
    entry = np.full(len(probes), -1)
    score = np.full(len(probes), MISSED)
    rows = np.flatnonzero(probes.found)
    for start in range(0, len(rows), 4096):  # bounded memory at 10,000 entries
        chunk = rows[start : start + 4096]
        sims = probes.vectors[chunk].astype(np.float32) @ gallery.astype(np.float32).T
        best = sims.argmax(axis=1)
        entry[chunk] = best
        score[chunk] = sims[np.arange(len(chunk)), best]
    return entry, score


def search(
    lfw_gallery: Templates,
    gallery_person: np.ndarray,
    mated: Templates,
    mated_person: np.ndarray,
    pool: Pool,
    plan: Watchlists,
    referee: tuple[Templates, Templates, float] | None = None,
) -> Searches:
    """Search the mated probes and each fold's strangers against that fold's watchlist.

    ``gallery_person`` and ``mated_person`` number the person of each LFW
    gallery row and mated probe: a probe's top-1 entry is right if it is of the
    same person. ``referee``: the referee's templates of the LFW gallery and
    of the pool, and the similarity at which it calls two faces one person.
    An LFW gallery image with no face is a failure to enrol: left out, its
    mated probes stay mated and miss.
    """
    enrolled = np.flatnonzero(lfw_gallery.found)
    mated_scores, mated_rank1 = [], []
    strangers, stranger_scores, set_aside = [], [], []
    for f, fillers in enumerate(plan.fillers):
        gallery = np.concatenate([lfw_gallery.vectors[enrolled], pool.templates.vectors[fillers]])
        entry, score = _top1(mated, gallery)
        hit = (entry >= 0) & (entry < len(enrolled))
        hit[hit] = gallery_person[enrolled[entry[hit]]] == mated_person[hit]
        mated_scores.append(np.where(hit, score, MISSED))
        mated_rank1.append(hit)
        rows = np.flatnonzero((plan.fold == f) & pool.stranger)
        strangers.append(rows)
        stranger_scores.append(_top1(pool.templates.take(rows), gallery)[1])
        if referee is None:
            set_aside.append(np.zeros(len(rows), bool))
        else:
            ref_lfw, ref_pool, same = referee
            ref_gallery = np.concatenate([
                ref_lfw.vectors[enrolled[ref_lfw.found[enrolled]]],
                ref_pool.vectors[fillers[ref_pool.found[fillers]]],
            ])  # fmt: skip
            set_aside.append(_top1(ref_pool.take(rows), ref_gallery)[1] >= same)
    return Searches(
        np.concatenate(mated_scores), np.concatenate(mated_rank1), np.concatenate(strangers),
        np.concatenate(stranger_scores), np.concatenate(set_aside),
    )  # fmt: skip


@dataclass(frozen=True)
class CurvePoint:
    """FPIR (both ways), FNIR and false alerts per million faces scanned at one threshold."""

    threshold: float
    fpir: float  # overlap set aside
    fpir_as_measured: float
    fnir: float
    false_alerts_per_million: float  # from FPIR with the overlap set aside


@dataclass(frozen=True)
class OperatingPoint:
    """FNIR at the lowest threshold whose FPIR is at most a target, one way of counting.

    ``supported`` is False where the strangers are too few to show the target
    (fewer than 3 / target): the figures are still given, marked so.
    """

    fpir_target: float
    counting: str  # "overlap set aside" or "as measured"
    strangers: int
    supported: bool
    threshold: float
    fpir: float
    fnir: float
    false_alarms: int


def operating_point(
    stranger_scores: np.ndarray, mated_scores: np.ndarray, target: float, counting: str
) -> OperatingPoint:
    """The operating point at FPIR ``target`` over ``stranger_scores``."""
    t = threshold_at(stranger_scores, target)
    return OperatingPoint(
        fpir_target=target,
        counting=counting,
        strangers=len(stranger_scores),
        supported=len(stranger_scores) * target >= RULE_OF_THREE,
        threshold=t,
        fpir=false_positive_rate(stranger_scores, t),
        fnir=false_negative_rate(mated_scores, t),
        false_alarms=int((stranger_scores >= t).sum()),
    )


def curve(searches: Searches, thresholds: Sequence[float]) -> list[CurvePoint]:
    """FPIR both ways, FNIR and false alerts per million at each of ``thresholds``."""
    kept = searches.stranger_scores[~searches.set_aside]
    points = []
    for t in thresholds:
        fpir = false_positive_rate(kept, t)
        points.append(
            CurvePoint(
                threshold=round(float(t), 4),
                fpir=fpir,
                fpir_as_measured=false_positive_rate(searches.stranger_scores, t),
                fnir=false_negative_rate(searches.mated_scores, t),
                false_alerts_per_million=fpir * SCANNED,
            )
        )
    return points


def operating_points(searches: Searches) -> list[OperatingPoint]:
    """FNIR at FPIR 1e-2, 1e-3 and 1e-4, with the overlap set aside and as measured."""
    kept = searches.stranger_scores[~searches.set_aside]
    return [
        operating_point(scores, searches.mated_scores, target, counting)
        for counting, scores in (
            ("overlap set aside", kept),
            ("as measured", searches.stranger_scores),
        )
        for target in FPIR_TARGETS
    ]
