"""Open-set 1:N: FNIR, FPIR and rank-1 on hand-computed cases, and the errata re-labelling."""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.evaluation.identification import (
    Outcomes,
    Searches,
    label,
    lfw_open_set,
    operating_point,
    probe_figures,
    search,
)
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.metrics import MISSED, false_negative_rate, false_positive_rate
from openlfr.gallery.normalise import RawScore, TopKNormaliser
from tests.conftest import shared

GALLERY = ["A", "B", "C"]
# Each probe's cosine similarity to entries A, B, C (None: no face detected).
PROBES: list[tuple[str, tuple[float, float, float] | None]] = [
    ("A", (0.9, 0.1, 0.0)),  # mated, mate A at rank 1 with 0.9
    ("B", (0.2, 0.6, 0.1)),  # mated, mate B at rank 1 with 0.6
    ("C", (0.7, 0.1, 0.5)),  # mated, but A is at rank 1: a false negative at any threshold
    ("A", None),  # mated, missed: a false negative at any threshold
    ("D", (0.8, 0.1, 0.1)),  # non-mated, top-1 A with 0.8
    ("E", (0.1, 0.5, 0.2)),  # non-mated, top-1 B with 0.5
    ("F", (0.3, 0.2, 0.4)),  # non-mated, top-1 C with 0.4
    ("G", None),  # non-mated, missed: can raise no alarm
]


