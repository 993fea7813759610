"""Who may do what, and the admin who must remain."""

from __future__ import annotations

import pytest

from openlfr.domain.errors import DomainError
from openlfr.domain.roles import Action, Role, User, check_deactivation, require


def test_a_role_allows_its_actions_only_while_active() -> None:
    officer = User("olu", [Role.AUTHORISING_OFFICER])
    require(officer, Action.AUTHORISE_DEPLOYMENT)
    with pytest.raises(DomainError, match=r"olu \(authorising_officer\) may not adjudicate"):
        require(officer, Action.ADJUDICATE)
    officer.active = False
    with pytest.raises(DomainError, match="olu is deactivated"):
        require(officer, Action.AUTHORISE_DEPLOYMENT)


def test_the_last_active_admin_cannot_be_deactivated() -> None:
    admin = User("ada", [Role.ADMIN])
    with pytest.raises(DomainError, match="ada is the last active admin"):
        check_deactivation(admin, active_admins=1)
    check_deactivation(admin, active_admins=2)
    check_deactivation(User("pat", [Role.PLANNER]), active_admins=1)
