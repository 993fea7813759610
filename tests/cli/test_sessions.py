"""Sessions from the command line, attacked with a copy of a session file: a login ends the
session it replaces, a token needs the password again, a deactivated user's tokens end."""

from __future__ import annotations

import json

from tests.cli.test_governance import PASSWORD, Lfr, add_users, lfr

__all__ = ["lfr"]

ENDED = "this session has ended"


def copy_of_session(lfr: Lfr, name: str) -> bytes:
    return lfr.session(name).read_bytes()


def restore(lfr: Lfr, name: str, kept: bytes) -> None:
    lfr.session(name).write_bytes(kept)
    lfr.session(name).chmod(0o600)


def test_a_login_ends_the_session_it_replaces(lfr: Lfr) -> None:
    add_users(lfr)
    kept = copy_of_session(lfr, "pat")
    lfr.login("pat")
    restore(lfr, "eve", kept)  # the old file, kept elsewhere: its session ended with the login
    assert lfr.refused("whoami", user="eve").startswith(ENDED)
    assert lfr.json("whoami", user="pat") == {"user": "pat"}


def test_a_session_alone_makes_no_api_token(lfr: Lfr) -> None:
    add_users(lfr)
    restore(lfr, "eve", copy_of_session(lfr, "pat"))  # a session file read once
    refused = lfr.refused("token", "create", user="eve", input="a guess at the password\n")
    assert refused == "that is not the password of pat: no token made"
    assert lfr.json("token", "list", user="pat") == []
    done = lfr("token", "create", "--json", user="pat", input=f"{PASSWORD}\n")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["secret"]


def test_deactivation_ends_every_session_and_token_even_after_reactivation(lfr: Lfr) -> None:
    add_users(lfr)
    done = lfr("token", "create", "--json", user="pat", input=f"{PASSWORD}\n")
    secret = json.loads(done.stdout)["secret"]
    assert lfr("user", "deactivate", "pat", user="ada").exit_code == 0
    assert lfr("user", "activate", "pat", user="ada").exit_code == 0
    assert lfr.refused("whoami", user="pat").startswith(ENDED)
    lfr.session("eve").write_text(json.dumps({"token": secret}))  # the API token, as a script
    lfr.session("eve").chmod(0o600)
    assert lfr.refused("whoami", user="eve").startswith(ENDED)


def test_the_last_admin_who_can_log_in_cannot_deactivate_themself(lfr: Lfr) -> None:
    add_users(lfr)
    assert lfr.refused("user", "deactivate", "ada", user="ada") == (
        "ada is the last admin who can log in: add another admin, or reset one's password "
        "(lfr user reset), first"
    )