def templates() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gallery templates e1, e2, e3 in R^4, and unit probe templates with the similarities above."""
    gallery = np.eye(4, dtype=np.float32)[:3]
    probes = np.zeros((len(PROBES), 4), np.float32)
    found = np.array([sims is not None for _, sims in PROBES])
    for i, (_, sims) in enumerate(PROBES):
        if sims is not None:
            probes[i] = [*sims, np.sqrt(1 - sum(s * s for s in sims))]
    return gallery, probes, found


def hand_case(normaliser: RawScore | TopKNormaliser) -> tuple[Searches, Outcomes]:
    gallery, probes, found = templates()
    searches = search(gallery, np.ones(3, bool), probes, found, normaliser)
    names = [name for name, _ in PROBES]
    return searches, label(GALLERY, names, searches.entry, [], errata_aware=False)


def test_fnir_and_fpir_by_hand() -> None:
    searches, outcomes = hand_case(RawScore())
    assert searches.entry.tolist() == [0, 1, 0, -1, 0, 1, 2, -1]
    mated = outcomes.mated_scores(searches.score)  # mate at rank 1, else MISSED
    non_mated = outcomes.non_mated_scores(searches.score)
    assert mated == pytest.approx([0.9, 0.6, MISSED, MISSED])
    assert non_mated == pytest.approx([0.8, 0.5, 0.4, MISSED])
    # t = 0.55: alarms D (0.8) -> FPIR 1/4; misses C, the missed A -> FNIR 2/4.
    assert false_positive_rate(non_mated, 0.55) == 0.25
    assert false_negative_rate(mated, 0.55) == 0.5
    # t = 0.85: no alarm -> FPIR 0; only the first A passes -> FNIR 3/4.
    assert false_positive_rate(non_mated, 0.85) == 0.0
    assert false_negative_rate(mated, 0.85) == 0.75
    # t = 0.45: alarms D, E -> FPIR 2/4; FNIR still 2/4 (B's 0.6 passes).
    assert false_positive_rate(non_mated, 0.45) == 0.5
    assert false_negative_rate(mated, 0.45) == 0.5


def test_operating_points_and_rank_1_by_hand() -> None:
    searches, outcomes = hand_case(RawScore())
    # FPIR <= 1/4: one of four non-mated may pass: threshold just above E's 0.5.
    point = operating_point(outcomes, searches.score, 0.25, "raw")
    assert 0.5 < point.threshold < 0.5001
    assert (point.fpir, point.fnir, point.false_alarms) == (0.25, 0.5, 1)
    assert point.alarm_names == [("D", "A")]
    # FPIR 0: just above D's 0.8; only A's 0.9 is found -> FNIR 3/4.
    point = operating_point(outcomes, searches.score, 0.0, "raw")
    assert (point.fpir, point.fnir, point.false_alarms) == (0.0, 0.75, 0)
    # Rank 1: A and B are found, C is not, the missed A is not -> 2/4. At the 1:1
    # threshold 0.45, FPIR 2/4 (D, E) and FNIR 2/4.
    figures = probe_figures(outcomes, searches, convention_threshold=0.45)
    assert figures.rank1_identification_rate == 0.5
    assert (figures.mated_probes, figures.non_mated_probes) == (4, 4)
    assert (figures.mated_probes_missed, figures.non_mated_probes_missed) == (1, 1)
    assert (figures.fpir_at_convention, figures.fnir_at_convention) == (0.5, 0.5)


def test_top_k_normalisation_by_hand() -> None:
    # With 3 entries, k=5 falls to k=2: top-1 minus the mean of the other two.
    searches, _ = hand_case(TopKNormaliser(k=5))
    # A: 0.9 - (0.1 + 0.0) / 2;  C: 0.7 - (0.5 + 0.1) / 2;  D: 0.8 - (0.1 + 0.1) / 2
    assert searches.score[[0, 2, 4]] == pytest.approx([0.85, 0.4, 0.7])
    assert searches.similarity[[0, 2, 4]] == pytest.approx([0.9, 0.7, 0.8])
    assert searches.score[3] == MISSED


def test_errata_relabelling_by_hand() -> None:
    # Enrolled: Nan_Wang and Claire_Hentzen (the errata say Wang_Nan is Nan_Wang and
    # Claire_Hentzen is Morgan_Hentzen), and B. Probes: the single-image Wang_Nan and
    # Morgan_Hentzen, each returning the other name at rank 1; Talisa_Bratt, whose other name
    # Talisa_Soto is not enrolled, returning B; and a mated Nan_Wang.
    gallery = ["Nan_Wang", "Claire_Hentzen", "B"]
    probes = ["Wang_Nan", "Morgan_Hentzen", "Talisa_Bratt", "Nan_Wang"]
    duplicates = [
        ("Wang_Nan", "Nan_Wang"),
        ("Claire_Hentzen", "Morgan_Hentzen"),
        ("Talisa_Bratt", "Talisa_Soto"),
    ]
    entry = np.array([0, 1, 2, 0])
    scores = np.array([0.7, 0.6, 0.3, 0.8])

    specified = label(gallery, probes, entry, duplicates, errata_aware=False)
    assert specified.mated.tolist() == [False, False, False, True]
    assert specified.twin.tolist() == [True, True, False, False]
    # At FPIR <= 1/3 the threshold sits just above 0.6: Wang_Nan's 0.7 is the one false alarm,
    # flagged as an errata pair.
    point = operating_point(specified, scores, 1 / 3, "raw")
    assert (point.false_alarms, point.errata_false_alarms) == (1, 1)
    assert point.alarm_names == [("Wang_Nan", "Nan_Wang")]

    aware = label(gallery, probes, entry, duplicates, errata_aware=True)
    assert aware.mated.tolist() == [True, True, False, True]
    assert aware.hit.tolist() == [True, True, False, True]
    searches = Searches(entry, scores, scores)
    figures = probe_figures(aware, searches, None)
    assert figures.rank1_identification_rate == 1.0
    assert figures.errata_rank1_matches == 2
    assert (figures.fpir_at_convention, figures.fnir_at_convention) == (None, None)
    # Only Talisa_Bratt is non-mated: at t=0.5 no alarm and no mated probe is lost.
    assert false_positive_rate(aware.non_mated_scores(scores), 0.5) == 0.0
    assert false_negative_rate(aware.mated_scores(scores), 0.5) == 0.0


def test_lfw_open_set_split_and_errata() -> None:
    lfw = Lfw(shared("lfw"))
    split = lfw_open_set(lfw)
    assert len(split.gallery) == 1680
    assert all(image.number == 1 for image in split.gallery)
    assert len(split.probes) == 13233 - 1680
    gallery = [i.person for i in split.gallery]
    probes = [i.person for i in split.probes]
    no_search = np.full(len(probes), -1)
    specified = label(gallery, probes, no_search, lfw.duplicate_identities, errata_aware=False)
    assert (int(specified.mated.sum()), int((~specified.mated).sum())) == (7484, 4069)
    # Six single-image identities are gallery people under another name: Yingfan_Wang,
    # Wang_Nan, John_Gruden, Sung_Hong_Choi, Carlos_Ruckauf, Morgan_Hentzen.
    aware = label(gallery, probes, no_search, lfw.duplicate_identities, errata_aware=True)
    moved = sorted(
        p for p, a, s in zip(probes, aware.mated, specified.mated, strict=True) if a != s
    )
    assert moved == sorted(
        ["Yingfan_Wang", "Wang_Nan", "John_Gruden", "Sung_Hong_Choi", "Carlos_Ruckauf",
         "Morgan_Hentzen"]
    )  # fmt: skip
