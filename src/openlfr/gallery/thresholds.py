"""Default match thresholds, measured per embedder and precision.

Raw scores (the default): the threshold that gave FPIR 1e-3 with a watchlist
of 10,000 entries in the study of ``lfr evaluate identification --strangers``
(docs/study/; LFW's 1,680 people grown with UTKFace fillers, 11,500 UTKFace
strangers, those whom the ArcFace-MBF referee found to be watchlisted people
set aside), rounded up to 4 places so FPIR stays within 1e-3; where the
study ran on more than one kind of CPU, the highest of their thresholds, so
FPIR stays within 1e-3 on each. 10,000 entries
is the size the NPL study of the Met's system used; FPIR grows with the
watchlist, so a smaller one gets fewer false alerts at the same threshold
(``openlfr.gallery.evidence`` holds the figures per size, and the
authorisation step shows them). The study rests on some 9,000 strangers: 8
false alarms define the 1e-3 point, so a deployment should measure its own.

The top-k and cohort values come from LFW's open set alone: those
normalisations are not the default and the study does not cover them.

A threshold belongs to the templates it compares: templates of one face made
at int8 and at f32 are close (cosine 0.995 on average) but not the same, so
each precision has its own, and the default is the one of the precision the
embedder runs at on this machine. A watchlist made at one precision is
searched with the threshold of the precision the probes are made at, the one
running: mixing f32 and int8 templates on LFW gave at most one false alarm
more than either alone at that threshold (FPIR 1.2e-3 against 1.0e-3, FNIR
unchanged; docs/benchmarks.md, "A watchlist made at one precision, searched
at another", benchmarks/cross_precision.py).
"""

from __future__ import annotations

from openlfr.config import Settings
from openlfr.errors import LfrError

# (embedder, precision, normalisation) -> threshold at FPIR 1e-3. raw: the study, 10,000
# entries (docs/study/sface-<precision>.json); topk (TopKNormaliser(k=5)) and cohort
# (CohortNormaliser(k=20), the 2,000 UTKFace faces as cohort): LFW's open set, errata-aware.
MEASURED: dict[tuple[str, str, str], float] = {
    # raw: 2026-12-07, "dev-zen4" (VNNI), CenterFace bf16, SFace int8 with 7-bit weights (0.6109,
    # docs/study/sface-int8-dev-zen4.json), above 2026-11-29's "dev-zen3" (no VNNI, no bf16):
    # 0.6018, which gave FPIR 1.25e-3 on "dev-zen4"; topk and cohort: "dev-zen3", LFW only
    ("sface", "int8", "raw"): 0.6110,
    ("sface", "int8", "topk"): 0.2291,
    ("sface", "int8", "cohort"): 0.3195,
    # 2026-11-29, "dev-zen3", CenterFace f32, SFace f32
    ("sface", "f32", "raw"): 0.6037,
    ("sface", "f32", "topk"): 0.2401,
    ("sface", "f32", "cohort"): 0.3200,
    # raw: 2026-12-07, "dev-zen4" (AVX-512 bf16), CenterFace bf16, SFace bf16 (the study; its
    # LFW-only value of 2026-11-23, 0.5565, was far too lenient for 10,000 entries); topk and
    # cohort: 2026-11-23, "dev-zen4", LFW's open set
    ("sface", "bf16", "raw"): 0.6064,
    ("sface", "bf16", "topk"): 0.2280,
    ("sface", "bf16", "cohort"): 0.3064,
}


def measured_threshold(embedder: str, precision: str, normalisation: str = "raw") -> float:
    """The threshold measured at FPIR 1e-3 for ``embedder`` running at ``precision``."""
    key = (embedder, precision, normalisation)
    if key not in MEASURED:
        raise LfrError(
            f"no measured threshold for embedder {embedder} at {precision} "
            f"({normalisation} scores): run `lfr evaluate identification` on your data and set "
            "match_threshold"
        )
    return MEASURED[key]


def default_threshold(settings: Settings, precision: str) -> float:
    """``settings.match_threshold`` if set, else the one measured for the embedder in use at
    the ``precision`` it runs at here."""
    if settings.match_threshold is not None:
        return settings.match_threshold
    return measured_threshold(settings.embedder, precision)
