"""On a phone: a relative in another zone reads the calendar by keyboard, at 320 and 390 px,
makes a feed link; axe-core finds nothing on the pages."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_marketplace_story import log_in
from tests.calendar.test_views import next_monday

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_relative_reads_the_calendar_on_a_phone_by_keyboard(
    browser, browser_context_args, live_server, axe_check, patient, make_user, join_circle,
    post_request, verified_aide, book, visits_of, helper_routine,
):  # fmt: skip
    helper_routine(patient)
    daughter = make_user("family", name="Ana Family", timezone="Europe/London")
    join_circle(patient, daughter)
    monday = next_monday()
    first, _ = visits_of(post_request(patient, first_date=monday, weekdays=[0, 2], count=2))
    book(first, verified_aide)

    for width in (320, 390):
        context = browser.new_context(
            **{**browser_context_args, "viewport": {"width": width, "height": 800}}
        )
        page = context.new_page()
        log_in(page, live_server, daughter.email)
        for view in ("month", "week", "agenda"):
            page.goto(
                f"{live_server}/patients/{patient.id}/calendar?view={view}&date={monday.isoformat()}"
            )
            expect(page.get_by_text("Booked", exact=True).first).to_be_visible()
            expect(
                page.get_by_text("09:00–10:00 EST at Rosa Patient's home", exact=False).first
            ).to_be_visible()
            assert no_sideways_scroll(page), f"{view} scrolls sideways at {width} px"
            axe_check(page, f"{view} view at {width} px")
        context.close()

    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, daughter.email)
    page.goto(f"{live_server}/patients/{patient.id}/calendar?view=week&date={monday.isoformat()}")
    next_link = page.get_by_role("link", name="Next week")
    next_link.focus()
    page.keyboard.press("Enter")
    later = (monday + timedelta(days=7)).isoformat()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}/calendar?view=week&date={later}")

    page.goto(f"{live_server}/calendar/subscribe")
    axe_check(page, "subscribe page")
    page.get_by_role("button", name="Make a link to Rosa Patient").focus()
    page.keyboard.press("Enter")
    link = page.get_by_label("Calendar link")
    expect(link).to_have_value(re.compile(r"/calendar/feed/[A-Za-z0-9_-]{43}\.ics$"))
    assert no_sideways_scroll(page)
    axe_check(page, "subscribe page with a new link")
