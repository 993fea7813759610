"""The study's HTML and JSON: self-contained, every figure in them, no one's name or face."""

from __future__ import annotations

import json
import re
from pathlib import Path

from openlfr.evaluation.equitability import GroupComparison
from openlfr.evaluation.people import read_people
from openlfr.evaluation.stats import Rate
from openlfr.evaluation.study import Study
from openlfr.evaluation.utkface import read_utkface
from openlfr.reporting.study import study_html, study_json

ABOUT = {"command": "lfr evaluate identification ...", "machine": "test", "date": "2026-11-29"}


def test_json_holds_every_figure(small_studies: tuple[Study, Study]) -> None:
    data = json.loads(study_json(small_studies, ABOUT))
    assert data["about"] == ABOUT
    small, grown = data["studies"]
    assert small["watchlist_size"] == 24 and small["folds"] == 1
    assert grown["watchlist_size"] == 84 and grown["folds"] == 2
    assert {"operating_points", "curve", "groups", "verdicts", "histograms"} <= set(grown)
    rate = grown["groups"][0]["rates"][0]
    assert {"group", "units", "trials", "errors", "rate", "low", "high", "p_value"} <= set(rate)


def test_html_is_self_contained_and_names_no_one(
    small_studies: tuple[Study, Study], study_folders: tuple[Path, Path]
) -> None:
    page = study_html(small_studies, ABOUT)
    text = page + study_json(small_studies, ABOUT)
    assert page.count("<svg") >= 2 * 5  # per size: DET, rates by group, score histograms
    assert "<script" not in page and "<img" not in page and "<link" not in page
    # Nothing fetched when it opens: links only to its own parts (url(#id), xlink:href="#id").
    assert not re.search(r"url\((?!#)|\bsrc=|href=\"(?!#)", page)
    assert "@import" not in page
    folder, utk = study_folders
    for person in read_people(folder).enrolled:
        assert person.person not in text and person.person.replace("_", " ") not in text
    for image in read_utkface(utk):
        assert image.name not in text
    assert "Watchlist of 84 entries" in page


def test_detection_misses_by_group_are_in_both_forms(small_studies: tuple[Study, Study]) -> None:
    rates = [Rate("darker (IV-VI)", 633, 633, 60, 60 / 633, 0.074, 0.12, 0.65)]
    detection = [GroupComparison("detection miss rate", "skin tone, grouped", 0.5, rates)]
    page = study_html(small_studies[:1], ABOUT, detection)
    assert "faces missed by group" in page and "darker (IV-VI)" in page and "9.5%" in page
    figures = json.loads(study_json(small_studies[:1], ABOUT, detection))
    assert figures["detection"][0]["rates"][0]["errors"] == 60
