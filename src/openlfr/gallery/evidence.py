"""What a match threshold was measured to give: FPIR with strangers and FNIR, by watchlist size.

One JSON file per embedder and precision (``measured/<embedder>-<precision>.json``)
holds, for each watchlist size studied, FPIR (UTKFace strangers, overlap set
aside, and as measured) and FNIR (LFW's mated probes) at thresholds 0.20 to
0.90 in steps of 0.01, and the lowest threshold from which no group differs
significantly. ``benchmarks/threshold_evidence.py`` makes it from the study's
report in ``docs/study/`` (``lfr evaluate identification --strangers ...``),
and a test keeps the two equal. Between steps, figures are interpolated.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

SCANNED = 1_000_000  # false alerts are reported per this many faces scanned


@dataclass(frozen=True)
class Evidence:
    """The figures measured at one threshold with one watchlist size."""

    watchlist_size: int
    threshold: float
    fpir: float  # strangers whom a referee found to be watchlisted people set aside
    fpir_as_measured: float  # an upper bound: some strangers are watchlisted people
    fnir: float
    groups_alike_from: float | None  # lowest threshold with no significant group difference
    source: str  # the report it comes from: file, date, machine

    @property
    def false_alerts_per_million(self) -> float:
        return self.fpir * SCANNED


def evidence_file(embedder: str, precision: str) -> Path:
    """Where the evidence of ``embedder`` at ``precision`` ships (it may not exist)."""
    return Path(str(files("openlfr.gallery") / "measured" / f"{embedder}-{precision}.json"))


def evidence(embedder: str, precision: str, threshold: float) -> list[Evidence]:
    """The figures at ``threshold`` for each watchlist size studied, smallest first; none if
    ``embedder`` at ``precision`` was not studied or ``threshold`` is outside the range."""
    path = evidence_file(embedder, precision)
    if not path.exists():
        return []
    record = json.loads(path.read_text())
    found = []
    for size, study in sorted(record["sizes"].items(), key=lambda item: int(item[0])):
        curve = study["curve"]
        if not curve[0][0] <= threshold <= curve[-1][0]:
            continue
        _, fpir, raw, fnir = _interpolated(curve, threshold)
        found.append(
            Evidence(int(size), threshold, fpir, raw, fnir, study["equitable_from"],
                     record["source"])
        )  # fmt: skip
    return found


def _interpolated(curve: list[list[float]], threshold: float) -> list[float]:
    """The row of ``curve`` (rows led by their threshold, ascending) at ``threshold``,
    linearly between its neighbours. Plain Python: governance commands load no NumPy."""
    i = bisect_left([row[0] for row in curve], threshold)
    if curve[i][0] == threshold:
        return curve[i]
    low, high = curve[i - 1], curve[i]
    w = (threshold - low[0]) / (high[0] - low[0])
    return [a + w * (b - a) for a, b in zip(low, high, strict=True)]
