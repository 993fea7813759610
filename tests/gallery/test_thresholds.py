"""The default match threshold: the one measured for the embedder at the precision it runs at."""

from __future__ import annotations

import pytest

from openlfr.config import Settings
from openlfr.errors import LfrError
from openlfr.gallery.thresholds import (
    MEASURED,
    default_threshold,
    measured_threshold,
)


def test_each_precision_has_its_own_threshold() -> None:
    settings = Settings(match_threshold=None)
    assert default_threshold(settings, "int8") == MEASURED[("sface", "int8", "raw")]
    assert default_threshold(settings, "f32") == MEASURED[("sface", "f32", "raw")]
    assert default_threshold(settings, "int8") != default_threshold(settings, "f32")
    assert measured_threshold("sface", "int8", "cohort") == MEASURED[("sface", "int8", "cohort")]


def test_a_set_threshold_wins_whatever_runs() -> None:
    assert default_threshold(Settings(match_threshold=0.62), "int8") == 0.62


def test_no_measured_threshold_is_one_clear_error() -> None:
    with pytest.raises(LfrError, match="no measured threshold for embedder arcface_mbf at int8"):
        default_threshold(Settings(embedder="arcface_mbf", match_threshold=None), "int8")
