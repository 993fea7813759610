"""``lfr report``: published records written by the real command against a real SQLite file,
after a deployment run through the other commands (tests/cli/test_governance.py's setup)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openlfr.services import alerts
from tests.cli.test_governance import Lfr, add_users, application, lfr, lfw_image, subject

__all__ = ["lfr"]

NAME = "Zebedee Quillfeather"  # a name no report may hold


def ran_deployment(lfr: Lfr, tmp_path: Path) -> int:
    """A deployment of one enrolled subject, live now, with one alert: a confirmed true match
    and an arrest. Its id."""
    add_users(lfr)
    lfr.json(
        "watchlist", "add", str(subject(tmp_path, NAME, "wanted_by_court")),
        "--image", lfw_image("Aaron_Eckhart"), "--source", "custody_image", user="wendy",
    )  # fmt: skip
    now = datetime.now(UTC)
    made = application(tmp_path, now - timedelta(hours=1), now + timedelta(hours=2))
    ident = str(lfr.json("deployment", "create", str(made), user="pat")["id"])
    lfr.json("deployment", "authorise", ident, user="ali")
    lfr.json("deployment", "compile", ident, user="pat")
    lfr.json("deployment", "approve", ident, user="ali")
    lfr.json("deployment", "start", ident, "--signs-up", user="omar")
    store = lfr.store()
    try:
        [entry] = alerts.load_watchlist(store, int(ident)).entries
        raised = alerts.raise_alert(store, int(ident), entry, "van-07-north", b"crop", 0.81)
    finally:
        store.close()
    lfr.json("alert", "adjudicate", str(raised.id), "confirmed_true", "--outcome", "arrested",
             user="omar")  # fmt: skip
    return int(ident)


def test_a_deployment_record_in_each_format(lfr: Lfr, tmp_path: Path) -> None:
    ident = ran_deployment(lfr, tmp_path)
    done = lfr("report", "deployment", str(ident), "--format", "json", user="ali")
    assert done.exit_code == 0, done.stderr
    r = json.loads(done.stdout)
    assert (r["deployment"], r["alerts"], r["confirmed_true"], r["arrests"]) == (ident, 1, 1, 1)
    assert r["faces_seen"] is None and r["false_alert_rate_over_faces"] is None
    assert r["ended_at"] is None and r["watchlist_size"] == 1 and r["threshold"] == 0.6

    [row] = csv.DictReader(io.StringIO(lfr("report", "deployment", str(ident), "--format", "csv",
                                           user="omar").stdout))  # fmt: skip
    assert row["faces_seen"] == "not available" and row["unconfirmed_false"] == "0"

    page = tmp_path / "record.html"
    written = lfr("report", "deployment", str(ident), "--output", str(page), user="ali")
    assert written.exit_code == 0 and written.stdout == ""
    html = page.read_text()
    assert '<th scope="row">Faces seen</th><td>not available</td>' in html
    assert NAME not in html and "<script" not in html and "<link" not in html


def test_an_arrests_disposal_is_recorded_and_counted(lfr: Lfr, tmp_path: Path) -> None:
    ident = ran_deployment(lfr, tmp_path)
    [alert] = lfr.json("alert", "list", user="omar")
    assert lfr.refused("alert", "disposal", str(alert["id"]), "other", user="omar") == (
        f"alert {alert['id']}: the disposal 'other' needs a note saying what it was (--note)"
    )
    done = lfr("alert", "disposal", str(alert["id"]), "charged", user="omar")
    assert done.stdout == f"alert {alert['id']}: arrest disposed of as charged\n"
    done = lfr("report", "deployment", str(ident), "--format", "json", user="ali")
    r = json.loads(done.stdout)
    assert (r["arrests"], r["charged"], r["awaiting_disposal"]) == (1, 1, 0)


def test_a_transparency_report_of_a_period(lfr: Lfr, tmp_path: Path) -> None:
    ident = ran_deployment(lfr, tmp_path)
    today = datetime.now(UTC).date().isoformat()
    period = ("report", "transparency", "--from", today, "--to", today)
    report = json.loads(lfr(*period, "--format", "json", user="omar").stdout)
    assert [r["deployment"] for r in report["deployments"]] == [ident]
    assert report["totals"]["counted"]["arrests"] == 1 and report["totals"]["faces_seen"] is None
    page = tmp_path / "transparency.html"
    assert lfr(*period, "--output", str(page), user="ali").exit_code == 0
    html = page.read_text()
    assert html.count("<svg") == 2 and NAME not in html
    assert lfr.refused("report", "transparency", "--from", today, "--to", "2020-01-01",
                       user="ali") == (f"the period ends (2020-01-01) before it starts ({today}): "
                                       "give --from first")  # fmt: skip
    bad = lfr.run("report", "transparency", "--from", "1/2/2026", "--to", today, user="ali")
    assert bad.returncode == 2 and "'1/2/2026' does not match the formats '%Y-%m-%d'" in bad.stderr


def test_alerts_by_group_over_a_period(lfr: Lfr, tmp_path: Path) -> None:
    ran_deployment(lfr, tmp_path)
    today = datetime.now(UTC).date().isoformat()
    period = ("report", "equitability", "--from", today, "--to", today)
    done = lfr(*period, "--format", "csv", user="ali")
    assert done.stdout.splitlines()[1] == "all,male,white,1,1,1,0"
    assert lfr.refused(*period, user="pat").startswith("user pat (planner) may not produce")


def test_the_public_notice_is_a_page_and_json_in_a_folder(lfr: Lfr, tmp_path: Path) -> None:
    ran_deployment(lfr, tmp_path)
    folder = tmp_path / "public"
    assert lfr.refused("report", "notice", "--output", str(folder), user="ali") == (
        "the public notice must say how to raise a concern: set concerns_contact under "
        "[governance] in the settings file to an address, form or telephone number"
    )
    lfr.config.write_text('[governance]\nconcerns_contact = "concerns@ashbury.police.example"\n')
    done = lfr("report", "notice", "--output", str(folder), user="ali")
    assert done.stdout.split() == [str(folder / "notice.html"), str(folder / "notice.json")]
    notice = json.loads((folder / "notice.json").read_text())
    # The deployment is live: announced, and not yet among the past records.
    [announced] = notice["announced"]
    assert announced["live"] is True and notice["past"] == []
    assert "concerns@ashbury.police.example" in (folder / "notice.html").read_text()
    a_file = str(folder / "notice.json")
    refused = lfr.refused("report", "notice", "--output", a_file, user="ali")
    assert refused == f"{a_file}: not a folder: give a folder to write the notice in"


def test_report_refusals_are_one_line(lfr: Lfr, tmp_path: Path) -> None:
    add_users(lfr)
    assert lfr.refused("report", "deployment", "99", user="ali") == "there is no deployment 99"
    assert lfr.refused("report", "deployment", "99", user="pat") == (
        "user pat (planner) may not produce deployment records and transparency reports: that "
        "needs the role auditor or authorising_officer"
    )
    bad = lfr.run("report", "deployment", "1", "--format", "pdf", user="ali")
    assert bad.returncode == 2 and "'pdf' is not one of 'csv', 'json', 'html'" in bad.stderr
    assert lfr.refused(
        "report",
        "deployment",
        "1",
        "--output",
        str(tmp_path / "no" / "such" / "r.html"),
        user="ali",
    ).startswith("there is no deployment 1")  # refused before anything is written
