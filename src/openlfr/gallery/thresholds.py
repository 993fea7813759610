"""Default match thresholds, measured per embedder on the LFW open-set protocol.

Each value is the threshold that gave FPIR 1e-3 on ``lfr evaluate identification
--dataset lfw`` (see docs/benchmarks.md): a measured operating point, never a
1:1 verification convention. A deployment should measure its own.
"""

from __future__ import annotations

from openlfr.config import Settings
from openlfr.errors import LfrError

# (embedder, normalisation) -> threshold at FPIR 1e-3 on LFW
MEASURED: dict[tuple[str, str], float] = {
    ("sface", "raw"): 0.45,
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
