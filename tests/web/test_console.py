"""The console, used as its users would: each role logs in and lands on its page; a planner
applies and an authorising officer authorises through the forms; an operator sees an alert
arrive live and adjudicates it in two clicks, and cannot reach the watchlist pages; a
watchlist manager sees the image check's verdict before enrolling; an auditor makes the
published records and publishes the public notice."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from openlfr.domain.alert import Adjudication, Alert, Outcome
from openlfr.services import alerts, deployments, users
from openlfr.vision.engine import Engine
from tests.domain.factories import NOW
from tests.services.conftest import STAFF, Clock, closed_deployment, lfw, live_deployment
from tests.web.conftest import Console, screenshot

LANDING = {"pat": "deployments", "olu": "deployments", "wendy": "subjects", "omar": "alerts",
           "ada": "audit", "root": "audit"}  # fmt: skip


def test_each_role_logs_in_and_lands_on_its_page(console: Console) -> None:
    for name in ["root", *STAFF]:
        page = console.log_in(name)
        expect(page).to_have_url(f"{console.base}/console/{LANDING[name]}")
        expect(page.locator("header .who")).to_contain_text(name)
        screenshot(page, f"landing-{name}")
        page.context.close()


def test_a_wrong_password_is_one_clear_refusal_on_the_login_page(console: Console) -> None:
    page = console.browser.new_context(base_url=console.base).new_page()
    page.goto("/console/deployments")
    expect(page).to_have_url(f"{console.base}/login")  # not logged in: sent to log in
    page.fill("input[name=name]", "pat")
    page.fill("input[name=password]", "not my password at all")
    page.click("button")
    expect(page.locator(".refused")).to_have_text("wrong user name or password")


def test_a_planner_applies_and_an_authorising_officer_authorises_through_the_forms(
    console: Console,
) -> None:
    pat = console.log_in("pat")
    pat.click("text=Apply for a deployment")
    for name, value in {
        "name": "Oxford Street, Saturday", "legal_basis": "Common law policing powers",
        "necessity": "Repeated robberies by people wanted on warrant", "location": "Oxford St",
        "location_grounds": "Intelligence places them there", "rights_assessment": "Art 8 met",
        "dpia_ref": "DPIA-1", "eqia_ref": "EQIA-1",
        "starts_at": (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (NOW + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
    }.items():  # fmt: skip
        pat.fill(f"[name={name}]", value)
    pat.select_option("select[name=cameras]", ["van-1-north"])
    pat.select_option("select[name=criteria]", ["wanted_by_court"])
    screenshot(pat, "application-form")
    pat.click("text=Submit the application")
    expect(pat.locator(".said")).to_contain_text("applied for")
    expect(pat.locator("h1")).to_contain_text("draft")
    expect(pat.locator("text=Authorise this deployment")).to_have_count(0)  # not a planner's
    olu = console.log_in("olu")
    olu.click("text=Oxford Street, Saturday")
    expect(olu.locator("main")).to_contain_text(
        re.compile(r"with 10,000 entries FPIR \d\.\de-0\d .*, FNIR \d+\.\d%")
    )
    screenshot(olu, "authorise")
    olu.click("text=Authorise this deployment")
    expect(olu.locator("h1")).to_contain_text("authorised")
    [d] = deployments.list_all(console.store, "olu")
    assert d.authorised_by == "olu" and d.cameras == ["van-1-north"]


def test_an_operator_sees_an_alert_arrive_live_and_adjudicates_it_in_two_clicks(
    console: Console, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(console.store, engine, clock)
    assert d.id is not None
    omar = console.log_in("omar")
    expect(omar.locator("#feed-state")).to_have_text("live")
    photo = lfw("Aaron_Eckhart").read_bytes()
    raised = alerts.raise_alert(console.store, d.id, 1, "van-1-north", photo, 0.71)
    card = omar.locator(f"#alert-{raised.id}")
    expect(card).to_be_visible(timeout=10_000)
    expect(card.locator(".subject")).to_contain_text("Aaron Eckhart (wanted_by_court)")
    for image in ("probe", "reference"):  # both loaded, from the authenticated endpoint
        omar.wait_for_function(
            "(s) => { const i = document.querySelector(s); return i.complete && i.naturalWidth; }",
            arg=f"#alert-{raised.id} img.{image}",
        )
    screenshot(omar, "alert-arrived")
    card.locator("select[name=outcome]").select_option("arrested")
    card.locator("text=Confirmed: same person").click()
    expect(omar.locator(".said")).to_contain_text(f"alert {raised.id}: confirmed_true, arrested")
    # Adjudicated, its card no longer loads the images (each load is an audited read).
    expect(card.locator("img")).to_have_count(0)
    expect(card.locator(".images")).to_contain_text("images (each view audited): camera")
    [a] = alerts.list_alerts(console.store, "ada", d.id)
    assert isinstance(a, Alert) and a.adjudication == Adjudication.CONFIRMED_TRUE
    assert a.adjudicated_by == "omar"


def test_an_operator_cannot_reach_the_watchlist_pages(console: Console) -> None:
    omar = console.log_in("omar")
    expect(omar.locator("header nav")).not_to_contain_text("Watchlist subjects")
    for path in ("/console/subjects", "/console/subjects/new"):
        answer = omar.goto(path)
        assert answer is not None and answer.status == 403
        expect(omar.locator(".refused")).to_contain_text(re.compile("may not .*watchlist subjects"))
    screenshot(omar, "operator-refused-watchlist")


def test_a_watchlist_manager_sees_the_image_check_before_enrolling(console: Console) -> None:
    wendy = console.log_in("wendy")
    wendy.click("text=Enrol a subject")
    wendy.set_input_files("input[name=image]", str(lfw("Aaron_Eckhart")))
    expect(wendy.locator("#image-verdict")).to_contain_text("accepted: Aaron_Eckhart_0001.jpg")
    for name, value in {"name": "Aaron Eckhart", "date_of_birth": "1970-01-01",
                        "reason": "Failed to appear", "case_reference": "WARRANT/1",
                        "review_by": "2027-06-01"}.items():  # fmt: skip
        wendy.fill(f"[name={name}]", value)
    screenshot(wendy, "enrol")
    wendy.click("button:text('Enrol')")
    expect(wendy.locator(".said")).to_contain_text("enrolled subject 1")
    expect(wendy.locator("table")).to_contain_text("Aaron Eckhart")


def test_an_auditor_makes_the_published_records_and_publishes_the_notice(
    console: Console, engine: Engine, clock: Clock
) -> None:
    ident = closed_deployment(console.store, engine, clock)
    console.store.settings.governance.concerns_contact = "concerns@ashbury.police.example"
    ada = console.log_in("ada")
    ada.click("header >> text=Published records")
    expect(ada.locator("main table tbody tr")).to_contain_text("Oxford Street, Saturday")
    screenshot(ada, "published-records")
    ada.click(f"a[href='/api/v1/reports/deployments/{ident}?format=html']")
    expect(ada.locator("h1")).to_contain_text("deployment record")
    # The record's own inline style applies (its policy allows it), and it names no one.
    assert ada.eval_on_selector("th", "e => getComputedStyle(e).backgroundColor") == (
        "rgb(240, 240, 240)"
    )
    expect(ada.locator("body")).not_to_contain_text("Aaron Eckhart")
    ada.go_back()
    ada.click("text=Make the transparency report")  # the last 30 days, as HTML
    expect(ada.locator("h1")).to_contain_text("transparency report")
    expect(ada.locator("figure svg").first).to_be_visible()
    screenshot(ada, "transparency-report")
    ada.go_back()
    ada.click("text=Publish the public notice")
    expect(ada.locator(".said")).to_contain_text("public notice published (2 files)")
    ada.click("a[href='/notice']")
    expect(ada.locator("body")).to_contain_text("concerns@ashbury.police.example")

    omar = console.log_in("omar")
    expect(omar.locator("header nav")).not_to_contain_text("Published records")
    answer = omar.goto("/console/reports")
    assert answer is not None and answer.status == 403


def test_a_verdict_given_on_one_handset_updates_the_others_and_a_stale_one_is_refused(
    console: Console, engine: Engine, clock: Clock
) -> None:
    """Finding 10: two operators' handsets show an alert; one confirms it. The other's open
    page shows the verdict by itself; a page that missed it (its feed cut) posts a verdict
    from its stale view and is told why it was refused, and the first verdict stands."""
    for name in ("olive", "otto"):
        users.add_user(console.store, "root", name, ["operator"])
    d = live_deployment(console.store, engine, clock)
    assert d.id is not None
    omar, olive, stale = console.log_in("omar"), console.log_in("olive"), console.log_in("otto")
    stale.route("**/api/v1/alerts/feed*", lambda route: route.abort())
    for page in (omar, olive):
        expect(page.locator("#feed-state")).to_have_text("live")
    raised = alerts.raise_alert(console.store, d.id, 1, "van-1-north", b"crop", 0.71)
    stale.goto("/console/alerts")  # loaded with the alert awaiting a verdict, then no news
    for page in (omar, olive, stale):
        verdicts = page.locator(f"#alert-{raised.id} >> text=Not the same person")
        expect(verdicts).to_be_visible(timeout=10_000)
    card = omar.locator(f"#alert-{raised.id}")
    card.locator("select[name=outcome]").select_option("arrested")
    card.locator("text=Confirmed: same person").click()
    expect(omar.locator(".said")).to_contain_text(f"alert {raised.id}: confirmed_true, arrested")
    updated = olive.locator(f"#alert-{raised.id}")
    expect(updated.locator(".verdict")).to_have_text("confirmed_true, arrested by omar")
    expect(updated).to_have_class(re.compile("changed"))
    expect(updated.locator("text=Not the same person")).to_have_count(0)
    screenshot(olive, "alert-adjudicated-elsewhere")
    stale.locator(f"#alert-{raised.id} >> text=Not the same person").click()
    expect(stale.locator(".refused")).to_have_text(
        f"alert {raised.id} has changed since it was seen (version 1, now 2: confirmed_true, "
        "arrested by omar): nothing recorded; look at it again before deciding"
    )
    a = alerts.get_alert(console.store, "ada", raised.id or 0)
    assert (a.adjudication, a.outcome, a.adjudicated_by) == (
        Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED, "omar"
    )  # fmt: skip
    # Changing it is its own control, with a reason: the amendment.
    updated.locator("summary").click()
    updated.locator("select[name=verdict]").select_option("confirmed_false")
    updated.locator("select[name=outcome]").select_option("engaged_no_further_action")
    updated.locator("input[name=reason]").fill("not him: spoke to him")
    updated.locator("text=Amend the verdict").click()
    expect(olive.locator(".said")).to_contain_text(
        f"alert {raised.id}: amended to confirmed_false, engaged_no_further_action"
    )
    expect(omar.locator(f"#alert-{raised.id} .verdict")).to_have_text(
        "confirmed_false, engaged_no_further_action by olive"
    )


def test_an_authorising_officer_sees_alerts_without_images_or_verdict_buttons(
    console: Console, engine: Engine, clock: Clock
) -> None:
    """Finding 13: the authorising officer may see alerts but not their images, nor give a
    verdict: the page offers neither (it showed 32 broken images and the buttons)."""
    d = live_deployment(console.store, engine, clock)
    assert d.id is not None
    photo = lfw("Aaron_Eckhart").read_bytes()
    alerts.raise_alert(console.store, d.id, 1, "van-1-north", photo, 0.71)
    olu = console.log_in("olu")
    refused: list[str] = []
    olu.on("response", lambda r: refused.append(r.url) if r.status == 403 else None)
    olu.goto("/console/alerts")
    expect(olu.locator("#feed-state")).to_have_text("live")
    raised = alerts.raise_alert(console.store, d.id, 2, "van-1-south", photo, 0.72)
    expect(olu.locator(f"#alert-{raised.id}")).to_be_visible(timeout=10_000)
    expect(olu.locator(".alert")).to_have_count(2)
    expect(olu.locator(".alert .subject").first).to_contain_text("Angelina Jolie")
    expect(olu.locator("img")).to_have_count(0)
    expect(olu.locator(".alert form")).to_have_count(0)
    expect(olu.locator(".alert button")).to_have_count(0)
    screenshot(olu, "alerts-authorising-officer")
    assert refused == []
