"""Default match thresholds, measured per embedder on the LFW open-set protocol.

Each value is the threshold that gave FPIR 1e-3 on ``lfr evaluate identification
--dataset lfw --normalisation all`` (the "as specified" variant, YuNet detector;
see docs/benchmarks.md), keyed by embedder and score normalisation, rounded up
so FPIR stays at or below 1e-3: a measured operating point, never a 1:1
verification convention. With 4,069 non-mated probes it rests on the few
highest non-mated scores, some of them LFW label errors. A deployment should
measure its own.
"""

from __future__ import annotations

from openlfr.config import Settings
from openlfr.errors import LfrError

# (embedder, normalisation) -> threshold at FPIR 1e-3 on LFW
MEASURED: dict[tuple[str, str], float] = {
    ("sface", "raw"): 0.6826,
    ("sface", "topk"): 0.3150,  # TopKNormaliser(k=5)
    ("sface", "cohort"): 0.4172,  # CohortNormaliser(k=20), the 2,000 UTKFace faces as cohort
}


def default_threshold(settings: Settings) -> float:
    """``settings.match_threshold`` if set, else the measured one for the embedder in use."""
    if settings.match_threshold is not None:
        return settings.match_threshold
    key = (settings.embedder, "raw")
    if key not in MEASURED:
        raise LfrError(
            f"no measured threshold for embedder {settings.embedder}: run "
            "`lfr evaluate identification` on your data and set match_threshold"
        )
    return MEASURED[key]
