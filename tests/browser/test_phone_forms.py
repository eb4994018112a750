"""On a phone and a desktop, forms show only what applies, say every error with a link to its
field, and the request page keeps each visit's cancel buttons behind one "Change" step."""

import re

from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS
from tests.browser.test_marketplace_story import log_in
from tests.visits.conftest import move_visit

pytestmark = BOTH_SCREENS


def test_the_request_form_shows_weekly_fields_only_for_a_series_and_links_each_error(
    browser, browser_context_args, live_server, axe_check, patient
):
    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server}/requests/new")
    days = page.get_by_role("group", name="Days of the week")
    expect(page.get_by_label("Just once")).to_be_checked()
    expect(days).to_be_hidden()
    page.get_by_label("Every week on these days").check()
    expect(days).to_be_visible()
    expect(page.get_by_label("End date")).to_be_visible()
    expect(page.get_by_label("Number of visits", exact=True)).to_be_hidden()
    page.get_by_label("After a number of visits").check()
    expect(page.get_by_label("Number of visits", exact=True)).to_be_visible()
    expect(page.get_by_label("End date")).to_be_hidden()
    axe_check(page, "request form, weekly")

    page.get_by_label("Just once").check()
    page.get_by_label("Until").fill("08:00")
    page.get_by_label("From").fill("09:00")
    page.get_by_role("button", name="Post the request").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert links.count() >= 3  # date, street, town at least, each by name
    expect(summary.get_by_role("link", name=re.compile("^Street address: "))).to_be_visible()
    summary.get_by_role("link", name=re.compile("^Street address: ")).click()
    assert page.evaluate("location.hash") == "#street"
    expect(days).to_be_hidden()  # still "Just once" after the round trip
    axe_check(page, "request form with errors")


def test_each_visit_of_a_series_is_changed_through_one_step(
    browser, browser_context_args, live_server, axe_check, patient, post_request, store
):
    from webapp.scheduling.models import Visit

    request = post_request(patient, weekdays=[0, 2, 4], count=12)
    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server}/requests/{request.id}")
    cancel_buttons = page.locator(".slot-list .button--danger")
    assert cancel_buttons.count() == 23  # in the page, but none shown until asked for
    expect(cancel_buttons.first).to_be_hidden()
    changes = page.locator(".slot-list summary", has_text="Change")
    assert changes.count() == 12
    axe_check(page, "request page with twelve visits")

    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    changes.nth(2).click()
    visible = page.locator(".slot-list .button--danger:visible")
    assert visible.count() == 2
    visible.get_by_text("Cancel this visit").click()
    expect(page.get_by_text(re.compile("cancelled", re.I)).first).to_be_visible()
    assert len(questions) == 1 and questions[0].startswith("Cancel the visit on ")
    statuses = [v.status for v in store.all(Visit, request_id=request.id)]
    assert statuses.count("cancelled") == 1


def test_the_visit_log_shows_extra_fields_only_when_they_apply(
    daytime, browser, browser_context_args, live_server, app, patient, patient_client,
    verified_aide, verified_aide_client, post_request, store,
):  # fmt: skip
    from webapp.scheduling.models import Visit

    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ["morning"]},
    )
    request = post_request(
        patient, tasks=("straight-leg-raise", "cold-pack"), medications=True, days_ahead=1
    )
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    move_visit(app, visit.id, minutes_from_now=5)
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})

    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, verified_aide.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    log = page.locator("#log")
    thomas = log.locator("fieldset.task-log", has_text="Straight-leg raise")
    cold = log.locator("fieldset.task-log", has_text="Cold pack")
    dose = log.locator("fieldset.task-log", has_text="Ibuprofen")
    expect(thomas.get_by_label("Why not fully done")).to_be_hidden()
    expect(thomas.get_by_label("Sets done")).to_be_hidden()
    expect(cold.get_by_label("Sets done")).to_have_count(0)  # a cold pack has no sets
    expect(dose.get_by_label("Time given")).to_be_hidden()

    thomas.get_by_label("Done", exact=True).check()
    expect(thomas.get_by_label("Sets done")).to_be_visible()
    expect(thomas.get_by_label("Why not fully done")).to_be_hidden()
    thomas.get_by_label("Skipped").check()
    expect(thomas.get_by_label("Why not fully done")).to_be_visible()
    expect(thomas.get_by_label("Sets done")).to_be_hidden()
    dose.get_by_label("Given", exact=True).check()
    expect(dose.get_by_label("Time given")).to_be_visible()
