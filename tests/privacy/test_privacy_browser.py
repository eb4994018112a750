"""On a phone and with the keyboard only, a patient reads what deletion does and deletes."""

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


def test_patient_deletes_their_account_by_keyboard_on_a_phone(
    page, live_server, axe_check, patient, history
):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server + "/auth/profile")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    expect(page.get_by_role("link", name="Download all my data")).to_be_visible()
    axe_check(page, "profile with the Your data section")
    page.get_by_role("link", name="Delete my account").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    expect(page.get_by_text("booked by an aide, who will see it cancelled")).to_be_visible()
    axe_check(page, "deletion page")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"

    page.get_by_label("Your current password").focus()
    page.keyboard.type("not my password")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the confirmation box
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Delete my account"
    expect(
        page.locator(
            ".field__error", has_text="That is not your current password. Nothing was changed."
        )
    ).to_be_visible()
    axe_check(page, "deletion page with an error")

    page.get_by_label("Your current password").focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    if not page.get_by_role("checkbox").is_checked():
        page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    axe_check(page, "goodbye page")
    page.goto(live_server + "/dashboard")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
