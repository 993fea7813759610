"""Policy (retention, token lifetimes...) comes from the server's settings file alone, and what
is due is done only for a caller proven by a login: tried as an insider with a shell would."""

from __future__ import annotations

import json
from pathlib import Path

from openlfr.store.tables import alert_biometrics
from tests.cli.test_governance import PASSWORD, Lfr, lfr
from tests.cli.test_reports import ran_deployment
from tests.services.conftest import count

__all__ = ["lfr"]


def biometrics_kept(lfr: Lfr) -> int:
    store = lfr.store()
    try:
        return count(store, alert_biometrics)
    finally:
        store.close()


def test_no_caller_shortens_retention_from_their_environment(lfr: Lfr, tmp_path: Path) -> None:
    ident = ran_deployment(lfr, tmp_path)  # a confirmed true alert, an arrest
    lfr.json("deployment", "close", str(ident), user="omar")
    assert biometrics_kept(lfr) == 1  # kept 31 days after the close

    lfr.env["LFR_GOVERNANCE__RETAIN_CONFIRMED_DAYS"] = "0"
    assert lfr.refused("deployment", "list", user="omar") == (
        "LFR_GOVERNANCE__RETAIN_CONFIRMED_DAYS set policy, which comes only from the settings "
        f"file {lfr.config}, never from the environment: unset it (and set the value in that "
        "file if it is the server's)"
    )
    assert biometrics_kept(lfr) == 1


def test_no_caller_lengthens_their_api_token_from_their_environment(
    lfr: Lfr, tmp_path: Path
) -> None:
    ran_deployment(lfr, tmp_path)
    lfr.env["LFR_API_TOKEN_DAYS"] = "366"
    refused = lfr.refused("token", "create", "--days", "366", user="omar")
    assert refused.startswith("LFR_API_TOKEN_DAYS set policy, which comes only from the settings")
    del lfr.env["LFR_API_TOKEN_DAYS"]
    assert lfr.refused("token", "create", "--days", "366", user="omar", input=f"{PASSWORD}\n") == (
        "an API token lasts 1 to 90 days (api_token_days), not 366"
    )


def test_the_settings_files_retention_applies_once_the_caller_is_proven_and_is_audited(
    lfr: Lfr, tmp_path: Path
) -> None:
    ident = ran_deployment(lfr, tmp_path)
    lfr.json("deployment", "close", str(ident), user="omar")
    lfr.config.write_text("[governance]\nretain_confirmed_days = 0\n")
    lfr.config.chmod(0o666)
    refused = lfr.refused("deployment", "list", user="omar")
    assert refused == f"the settings file {lfr.config} may be written by others (mode " \
        f"-rw-rw-rw-): chmod go-w {lfr.config}"  # fmt: skip
    lfr.config.chmod(0o600)

    # Someone on this account but logged in as no one, and a session that has ended: nothing.
    assert lfr.refused("deployment", "list") == "not logged in: run lfr login NAME"
    lfr.session(None).write_text(json.dumps({"token": "not a session"}))
    lfr.session(None).chmod(0o600)
    assert lfr.refused("deployment", "list").startswith("this session has ended")
    assert biometrics_kept(lfr) == 1

    done = lfr("deployment", "list", user="omar")
    assert done.exit_code == 0, done.stderr
    assert "biometrics of alert(s) 1 purged" in done.stderr
    assert biometrics_kept(lfr) == 0
    exported = lfr("audit", "export", "--json", user="omar").stdout.splitlines()
    [purge] = [e for e in map(json.loads, exported) if e["action"] == "alert.purge_biometrics"]
    applied = {"retain_unconfirmed_hours": 24, "retain_confirmed_days": 0}
    assert json.loads(purge["detail"])["policy"] == applied
