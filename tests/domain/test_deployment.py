from dataclasses import replace
from datetime import timedelta

import pytest

from openlfr.domain import deployment as rules
from openlfr.domain.deployment import State
from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Role, User
from openlfr.domain.vocabulary import Vocabulary
from tests.domain.factories import NOW, OFFICER, OPERATOR, PLANNER, deployment

V = Vocabulary()


def authorised() -> rules.Deployment:
    d = deployment()
    rules.authorise(d, OFFICER, NOW, V)
    return d


def ready() -> rules.Deployment:
    """Authorised, with an approved watchlist of two."""
    d = authorised()
    rules.record_compiled(d, PLANNER, 2, NOW)
    rules.approve_watchlist(d, OFFICER, NOW)
    return d


def test_authorisation_records_officer_and_time() -> None:
    d = authorised()
    assert (d.state, d.authorised_by, d.authorised_at) == (State.AUTHORISED, "olu", NOW)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("use_case", "general_surveillance", "use case 'general_surveillance' is not one of"),
        ("location_grounds", " ", "grounds to expect watchlisted people"),
        ("necessity", "", "necessity and proportionality statement"),
        ("dpia_ref", "", "data protection impact assessment"),
        ("cameras", [], "list each camera once"),
        ("cameras", ["a", "a"], "list each camera once"),
        ("criteria", ["anyone_of_interest"], "watchlist category 'anyone_of_interest'"),
        ("threshold", 1.5, "must lie between 0.2 and 0.95"),
        ("threshold", 1e-300, "must lie between 0.2 and 0.95"),
        ("threshold", 0.0, "must lie between 0.2 and 0.95"),
        ("near_assembly", True, "protest or assembly needs a stated justification"),
        ("ends_at", NOW + timedelta(days=3650), "longer than 31 days"),
        ("without_notice", True, "critical threat"),
        ("name", "Ashbury \u202eevif", r"name holds the control character \\u202e"),
    ],
)
def test_incomplete_application_is_refused_and_nothing_changes(
    field: str, value: object, message: str
) -> None:
    d = deployment()
    setattr(d, field, value)
    with pytest.raises(DomainError, match=message):
        rules.authorise(d, OFFICER, NOW, V)
    assert d.state == State.DRAFT and d.authorised_by is None


def test_window_must_end_after_it_starts() -> None:
    d = deployment(ends_at=NOW)
    with pytest.raises(DomainError, match=r"ends .* before it starts"):
        rules.validate_application(d, V)


def test_assembly_and_no_notice_with_justification_are_accepted() -> None:
    d = deployment(
        near_assembly=True,
        assembly_justification="Credible threat of violence at the march",
        without_notice=True,
        without_notice_justification="Specific intelligence of an imminent attack",
    )
    rules.authorise(d, OFFICER, NOW, V)
    assert d.state == State.AUTHORISED


def test_requester_may_not_authorise_own_deployment() -> None:
    both = User("pat", [Role.PLANNER, Role.AUTHORISING_OFFICER])
    d = deployment()
    with pytest.raises(DomainError, match="may not also authorise it"):
        rules.authorise(d, both, NOW, V)
    assert d.state == State.DRAFT


def test_only_an_authorising_officer_authorises() -> None:
    d = replace(deployment(), requested_by="someone else")
    with pytest.raises(DomainError, match="needs the role authorising_officer"):
        rules.authorise(d, PLANNER, NOW, V)
    assert d.state == State.DRAFT


def test_window_already_over_cannot_be_authorised() -> None:
    with pytest.raises(DomainError, match="window ended"):
        rules.authorise(deployment(), OFFICER, NOW + timedelta(hours=6), V)


def test_start_inside_window_with_everything_in_place() -> None:
    d = ready()
    rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    assert (d.state, d.started_by, d.signs_confirmed_by) == (State.LIVE, "omar", "omar")


def test_unauthorised_start_is_refused() -> None:
    d = deployment()
    with pytest.raises(DomainError, match="is draft and cannot become live"):
        rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    assert d.state == State.DRAFT


@pytest.mark.parametrize("hours", [0.5, 5, 7])
def test_start_outside_window_is_refused(hours: float) -> None:
    d = ready()
    with pytest.raises(DomainError, match="may go live only between"):
        rules.start(d, OPERATOR, NOW + timedelta(hours=hours), signs_up=True)
    assert d.state == State.AUTHORISED and d.started_at is None


def test_start_needs_signs_and_an_approved_nonempty_watchlist() -> None:
    during = NOW + timedelta(hours=2)
    d = ready()
    with pytest.raises(DomainError, match="signs are up"):
        rules.start(d, OPERATOR, during, signs_up=False)
    d = authorised()
    with pytest.raises(DomainError, match="no approved watchlist"):
        rules.start(d, OPERATOR, during, signs_up=True)
    rules.record_compiled(d, PLANNER, 0, NOW)
    rules.approve_watchlist(d, OFFICER, NOW)
    with pytest.raises(DomainError, match="empty watchlist"):
        rules.start(d, OPERATOR, during, signs_up=True)


def test_recompiling_withdraws_approval_and_live_watchlist_is_frozen() -> None:
    d = ready()
    rules.record_compiled(d, PLANNER, 3, NOW)
    assert d.watchlist_approved_at is None
    rules.approve_watchlist(d, OFFICER, NOW)
    rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    with pytest.raises(DomainError, match="frozen"):
        rules.record_compiled(d, PLANNER, 1, NOW)


