"""On phones: a patient posts Mon/Wed/Fri 9-10 help, an aide books the series, another aide
sees the slots gone, and a cancellation puts one back on the board."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS, fits_the_screen, go_to
from tests.conftest import PASSWORD

pytestmark = BOTH_SCREENS


def log_in(page, base, email):
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Hello"))).to_be_visible()


def test_request_booking_and_cancellation_story(
    browser, browser_context_args, live_server, axe_check, patient, make_aide, app
):
    from webapp.care import services as care
    from webapp.extensions import db

    with app.app_context():
        owner = db.session.get(type(patient), patient.id)
        for slug in ("thomas-stretch", "runners-lunge", "straight-leg-raise"):
            care.add_exercise(owner, slug)
        db.session.commit()
    vera = make_aide("Vera Verified", area="Springfield 12345")
    olga = make_aide("Olga Other", area="Springfield 12345")
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)

    rosa = browser.new_context(**browser_context_args).new_page()
    log_in(rosa, live_server, patient.email)
    rosa.get_by_role("link", name="Ask for help").first.click()
    expect(rosa.get_by_role("heading", name="Ask for help with your routine")).to_be_visible()
    axe_check(rosa, "new request form")
    rosa.get_by_label("Thomas stretch").check()
    rosa.get_by_label("Runner's lunge stretch").check()
    rosa.get_by_label("Help with medications due in this window").check()
    rosa.get_by_label("Date (first visit)").fill(monday.isoformat())
    rosa.get_by_label("From").fill("09:00")
    rosa.get_by_label("Until", exact=True).fill("10:00")
    rosa.get_by_label("Every week on these days").check()
    for day in ("Mon", "Wed", "Fri"):
        rosa.get_by_label(day, exact=True).check()
    rosa.get_by_label("After a number of visits").check()
    rosa.get_by_label("Number of visits", exact=True).fill("6")
    rosa.get_by_label("Hourly rate offered").fill("30")
    rosa.get_by_label("Street address").fill("27 Maple Avenue")
    rosa.get_by_label("Town or city").fill("Springfield")
    rosa.get_by_label("Postal code").fill("12345")
    rosa.get_by_role("button", name="Post the request").click()
    expect(rosa.get_by_text("Your request is posted.")).to_be_visible()
    expect(rosa.locator(".slot")).to_have_count(6)
    expect(rosa.locator(".slot").first).to_contain_text("09:00–10:00")
    expect(
        rosa.get_by_text(re.compile(r"Mon, Wed, Fri 09:00–10:00 until \d+ \w{3}"))
    ).to_be_visible()
    axe_check(rosa, "request page (patient)")

    aide = browser.new_context(**browser_context_args).new_page()
    log_in(aide, live_server, vera.email)
    go_to(aide, "Board")
    aide.get_by_text("Filter").click()
    aide.get_by_label("Area (town or postal code)").fill("springfield")
    aide.get_by_label("Task").select_option("thomas-stretch")
    aide.get_by_role("button", name="Show visits").click()
    expect(aide.get_by_text("6 open visits")).to_be_visible()
    expect(
        aide.get_by_text(re.compile("part of a series: Mon, Wed, Fri 09:00–10:00")).first
    ).to_be_visible()
    axe_check(aide, "board")
    aide.get_by_role("link", name=re.compile("^Details")).first.click()
    expect(aide.get_by_text("27 Maple Avenue")).to_have_count(0)  # no address before booking
    axe_check(aide, "request page (aide)")
    aide.get_by_role("button", name="Book all 6 open visits").click()
    expect(aide.get_by_text("Booked all 6 visits of the series.")).to_be_visible()
    expect(aide.locator(".slot")).to_have_count(6)
    aide.get_by_role("link", name=re.compile("^Open")).first.click()
    expect(aide.get_by_text("27 Maple Avenue, Springfield 12345")).to_be_visible()
    expect(aide.get_by_role("heading", name="Avoid during recovery")).to_be_visible()
    expect(aide.get_by_role("heading", name="Thomas stretch")).to_be_visible()
    axe_check(aide, "visit page")

    other = browser.new_context(**browser_context_args).new_page()
    log_in(other, live_server, olga.email)
    other.goto(live_server + "/board")
    expect(other.get_by_text("0 open visits")).to_be_visible()

    aide.once("dialog", lambda dialog: dialog.accept())
    aide.get_by_role("button", name="Cancel this visit").click()
    expect(aide.get_by_text(re.compile("Visit cancelled; it is open again"))).to_be_visible()
    other.goto(live_server + "/board")
    expect(other.get_by_text("1 open visit.")).to_be_visible()

    rosa.goto(live_server + "/dashboard")
    expect(rosa.get_by_text("Vera Verified is coming").first).to_be_visible()
    axe_check(rosa, "patient dashboard")
    assert fits_the_screen(rosa)
