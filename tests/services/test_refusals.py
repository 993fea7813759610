"""A refusal is audited, and the audit log is kept for good: what it records of a refusal
names subjects by id only, never by their name, date of birth or the file their image came in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from openlfr.domain.errors import DomainError
from openlfr.services import watchlists
from openlfr.vision.engine import Engine
from tests.services.conftest import Clock, enrol, lfw, log, record, reference, staffed_store

NAME, BORN = "Aaron Eckhart", date(1968, 3, 12)


def personal(text: str) -> list[str]:
    """What of the subject's record ``text`` holds."""
    found = [NAME, NAME.split()[1], BORN.isoformat(), "eckhart"]
    return [p for p in found if p.lower() in text.lower()]


def test_a_refusal_audits_no_subject_name_birth_date_or_file_name(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    store = staffed_store(tmp_path, None, clock)
    try:
        wall = tmp_path / "aaron-eckhart-custody.png"  # a file named for its subject
        cv2.imwrite(str(wall), np.full((160, 160, 3), 128, np.uint8))
        good = reference(lfw("Aaron_Eckhart"))
        refusals = [
            ({"date_of_birth": date(2030, 1, 1)}, [good], "date of birth is not in the past"),
            ({"review_by": date(2020, 1, 1)}, [good], "the subject: the review date 2020-01-01"),
            ({}, [good, reference(wall)], "refused reference image 2: no face found"),
        ]
        for changes, images, reason in refusals:
            fields = record("Aaron_Eckhart", date_of_birth=BORN) | changes
            with pytest.raises(DomainError, match=reason):
                watchlists.enrol(store, "wendy", fields, images, engine)
            [entry] = log(store)[-1:]
            assert (entry.action, entry.outcome) == ("subject.enrol", "refused")
            assert not personal(f"{entry.target} {entry.detail}"), entry.detail
        s = enrol(store, engine, "Aaron_Eckhart", date_of_birth=BORN)
        with pytest.raises(DomainError, match=f"subject {s.id}: the review date 2020-01-01"):
            watchlists.extend_review(store, "wendy", s.id or 0, date(2020, 1, 1))
        [entry] = log(store)[-1:]
        assert entry.outcome == "refused" and not personal(f"{entry.target} {entry.detail}")
    finally:
        store.close()