def test_close_in_two_steps_and_no_way_back() -> None:
    d = ready()
    rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    rules.request_close(d, OPERATOR, NOW + timedelta(hours=3))
    with pytest.raises(DomainError, match="not live"):
        rules.check_may_raise_alert(d, "van-1-north", 0.9, NOW + timedelta(hours=3))
    assert rules.due_to_close(d, NOW + timedelta(hours=3))
    rules.complete_close(d, NOW + timedelta(hours=3))
    assert d.state == State.CLOSED
    with pytest.raises(DomainError, match="is closed and cannot become live"):
        rules.start(d, OPERATOR, NOW + timedelta(hours=3), signs_up=True)
    with pytest.raises(DomainError, match="is closed and cannot become cancelled"):
        rules.cancel(d, PLANNER, NOW)
    with pytest.raises(DomainError, match="is closed and cannot become closed"):
        rules.request_close(d, OPERATOR, NOW)
    assert d.state == State.CLOSED


def test_window_end_makes_a_deployment_due_to_close() -> None:
    d = ready()
    assert not rules.due_to_close(d, NOW + timedelta(hours=4))
    assert rules.due_to_close(d, NOW + timedelta(hours=5))
    rules.request_close(d, None, NOW + timedelta(hours=5))
    assert d.close_requested_by == "system: window ended"


def test_live_deployment_cannot_be_cancelled() -> None:
    d = ready()
    rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    with pytest.raises(DomainError, match="close it instead"):
        rules.cancel(d, OFFICER, NOW)


def test_alert_needs_live_deployment_and_score_at_threshold() -> None:
    d = ready()
    during = NOW + timedelta(hours=2)
    with pytest.raises(DomainError, match="not live"):
        rules.check_may_raise_alert(d, "van-1-north", 0.9, during)
    rules.start(d, OPERATOR, during, signs_up=True)
    rules.check_may_raise_alert(d, "van-1-north", 0.57, during)
    with pytest.raises(DomainError, match="below"):
        rules.check_may_raise_alert(d, "van-1-north", 0.56, during)
    with pytest.raises(DomainError, match="not live"):
        rules.check_may_raise_alert(d, "van-1-north", 0.9, NOW + timedelta(hours=5))
    with pytest.raises(
        DomainError, match="has no camera van-9: its cameras are van-1-north, van-1-south"
    ):
        rules.check_may_raise_alert(d, "van-9", 0.9, during)


def test_threshold_change_returns_old_value_and_needs_officer() -> None:
    d = deployment()
    assert rules.change_threshold(d, OFFICER, 0.6) == 0.57 and d.threshold == 0.6
    with pytest.raises(DomainError, match="authorising_officer"):
        rules.change_threshold(d, OPERATOR, 0.5)
    assert d.threshold == 0.6


def test_a_threshold_changed_after_authorisation_needs_authorising_again() -> None:
    d = ready()
    rules.change_threshold(d, OFFICER, 0.3)
    assert (d.state, d.authorised_by, d.watchlist_approved_by) == (State.DRAFT, None, None)
    with pytest.raises(DomainError, match="may not also authorise it"):
        rules.authorise(d, User("pat", [Role.AUTHORISING_OFFICER]), NOW, V)  # the requester
    rules.authorise(d, OFFICER, NOW, V)
    assert d.state == State.AUTHORISED and d.threshold == 0.3


def test_a_live_deployments_threshold_does_not_change() -> None:
    d = ready()
    rules.start(d, OPERATOR, NOW + timedelta(hours=2), signs_up=True)
    with pytest.raises(DomainError, match="is live: its authorised threshold cannot change"):
        rules.change_threshold(d, OFFICER, 0.3)
    assert d.threshold == 0.57 and d.state == State.LIVE


def test_the_compiler_may_not_approve_the_watchlist() -> None:
    d = authorised()
    rules.record_compiled(d, OFFICER, 2, NOW)
    with pytest.raises(DomainError, match=r"olu compiled .* and may not also approve it"):
        rules.approve_watchlist(d, OFFICER, NOW)
    assert d.watchlist_approved_by is None


def test_without_notice_starts_with_no_signs_confirmed() -> None:
    d = deployment(without_notice=True, without_notice_justification="Imminent attack warning")
    rules.authorise(d, OFFICER, NOW, V)
    rules.record_compiled(d, PLANNER, 2, NOW)
    rules.approve_watchlist(d, OFFICER, NOW)
    during = NOW + timedelta(hours=2)
    with pytest.raises(DomainError, match="without prior public notice: start it without"):
        rules.start(d, OPERATOR, during, signs_up=True)
    rules.start(d, OPERATOR, during, signs_up=False)
    assert d.state == State.LIVE and d.signs_confirmed_by is None


def test_a_draft_watchlist_is_not_compiled() -> None:
    d = deployment()
    with pytest.raises(DomainError, match="is draft: authorise it before compiling"):
        rules.record_compiled(d, PLANNER, 2, NOW)
    assert d.watchlist_compiled_at is None


def test_the_public_notice_announces_authorised_and_live_deployments_with_notice_only() -> None:
    assert not rules.announced(deployment(), NOW)  # a draft is not yet decided
    d = authorised()
    assert rules.announced(d, NOW) and not rules.announced(d, d.ends_at)
    secret = replace(deployment(), state=State.AUTHORISED, without_notice=True)
    assert not rules.announced(secret, NOW)
    live = ready()
    rules.start(live, OPERATOR, NOW + timedelta(hours=1), signs_up=True)
    assert rules.announced(live, NOW + timedelta(hours=1))
    rules.request_close(live, OPERATOR, NOW + timedelta(hours=2))
    assert not rules.announced(live, NOW + timedelta(hours=2))


def test_a_deployment_has_a_record_once_it_went_live() -> None:
    with pytest.raises(DomainError, match=r"is authorised and never went live: it has no dep"):
        rules.check_has_record(authorised())
    live = ready()
    rules.start(live, OPERATOR, NOW + timedelta(hours=1), signs_up=True)
    rules.check_has_record(live)
