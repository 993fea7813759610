"""1:1 verification on LFW View 2: the standard 10-fold protocol on pairs.txt.

For each fold, the threshold that maximises accuracy on the other folds is
applied to it; the result is the mean and standard deviation of the ten fold
accuracies. EER and TAR at FAR 1e-3 are computed over all pairs at once.

A face the detector misses counts against the pipeline: in accuracy, a pair
with such an image is an error whatever its label. It scores ``MISSED``
(-inf), so in EER and TAR it is a false non-match if mated and can never be a
false match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from openlfr.errors import LfrError
from openlfr.evaluation.lfw import Lfw, LfwImage, Pair
from openlfr.evaluation.metrics import (
    MISSED,
    Similarity,
    cosine,
    equal_error_rate,
    false_negative_rate,
    threshold_at,
)
from openlfr.evaluation.templates import OnProgress, compute_templates, pipeline_label
from openlfr.vision.engine import Engine

MISSED_PAIR_RULE = (
    "a pair with a missed image counts as an error in accuracy, mated or not; in EER and "
    "TAR it scores -inf"
)


@dataclass(frozen=True)
class FoldResult:
    """One test fold: the threshold chosen on the other folds and the accuracy it gave."""

    fold: int
    threshold: float
    accuracy: float


@dataclass(frozen=True)
class VerificationResult:
    """The LFW verification figures, as ``lfr evaluate verification`` reports them."""

    pipeline: dict[str, str]
    folds: list[FoldResult]
    mean_accuracy: float
    std_accuracy: float  # sample standard deviation (ddof=1) of the fold accuracies
    standard_error: float  # std / sqrt(folds), as the LFW results page reports
    pairs: int
    mated_pairs: int
    images: int
    missed_images: list[str]
    mated_pairs_missed: int
    non_mated_pairs_missed: int
    eer: float
    eer_threshold: float
    tar_at_far_1e3: float
    threshold_at_far_1e3: float
    missed_pair_rule: str = field(default=MISSED_PAIR_RULE)


def pair_scores(
    pairs: Sequence[Pair],
    templates: Mapping[LfwImage, np.ndarray | None],
    similarity: Similarity = cosine,
) -> np.ndarray:
    """Similarity of each pair's two templates, ``MISSED`` where either is None."""
    scores = np.full(len(pairs), MISSED, np.float64)
    for i, pair in enumerate(pairs):
        a, b = templates[pair.first], templates[pair.second]
        if a is not None and b is not None:
            scores[i] = float(similarity(a[None], b[None])[0, 0])
    return scores


def accuracy(scores: np.ndarray, mated: np.ndarray, threshold: float) -> float:
    """Fraction of pairs decided right: mated ones ``>= threshold``, non-mated ones below it.

    A pair with a missed image (``MISSED``) is never decided right.
    """
    return float(np.mean(((scores >= threshold) == mated) & (scores != MISSED)))


def best_threshold(scores: np.ndarray, mated: np.ndarray) -> float:
    """The threshold of highest accuracy on these pairs.

    Every observed score is a candidate (accept it and all above); of equally
    good candidates the lowest wins, and the threshold is set halfway down to
    the next lower score, which keeps the accuracy on these pairs.
    """
    candidates = np.unique(scores[np.isfinite(scores)])
    if not len(candidates):
        return float(np.inf)
    # For each candidate: mated pairs accepted plus non-mated pairs rejected.
    below_mated = np.searchsorted(np.sort(scores[mated]), candidates, side="left")
    below_non_mated = np.searchsorted(np.sort(scores[~mated]), candidates, side="left")
    correct = (mated.sum() - below_mated) + below_non_mated
    best = int(np.argmax(correct))
    if best == 0:
        return float(candidates[0])
    return float((candidates[best - 1] + candidates[best]) / 2)


def evaluate_fold(
    train_scores: np.ndarray,
    train_mated: np.ndarray,
    test_scores: np.ndarray,
    test_mated: np.ndarray,
    fold: int,
) -> FoldResult:
    """Choose the threshold on the training pairs, measure accuracy on the test pairs."""
    threshold = best_threshold(train_scores, train_mated)
    return FoldResult(fold, threshold, accuracy(test_scores, test_mated, threshold))


def cross_validate(scores: np.ndarray, mated: np.ndarray, folds: np.ndarray) -> list[FoldResult]:
    """Each fold in ``folds`` (a fold label per pair) tested with a threshold from the rest."""
    results = []
    for fold in np.unique(folds):
        test = folds == fold
        results.append(
            evaluate_fold(scores[~test], mated[~test], scores[test], mated[test], int(fold))
        )
    return results


def lfw_pairs(lfw: Lfw, folds: int = 10) -> tuple[list[Pair], list[LfwImage]]:
    """The pairs of the first ``folds`` folds of pairs.txt and the images they use."""
    if not 2 <= folds <= 10:
        raise LfrError(f"--folds {folds}: choose 2 to 10 (a threshold needs other folds)")
    pairs = [p for p in lfw.pairs if p.fold <= folds]
    return pairs, sorted({p.first for p in pairs} | {p.second for p in pairs})


def evaluate_verification(
    lfw: Lfw,
    engine: Engine,
    folds: int = 10,
    cache_file: Path | None = None,
    on_progress: OnProgress | None = None,
) -> VerificationResult:
    """Run the pipeline of ``engine`` over the images of the first ``folds`` folds of pairs.txt.

    Templates come from (and go to) the cache at ``cache_file`` (None: no cache);
    ``on_progress`` is told how many are done (openlfr.evaluation.templates).
    """
    pairs, images = lfw_pairs(lfw, folds)
    found = compute_templates(
        engine, [lfw.path(i) for i in images], cache_file, "LFW pairs: templates", on_progress
    )
    return verify(pairs, dict(zip(images, found, strict=True)), pipeline_label(engine.settings))


def verify(
    pairs: Sequence[Pair],
    templates: Mapping[LfwImage, np.ndarray | None],
    pipeline: dict[str, str],
    similarity: Similarity = cosine,
) -> VerificationResult:
    """The verification figures of ``pairs`` from a template (None: missed) per image."""
    scores = pair_scores(pairs, templates, similarity)
    mated = np.array([p.mated for p in pairs])
    fold_results = cross_validate(scores, mated, np.array([p.fold for p in pairs]))
    fold_accuracy = np.array([f.accuracy for f in fold_results])
    missed = scores == MISSED
    eer, eer_threshold = equal_error_rate(scores[mated], scores[~mated])
    far_threshold = threshold_at(scores[~mated], 1e-3)
    return VerificationResult(
        pipeline=pipeline,
        folds=fold_results,
        mean_accuracy=float(fold_accuracy.mean()),
        std_accuracy=float(fold_accuracy.std(ddof=1)),
        standard_error=float(fold_accuracy.std(ddof=1) / np.sqrt(len(fold_accuracy))),
        pairs=len(pairs),
        mated_pairs=int(mated.sum()),
        images=len(templates),
        missed_images=[i.relpath for i, t in templates.items() if t is None],
        mated_pairs_missed=int((missed & mated).sum()),
        non_mated_pairs_missed=int((missed & ~mated).sum()),
        eer=eer,
        eer_threshold=eer_threshold,
        tar_at_far_1e3=1 - false_negative_rate(scores[mated], far_threshold),
        threshold_at_far_1e3=far_threshold,
    )
