"""The evidence shipped for the authorisation step: the study's committed reports, exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from openlfr.gallery.evidence import evidence, evidence_file
from openlfr.gallery.thresholds import MEASURED

STUDIES = Path(__file__).resolve().parents[2] / "docs" / "study"


@pytest.mark.parametrize("precision", ["int8", "f32", "bf16"])
def test_the_shipped_curve_is_the_committed_report(precision: str) -> None:
    report = json.loads((STUDIES / f"sface-{precision}.json").read_text())
    shipped = json.loads(evidence_file("sface", precision).read_text())
    for study in report["studies"]:
        size = shipped["sizes"][str(study["watchlist_size"])]
        assert size["equitable_from"] == study["equitable_from"]
        assert size["curve"] == [
            [p["threshold"], p["fpir"], p["fpir_as_measured"], p["fnir"]] for p in study["curve"]
        ]
        # At a step of the curve, the evidence is the report's figure itself.
        point = study["curve"][40]
        [found] = [
            e
            for e in evidence("sface", precision, point["threshold"])
            if e.watchlist_size == study["watchlist_size"]
        ]
        assert (found.fpir, found.fnir) == (point["fpir"], point["fnir"])
        assert found.false_alerts_per_million == pytest.approx(point["fpir"] * 1e6)


@pytest.mark.parametrize("precision", ["int8", "f32", "bf16"])
def test_the_default_threshold_is_fpir_1e3_with_10000_entries(precision: str) -> None:
    """The highest of the studies of ``precision`` (one per kind of CPU it ran on)."""
    thresholds = []
    for path in [STUDIES / f"sface-{precision}.json", *STUDIES.glob(f"sface-{precision}-*.json")]:
        [study] = [s for s in json.loads(path.read_text())["studies"]
                   if s["watchlist_size"] == 10_000]  # fmt: skip
        [point] = [
            p
            for p in study["operating_points"]
            if p["counting"] == "overlap set aside" and p["fpir_target"] == 1e-3
        ]
        assert point["supported"] and point["fpir"] <= 1e-3
        thresholds.append(point["threshold"])
    # Rounded up to 4 places, so FPIR stays within the target.
    assert MEASURED[("sface", precision, "raw")] == math.ceil(max(thresholds) * 1e4) / 1e4


def test_no_evidence_outside_what_was_studied() -> None:
    assert evidence("arcface_mbf", "f32", 0.6) == []  # an embedder not studied
    assert evidence("sface", "int8", 0.95) == []  # beyond the thresholds studied
    assert [e.watchlist_size for e in evidence("sface", "int8", 0.6)] == [1680, 10_000]
