"""Default match thresholds, measured per embedder and precision on the LFW open-set protocol.

Each value is the threshold that gave FPIR 1e-3 on ``lfr evaluate identification
--dataset lfw --normalisation all`` with the default pipeline, keyed by
embedder, the precision the embedder ran at and score normalisation, rounded
up so FPIR stays at or below 1e-3: a measured operating point, never a 1:1
verification convention. It is the errata-aware variant's: as LFW files them,
three of the four highest non-mated scores are one person under two names
(LFW's own label errors), which would set the threshold by mislabelled data.
With about 4,000 non-mated probes the figure rests on a handful of scores: a
deployment should measure its own.

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

# (embedder, precision, normalisation) -> threshold at FPIR 1e-3 on LFW, errata-aware.
# topk: TopKNormaliser(k=5); cohort: CohortNormaliser(k=20), the 2,000 UTKFace faces as cohort.
MEASURED: dict[tuple[str, str, str], float] = {
    # 2026-11-29, "dev-zen3", CenterFace f32 (no bf16 on that CPU), SFace int8 with 7-bit weights
    ("sface", "int8", "raw"): 0.5684,
    ("sface", "int8", "topk"): 0.2291,
    ("sface", "int8", "cohort"): 0.3195,
    # 2026-11-29, "dev-zen3", CenterFace f32, SFace f32
    ("sface", "f32", "raw"): 0.5711,
    ("sface", "f32", "topk"): 0.2401,
    ("sface", "f32", "cohort"): 0.3200,
    # 2026-11-23, "dev-zen4", CenterFace bf16, SFace bf16
    ("sface", "bf16", "raw"): 0.5565,
    ("sface", "bf16", "topk"): 0.2280,
    ("sface", "bf16", "cohort"): 0.3064,
}


# FNIR on LFW's open set at each raw threshold above, errata-aware, from the same runs
# (docs/benchmarks.md, "LFW per precision" and "CenterFace on OpenVINO bf16").
FNIR_AT_THRESHOLD: dict[tuple[str, str], float] = {
    ("sface", "int8"): 0.1394,
    ("sface", "f32"): 0.1397,
    ("sface", "bf16"): 0.1140,
}


def measured_fnir(settings: Settings, precision: str) -> float | None:
    """The FNIR measured on LFW's open set at the default threshold (FPIR 1e-3) for the
    embedder at ``precision``; None if the threshold is set by hand or was not measured."""
    if settings.match_threshold is not None:
        return None
    return FNIR_AT_THRESHOLD.get((settings.embedder, precision))


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
