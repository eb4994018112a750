"""An aide's first week, with card payments on (the fake Stripe server): Sam signs up,
writes a profile, is verified by an administrator, sets up payouts on Stripe's page, filters
the board, books Rosa's series, checks in when it opens, logs the visit in a few taps, checks
out, and sees what he earned."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS, fits_the_screen, go_to
from tests.browser.test_marketplace_story import log_in
from tests.conftest import PASSWORD
from tests.mail import links_in
from tests.payments.conftest import app, run, save_card  # noqa: F401 - Stripe mode
from tests.visits.conftest import move_visit

pytestmark = [BOTH_SCREENS, pytest.mark.usefixtures("daytime")]


def test_aide_signs_up_is_verified_books_works_and_is_paid(
    browser, browser_context_args, live_server, axe_check, app, patient, make_user, post_request,  # noqa: F811
    save_card, fake_stripe, store, smtp, deliver,  # noqa: F811 - the payments fixtures
):  # fmt: skip
    from urllib.parse import urlsplit

    from webapp.payments.models import PayoutAccount, VisitPayment
    from webapp.scheduling.models import Visit

    save_card(patient)
    request = post_request(
        patient, weekdays=[0, 2, 4], count=3, tasks=("straight-leg-raise",), rate_cents=2800,
        days_ahead=1,
    )  # fmt: skip
    admin = make_user("admin", name="Ada Admin")

    # Sam signs up as an aide and confirms the address from the email.
    sam = browser.new_context(**browser_context_args).new_page()
    sam.on("dialog", lambda dialog: dialog.accept())
    sam.goto(live_server + "/auth/signup")
    sam.get_by_label(re.compile("^I am a care aide")).check()
    sam.get_by_label("Your name").fill("Sam Aide")
    sam.get_by_label("Email").fill("sam@example.com")
    sam.get_by_label("Password", exact=True).fill(PASSWORD)
    sam.get_by_label("Repeat the password").fill(PASSWORD)
    sam.get_by_role("button", name="Create account").click()
    expect(sam.get_by_role("heading", name="Check your email")).to_be_visible()
    deliver()
    (mail,) = smtp.messages(to="sam@example.com")
    sam.goto(live_server + urlsplit(links_in(mail)[0]).path)
    sam.get_by_label("The password you chose when signing up").fill(PASSWORD)
    sam.get_by_role("button", name="Create my account").click()
    expect(sam.get_by_text("Welcome to HomeStretch, Sam Aide.")).to_be_visible()

    # His profile, which patients read and the administrator checks.
    sam.get_by_role("link", name="Create your aide profile").click()
    sam.get_by_label("About you (optional)").fill("Eight years helping people home from hospital.")
    sam.get_by_label("Stretching assistance").check()
    sam.get_by_label("Strengthening exercise support").check()
    sam.get_by_label("Hourly rate").fill("28")
    sam.get_by_label("Where you travel").fill("Springfield 12345")
    sam.get_by_role("button", name="Create my profile").click()
    expect(sam.get_by_text(re.compile("saved|created", re.I)).first).to_be_visible()
    axe_check(sam, "aide profile saved")

    # Ada, the administrator, records the background check.
    ada = browser.new_context(**browser_context_args).new_page()
    log_in(ada, live_server, admin.email)
    go_to(ada, "Vet aides")
    check = ada.get_by_role("form", name="Verify Sam Aide")
    check.get_by_label("Note for the record").fill("Background check 2026-11 ref 4411, clear.")
    check.get_by_role("button", name=re.compile("^Verify")).click()
    expect(ada.get_by_text(re.compile("Sam Aide is verified"))).to_be_visible()
    axe_check(ada, "vetting page")

    # Payouts on Stripe's own page, then back to HomeStretch.
    go_to(sam, "Payouts")
    sam.get_by_role("button", name="Set up payouts").click()
    expect(sam).to_have_title(re.compile("^Onboarding acct_"))
    fake_stripe.finish_onboarding(store.one(PayoutAccount).stripe_account_id)
    sam.goto(live_server + "/payouts/return")
    expect(sam.get_by_text("Payouts on")).to_be_visible()

    # The board, filtered to his town and his skills; he books the whole series.
    go_to(sam, "Board")
    sam.get_by_text("Filter").click()
    sam.get_by_label("Area (town or postal code)").fill("12345")
    sam.get_by_label("Task").select_option("straight-leg-raise")
    sam.get_by_role("button", name="Show visits").click()
    expect(sam.get_by_text("3 open visits")).to_be_visible()
    axe_check(sam, "board, filtered")
    sam.get_by_role("link", name=re.compile("^Details")).first.click()
    sam.get_by_role("button", name="Book all 3 open visits").click()
    expect(sam.get_by_text("Booked all 3 visits of the series.")).to_be_visible()
    first = min(store.all(Visit, request_id=request.id), key=lambda visit: visit.starts_at)
    assert store.one(VisitPayment, visit_id=first.id).status == "authorized"

    # Check-in opens 15 minutes before; the page says when until then.
    go_to(sam, "My visits")
    sam.get_by_role("link", name=re.compile("^Open")).first.click()
    expect(sam.get_by_text(re.compile("^Check-in opens at"))).to_be_visible()
    expect(sam.get_by_role("button", name="Check in")).to_have_count(0)
    move_visit(app, first.id, minutes_from_now=10)
    sam.reload()
    sam.get_by_role("button", name="Check in").click()

    # The log in a few taps: pain before, the exercise done, pain after, check out.
    log = sam.locator("#log")
    log.locator("fieldset.pain-scale").first.get_by_text("3", exact=True).click()
    log.locator("fieldset.task-log", has_text="Straight-leg raise").get_by_label(
        "Done", exact=True
    ).check()
    log.locator("fieldset.pain-scale").last.get_by_text("2", exact=True).click()
    move_visit(app, first.id, minutes_from_now=-60)  # the hour has gone by
    log.get_by_role("button", name="Save and check out").click()
    expect(sam.get_by_text(re.compile("Checked out. The visit is complete"))).to_be_visible()
    paid = store.one(VisitPayment, visit_id=first.id)
    assert (paid.status, paid.captured_cents, paid.fee_cents) == ("captured", 2800, 280)

    # What he earned: the visit's price less the platform's fee.
    go_to(sam, "Payouts")
    expect(sam.get_by_role("heading", name="Earnings per month")).to_be_visible()
    expect(sam.get_by_text(re.compile(r"You earn \$25\.20"))).to_be_visible()
    axe_check(sam, "payouts with earnings")
    assert fits_the_screen(sam)
