"""On a phone, a coordinator covers a gap by keyboard; the pages have no axe-core violations."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (  # noqa: F401 (the browser harness's fixtures)
    axe_check,
    browser_context_args,
    browser_type_launch_args,
    live_server,
    screen,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, email):
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_coordinator_covers_a_gap_on_a_phone(
    page,
    live_server,  # noqa: F811 (the harness fixture imported above)
    axe_check,  # noqa: F811
    patient,
    coordinator,
    add_item,
    add_medication,  # noqa: F811
):
    add_item(patient, "thomas-stretch", parts=("morning",))
    add_medication(patient, "Naproxen", parts=("evening",))
    log_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/patients/{patient.id}/coverage")
    expect(page.get_by_text("0 of 14 windows covered this week")).to_be_visible()
    assert no_sideways_scroll(page)
    axe_check(page, "coverage page with gaps")

    first = page.get_by_role("button", name="I'll do it").nth(2)
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you: you cover")).to_be_visible()
    expect(page.get_by_text("1 of 14 windows covered this week")).to_be_visible()
    expect(page.get_by_text("Dana Coordinator (you)")).to_be_visible()
    axe_check(page, "coverage page after covering")

    page.get_by_role("link", name="Change the hours").click()
    page.get_by_label("Morning from").fill("09:00")
    page.get_by_label("Morning until").fill("08:00")
    page.get_by_role("button", name="Save the hours").click()
    expect(page.get_by_text("Morning must end after it starts.").first).to_be_visible()
    assert no_sideways_scroll(page)
    axe_check(page, "parts of the day with an error")
