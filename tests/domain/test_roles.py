"""Who may do what, and the admin who must remain."""

from __future__ import annotations

import pytest

from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Action, Role, User, check_deactivation, new_user_roles, require


def test_a_role_allows_its_actions_only_while_active() -> None:
    officer = User("olu", [Role.AUTHORISING_OFFICER])
    require(officer, Action.AUTHORISE_DEPLOYMENT)
    with pytest.raises(DomainError, match=r"olu \(authorising_officer\) may not adjudicate"):
        require(officer, Action.ADJUDICATE)
    officer.active = False
    with pytest.raises(DomainError, match="olu is deactivated"):
        require(officer, Action.AUTHORISE_DEPLOYMENT)


def test_the_last_admin_who_can_log_in_cannot_be_deactivated() -> None:
    admin = User("ada", [Role.ADMIN])
    with pytest.raises(DomainError, match="ada is the last admin who can log in"):
        check_deactivation(admin, {"ada"})
    check_deactivation(admin, {"ada", "bea"})
    # An admin who cannot log in (deactivated, a one-time password expired) may go.
    check_deactivation(User("bea", [Role.ADMIN]), {"ada"})
    check_deactivation(User("pat", [Role.PLANNER]), {"ada"})


@pytest.mark.parametrize(
    "name",
    ["ada ", "\x1b[31mada", "\u0430da", "Ada", "", "a" * 65, "1ada", "ad a"],  # \u0430: Cyrillic a
)
def test_user_names_are_plain(name: str) -> None:
    with pytest.raises(DomainError, match="use 1 to 64 lower-case letters"):
        new_user_roles(name, ["planner"], first=False, taken=False)


def test_new_users_rules() -> None:
    assert new_user_roles("pat.s-1", ["planner"], first=False, taken=False) == [Role.PLANNER]
    with pytest.raises(DomainError, match="first user \\(pat\\) must hold the admin role"):
        new_user_roles("pat", ["planner"], first=True, taken=False)
    with pytest.raises(DomainError, match="already a user named pat"):
        new_user_roles("pat", ["planner"], first=False, taken=True)
    with pytest.raises(DomainError, match="system names the software"):
        new_user_roles("system", ["admin"], first=True, taken=False)
    with pytest.raises(DomainError, match="each must be one of"):
        new_user_roles("pat", ["boss"], first=False, taken=False)
