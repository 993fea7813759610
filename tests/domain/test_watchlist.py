from datetime import date, timedelta

import pytest

from openlfr.domain import watchlist as rules
from openlfr.domain.errors import DomainError
from openlfr.domain.vocabulary import Vocabulary
from tests.domain.factories import NOW, deployment, subject

V = Vocabulary()


def test_complete_subject_is_valid() -> None:
    rules.validate_subject(subject(), V, NOW.date())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "suspicious_looking"}, "watchlist category 'suspicious_looking'"),
        ({"ethnicity": "IC1"}, "ethnicity 'IC1' is not one of"),
        ({"reason": " "}, "needs a reason"),
        ({"case_reference": ""}, "needs a case reference"),
        ({"review_by": date(2026, 11, 1)}, "review date .* must be in the future"),
        ({"date_of_birth": date(2027, 1, 1)}, "not in the past"),
        ({"date_of_birth": date(1800, 1, 1)}, "makes them over 120: check date_of_birth"),
        ({"review_by": date(2999, 1, 1)}, "more than 366 days away"),
        # A terminal escape (clear the screen) or a direction override in what is printed.
        ({"name": "Daniel\x1b[2J Marsh"}, r"name holds the control character \\u001b"),
        ({"name": "Daniel \u202eHsram"}, r"name holds the control character \\u202e"),
        ({"name": "Daniel\x9b2J"}, r"name holds the control character \\u009b"),
        ({"case_reference": "ASH/26\n018734"}, r"reference holds the control character \\u000a"),
    ],
)
def test_bad_subject_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(DomainError, match=message):
        rules.validate_subject(subject(**changes), V, NOW.date())


def test_an_enrolment_needs_an_image_and_known_sources() -> None:
    with pytest.raises(DomainError, match="image source 'facebook'"):
        rules.check_enrolment(subject(), ["custody_image", "facebook"], V, NOW.date())
    with pytest.raises(DomainError, match="enrol at least one reference image"):
        rules.check_enrolment(subject(), [], V, NOW.date())
    rules.check_enrolment(subject(), ["custody_image"], V, NOW.date())


def test_a_review_keeps_a_subject_at_most_a_year_more() -> None:
    s = subject()
    with pytest.raises(DomainError, match="must be in the future"):
        rules.review(s, NOW.date(), NOW.date())
    with pytest.raises(DomainError, match="more than 366 days away"):
        rules.review(s, NOW.date() + timedelta(days=367), NOW.date())
    until = NOW.date() + timedelta(days=300)
    assert rules.review(s, until, NOW.date()) == {"review_by": f"{subject().review_by} -> {until}"}
    assert s.review_by == until and s.flagged_for_review_at is None


def test_age_counts_birthdays() -> None:
    assert rules.age_on(date(2008, 11, 24), date(2026, 11, 23)) == 17
    assert rules.age_on(date(2008, 11, 23), date(2026, 11, 23)) == 18


def test_compilation_keeps_those_meeting_the_criteria_and_says_why_not() -> None:
    d = deployment(criteria=["wanted_by_court"])
    fits = subject(name="fits")
    other_category = subject(name="missing", category="missing_person")
    minor = subject(name="minor", date_of_birth=date(2010, 1, 1))
    lapsing = subject(name="lapsing", review_by=NOW.date())
    no_image = subject(name="no image")
    chosen = rules.compile_watchlist(
        d, [(fits, 1), (other_category, 1), (minor, 2), (lapsing, 1), (no_image, 0)], 10
    )
    assert chosen.included == [fits]
    reasons = {s.name: why for s, why in chosen.excluded}
    assert "not among the authorised criteria" in reasons["missing"]
    assert "under 18" in reasons["minor"]
    assert "due for review (2026-11-23) by the time" in reasons["lapsing"]
    assert reasons["no image"] == "no reference image"


def test_under_18s_only_with_a_stated_reason() -> None:
    d = deployment(criteria=["missing_person"], under_18_reason="Missing child at risk")
    minor = subject(category="missing_person", date_of_birth=date(2012, 6, 1))
    assert rules.compile_watchlist(d, [(minor, 1)], 10).included == [minor]


def test_size_limit_and_empty_compilation_are_refused() -> None:
    d = deployment()
    many = [(subject(name=f"s{i}"), 1) for i in range(3)]
    with pytest.raises(DomainError, match=r"3 subjects meet .* over the limit of 2"):
        rules.compile_watchlist(d, many, 2)
    with pytest.raises(DomainError, match="no subject meets"):
        rules.compile_watchlist(d, [(subject(category="missing_person"), 1)], 2)
