"""Logins, sessions and one-time passwords against each backend, with a clock the test moves."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from openlfr.domain.errors import DomainError, Throttled
from openlfr.errors import LfrError
from openlfr.services import identity, users
from openlfr.services.unit_of_work import Store
from openlfr.store import passwords
from tests.services.conftest import Clock, log, staffed_store

PASSWORD = "a long enough test password"


def first_login(store: Store, name: str, role: str) -> identity.Login:
    added = users.add_user(store, "root", name, [role])
    with pytest.raises(identity.NewPasswordNeeded):
        identity.login(store, name, added.one_time_password)
    return identity.login(store, name, added.one_time_password, PASSWORD)


def test_a_session_lasts_session_hours(store: Store, clock: Clock) -> None:
    session = first_login(store, "kim", "planner")
    assert session.expires_at == clock.now + timedelta(hours=store.settings.session_hours)
    assert identity.authenticate(store, session.token) == "kim"
    clock.advance(hours=store.settings.session_hours)
    with pytest.raises(DomainError, match="this session has ended"):
        identity.authenticate(store, session.token)


def test_a_one_time_password_expires_after_72_hours(store: Store, clock: Clock) -> None:
    added = users.add_user(store, "root", "kim", ["planner"])
    clock.advance(hours=72)
    with pytest.raises(DomainError, match="the one-time password of kim has expired"):
        identity.login(store, "kim", added.one_time_password, PASSWORD)


def test_wrong_passwords_slow_a_name_down_but_never_lock_it_for_long(
    store: Store, clock: Clock
) -> None:
    """Each wrong password in a row doubles the wait, to a minute at most; a try before the
    wait is over is refused unheard and adds nothing to it, so someone typing wrong passwords
    for an officer holds them off a minute at most, and the right password then logs in."""
    first_login(store, "kim", "planner")
    for wait in (1, 2, 4, 8, 16, 32, 60, 60, 60):
        with pytest.raises(DomainError, match="wrong user name or password"):
            identity.login(store, "kim", "not the password")
        for _ in range(20):  # the right password too: unheard until the wait is over
            with pytest.raises(Throttled, match=f"for kim in a row: try again in {wait} s"):
                identity.login(store, "kim", PASSWORD)
        clock.advance(seconds=wait - 0.5)
        with pytest.raises(Throttled, match="try again in 1 s") as early:
            identity.login(store, "kim", PASSWORD)
        assert early.value.retry_after == 1
        clock.advance(seconds=0.5)
    assert identity.login(store, "kim", PASSWORD).user == "kim"
    entries = log(store)
    assert sum(e.action == "user.login_early" and e.outcome == "refused" for e in entries) == 189
    # Logged in: the count starts again.
    with pytest.raises(DomainError, match="wrong user name or password"):
        identity.login(store, "kim", "not the password")
    clock.advance(seconds=1)
    assert identity.login(store, "kim", PASSWORD).user == "kim"


ENDED = "this session has ended"


def test_deactivation_ends_every_session_and_token_for_good(store: Store) -> None:
    session = first_login(store, "kim", "planner")
    token = identity.create_token(store, "kim", PASSWORD).secret
    other = first_login(store, "lee", "planner")
    assert token is not None
    users.set_active(store, "root", "kim", False)
    with pytest.raises(DomainError, match="user kim is deactivated"):
        identity.login(store, "kim", PASSWORD)
    users.set_active(store, "root", "kim", True)  # reactivated: nothing held before works
    for held in (session.token, token):
        with pytest.raises(DomainError, match=ENDED):
            identity.authenticate(store, held)
    assert identity.authenticate(store, other.token) == "lee"
    assert identity.authenticate(store, identity.login(store, "kim", PASSWORD).token) == "kim"


def test_an_api_token_is_made_only_with_the_password_given_again(store: Store) -> None:
    """A session token, a file read once, must not become a token lasting 90 days."""
    first_login(store, "kim", "planner")
    with pytest.raises(DomainError, match="that is not the password of kim: no token made"):
        identity.create_token(store, "kim", "a guess at the password")
    assert log(store)[-1].outcome == "refused"
    assert identity.list_tokens(store, "kim") == []
    made = identity.create_token(store, "kim", PASSWORD, days=7)
    assert made.secret is not None and identity.authenticate(store, made.secret) == "kim"


def test_a_login_ends_the_session_it_replaces_and_no_other(store: Store, clock: Clock) -> None:
    first = first_login(store, "kim", "planner")
    elsewhere = identity.login(store, "kim", PASSWORD)  # another client's: the console's
    token = identity.create_token(store, "kim", PASSWORD).secret
    again = identity.login(store, "kim", PASSWORD, replaces=first.token)
    with pytest.raises(DomainError, match=ENDED):
        identity.authenticate(store, first.token)
    for held in (elsewhere.token, token, again.token):
        assert held is not None and identity.authenticate(store, held) == "kim"
    # A client that held another user's session: it ends too (no one holds it any more). A
    # wrong password replaces nothing.
    lee = first_login(store, "lee", "planner")
    with pytest.raises(DomainError, match="wrong user name or password"):
        identity.login(store, "kim", "a guess at the password", replaces=lee.token)
    assert identity.authenticate(store, lee.token) == "lee"
    clock.advance(seconds=1)  # the wait a wrong password set
    identity.login(store, "kim", PASSWORD, replaces=lee.token)
    with pytest.raises(DomainError, match=ENDED):
        identity.authenticate(store, lee.token)
    # Only a session is replaced, never an API token held in its place.
    assert token is not None
    identity.login(store, "kim", PASSWORD, replaces=token)
    assert identity.authenticate(store, token) == "kim"


def test_a_password_changes_only_with_the_current_one(store: Store) -> None:
    session = first_login(store, "kim", "planner")
    with pytest.raises(DomainError, match="that is not the current password of kim"):
        identity.change_password(store, session.token, "a guess at it", "a new long password")
    identity.change_password(store, session.token, PASSWORD, "a new long password")
    assert identity.login(store, "kim", "a new long password").user == "kim"


def test_a_name_too_long_to_store_is_still_refused_and_audited(store: Store) -> None:
    with pytest.raises(DomainError, match="there is no user named 0000"):
        identity.reset_password(store, "root", "0" * 300)
    entry = log(store)[-1]
    assert entry.outcome == "refused" and len(entry.target) == 200 and entry.target.endswith("…")


def test_a_nul_character_is_refused_alike_on_every_backend_and_audited(store: Store) -> None:
    with pytest.raises(LfrError, match="NUL character"):
        users.add_user(store, "root", "eve\x00", ["planner"])
    entry = log(store)[-1]
    assert (entry.action, entry.outcome, entry.target) == ("user.add", "refused", "user eve\\x00")


def test_no_transaction_is_open_while_a_password_is_hashed_or_checked(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 takes about 0.2 s; on SQLite every transaction holds the database's one write
    lock, so alerts being raised would wait on each login. Each argon2 call here looks: the
    lock must be free (another connection takes it at once)."""
    store = staffed_store(tmp_path, None, clock)
    database = str(store.db.engine.url.database)
    calls: list[str] = []

    def lock_is_free(what: str) -> None:
        with closing(sqlite3.connect(database, timeout=0)) as other:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if it is held
            other.rollback()
        calls.append(what)

    matches, slow_digest = passwords.matches, passwords.slow_digest

    def checking(digest: str, password: str) -> bool:
        lock_is_free("check")
        return matches(digest, password)

    def hashing(password: str) -> str:
        lock_is_free("hash")
        return slow_digest(password)

    try:
        first_login(store, "kim", "planner")
        monkeypatch.setattr(passwords, "matches", checking)
        monkeypatch.setattr(passwords, "slow_digest", hashing)
        session = identity.login(store, "kim", PASSWORD)
        identity.change_password(store, session.token, PASSWORD, "a new long password")
        with pytest.raises(DomainError, match="wrong user name or password"):
            identity.login(store, "kim", PASSWORD)
    finally:
        store.close()
    assert calls == ["check", "check", "hash", "check"]
