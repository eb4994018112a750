"""On a phone, by keyboard: a patient writes down a painful session at home and is told to stop."""

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# The browser harness (Debian's Chromium at phone size, a live server, axe-core).
browser_type_launch_args = browser.browser_type_launch_args
browser_context_args = browser.browser_context_args
screen = browser.screen
live_server = browser.live_server
axe_check = browser.axe_check


def no_sideways_scroll(page, label):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{label} scrolls sideways on a phone ({width}px)"


def test_patient_logs_a_painful_session_by_keyboard(page, live_server, axe_check, patient, routine):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/patients/{patient.id}/home-log/new?part=evening")
    expect(page.get_by_role("heading", name="Write down a home session")).to_be_visible()
    axe_check(page, "new home session")
    no_sideways_scroll(page, "the home session form")

    thomas = page.get_by_role("group", name="Thomas stretch").get_by_label("Done", exact=True)
    for choice in (page.locator("#pain_before-3"), thomas, page.locator("#pain_after-7")):
        choice.focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Save the session").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Evening session at home")).to_be_visible()
    expect(page.get_by_text("contact the physical therapist").first).to_be_visible()
    axe_check(page, "a flagged home session")
    no_sideways_scroll(page, "the home session page")

    page.get_by_role("link", name="← Home log").click()
    expect(page.get_by_text("Stopped because of pain")).to_be_visible()
    axe_check(page, "the home log")

    page.goto(live_server + "/dashboard")
    expect(page.get_by_text("1 at home, 0 with an aide")).to_be_visible()
    axe_check(page, "dashboard with a home session in the trends")
    no_sideways_scroll(page, "the dashboard")
