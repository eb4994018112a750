"""On a phone at the bedside: the aide checks in, works through the stretches with pain 4 -> 2,
gives the morning medication, skips one exercise with a reason and checks out; the patient
reads the summary, the trend chart and the audit log."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS, fits_the_screen
from tests.browser.test_marketplace_story import log_in
from tests.visits.conftest import move_visit

# At 09:00 New York time, so the visit starting in 5 minutes has its morning dose due.
pytestmark = [pytest.mark.usefixtures("daytime"), BOTH_SCREENS]


def test_visit_at_the_bedside_and_the_summary(
    browser,
    browser_context_args,
    live_server,
    axe_check,
    app,
    patient,
    verified_aide,
    patient_client,
    verified_aide_client,
    post_request,
    store,
):
    from webapp.scheduling.models import Visit

    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={
            "name": "Ibuprofen",
            "dose": "400 mg",
            "times_of_day": ["morning", "midday", "afternoon", "evening", "bedtime"],
        },
    )
    request = post_request(patient, tasks=("thomas-stretch", "runners-lunge"), medications=True)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    move_visit(app, visit.id, minutes_from_now=5)

    aide = browser.new_context(**browser_context_args).new_page()
    log_in(aide, live_server, verified_aide.email)
    aide.goto(f"{live_server}/visits/{visit.id}")
    expect(aide.get_by_role("heading", name="Avoid during recovery")).to_be_visible()
    axe_check(aide, "visit page before check-in")
    aide.get_by_role("button", name="Check in").click()
    expect(aide.get_by_text("Checked in. Ask about pain before you start.")).to_be_visible()
    axe_check(aide, "visit page with the log")

    log = aide.locator("#log")
    log.locator("fieldset.pain-scale").first.get_by_text("4", exact=True).click()
    thomas = log.locator("fieldset.task-log", has_text="Thomas stretch")
    thomas.get_by_label("Done", exact=True).check()
    lunge = log.locator("fieldset.task-log", has_text="Runner's lunge stretch")
    lunge.get_by_label("Skipped").check()
    lunge.get_by_label("Why not fully done").select_option("pain")
    medication = log.locator("fieldset.task-log", has_text="Ibuprofen")
    medication.get_by_label("Given", exact=True).check()
    medication.get_by_label("Time given").fill("09:15")
    log.locator("fieldset.pain-scale").last.get_by_text("2", exact=True).click()
    log.get_by_label("Notes for the patient and family (optional)").fill("Knee too sore to kneel.")
    move_visit(app, visit.id, minutes_from_now=-50)  # check-out waits for the start
    log.get_by_role("button", name="Save and check out").click()
    expect(aide.get_by_text(re.compile("Checked out. The visit is complete"))).to_be_visible()
    assert store.one(Visit, id=visit.id).status == "completed"

    rosa = browser.new_context(**browser_context_args).new_page()
    log_in(rosa, live_server, patient.email)
    expect(rosa.get_by_text("Pain 4 → 2")).to_be_visible()
    expect(rosa.get_by_role("img", name="Pain before and after each visit")).to_be_visible()
    axe_check(rosa, "dashboard with trends")
    rosa.get_by_role("link", name=re.compile("^Summary")).click()
    expect(rosa.get_by_role("heading", name="Visit summary")).to_be_visible()
    expect(rosa.get_by_text("Skipped: pain")).to_be_visible()
    expect(rosa.get_by_text("Knee too sore to kneel.")).to_be_visible()
    axe_check(rosa, "visit summary")
    rosa.goto(f"{live_server}/audit")
    expect(rosa.get_by_role("cell", name=re.compile("Vera Verified")).first).to_be_visible()
    axe_check(rosa, "audit log")
    assert fits_the_screen(rosa)
