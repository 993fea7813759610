"""The identification and equitability study on real faces: 24 of LFW's people listed as a
force's own (people.csv) and 150 UTKFace strangers."""

from __future__ import annotations

from pathlib import Path

import pytest

from openlfr.errors import LfrError
from openlfr.evaluation import DatasetError
from openlfr.evaluation.people import read_people
from openlfr.evaluation.study import Study, study_data
from openlfr.evaluation.utkface import calibration_names, read_utkface


def test_counts_follow_the_protocol(
    small_studies: tuple[Study, Study], study_folders: tuple[Path, Path]
) -> None:
    folder, utk = study_folders
    small, grown = small_studies
    people = read_people(folder)
    calibration = sum(i.name in calibration_names() for i in read_utkface(utk))
    assert calibration > 0
    for study in small_studies:
        assert study.people == "people" and study.mated_probes == len(people.mated)
        assert study.people_enrolled + study.failed_to_enrol == 24 == len(people.enrolled)
        assert study.calibration_left_out == calibration
        assert study.strangers == 150 - calibration  # every non-calibration face once
    # 24 people need no fillers; 84 entries need 60, which one fold cannot spare.
    assert small.folds == 1 and grown.folds == 2
    assert grown.watchlist_size == 84


def test_figures_are_consistent_with_each_other(small_studies: tuple[Study, Study]) -> None:
    for study in small_studies:
        assert study.rank1_identification_rate > 0.8  # real faces, a small watchlist
        at = study.at_threshold
        assert at is not None and at.fpir <= at.fpir_as_measured
        assert at.false_alerts_per_million == pytest.approx(at.fpir * 1e6)
        points = {(p.counting, p.fpir_target): p for p in study.operating_points}
        # A few hundred strangers support FPIR 1e-2 (300 needed) at best, never 1e-3 or 1e-4.
        assert not points["as measured", 1e-3].supported
        assert not points["overlap set aside", 1e-4].supported
        for p in study.operating_points:
            assert p.fpir <= p.fpir_target
        # The strangers by group add up to the strangers kept, in every grouping.
        kept = study.strangers - study.strangers_set_aside
        for counts in study.strangers_by_group.values():
            assert sum(counts.values()) == kept
        fpir_by_sex = [c for c in study.groups if (c.metric, c.attribute) == ("FPIR", "sex")]
        assert [c.threshold for c in fpir_by_sex] == sorted(c.threshold for c in fpir_by_sex)
        for c in fpir_by_sex:
            assert sum(r.trials for r in c.rates) == kept
            # The overall FPIR at a threshold is the trial-weighted mean of the groups'.
            errors = sum(r.errors for r in c.rates)
            curve_point = min(study.curve, key=lambda p: abs(p.threshold - c.threshold))
            if abs(curve_point.threshold - c.threshold) < 1e-9:
                assert errors / kept == pytest.approx(curve_point.fpir)
        assert study.histograms["strangers' top-1 scores by race"]
        assert {v.metric for v in study.verdicts} == {"FPIR", "FNIR"}


def test_strangers_of_the_wrong_kind_are_refused(
    tmp_path: Path, study_folders: tuple[Path, Path]
) -> None:
    folder, utk = study_folders
    people = read_people(folder)
    with pytest.raises(DatasetError, match=r"labels\.csv is missing"):
        study_data(people, [tmp_path])
    with pytest.raises(LfrError, match="listed twice"):
        study_data(people, [utk], [utk])
    with pytest.raises(LfrError, match="no strangers"):
        study_data(people, [])
