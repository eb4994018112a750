"""The request form's cost note follows what Rosa types (rate, times, repeat, number of visits
or end date) without sending the form, in the server's words and to the server's cent; the
note says the same as the page the server writes for those answers."""

import html
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.test_marketplace_story import log_in

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _note(page):
    return page.locator("#request-cost [data-cost-summary]")


def test_typing_a_new_rate_and_end_time_shows_the_new_cost(
    browser, browser_context_args, live_server, axe_check, patient
):
    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server}/requests/new")
    expect(_note(page)).to_have_text(
        "Each visit costs the hourly rate times its length; a series costs that for every "
        "visit in it."
    )
    expect(page.locator("#request-cost")).to_have_attribute("aria-live", "polite")

    page.get_by_label("From").fill("09:00")
    page.get_by_label("Until", exact=True).fill("10:00")
    expect(_note(page)).to_have_text("$28.00 per visit (1 h at $28.00 an hour).")
    page.get_by_label("Hourly rate offered").fill("30")
    page.get_by_label("Until", exact=True).fill("10:30")
    expect(_note(page)).to_have_text("$45.00 per visit (1 h 30 min at $30.00 an hour).")
    expect(_note(page).locator("strong")).to_have_text("$45.00 per visit")

    page.get_by_label("Every week on these days").check()
    for day in ("Mon", "Wed", "Fri"):
        page.get_by_label(day, exact=True).check()
    expect(_note(page)).to_have_text(
        "$45.00 per visit (1 h 30 min at $30.00 an hour); about $135.00 per week (3 visits a week)."
    )
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    page.get_by_label("Date (first visit)").fill(monday.isoformat())
    page.get_by_label("After a number of visits").check()
    page.get_by_label("Number of visits", exact=True).fill("6")
    expect(_note(page)).to_have_text(
        "$45.00 per visit (1 h 30 min at $30.00 an hour); $270.00 for the whole series of 6 visits."
    )
    page.get_by_label("On a date").check()
    page.get_by_label("End date").fill((monday + timedelta(days=13)).isoformat())
    expect(_note(page)).to_have_text(
        "$45.00 per visit (1 h 30 min at $30.00 an hour); $270.00 for the whole series of 6 visits."
    )
    page.get_by_label("Hourly rate offered").fill("thirty")
    expect(_note(page)).to_have_text(re.compile("^Each visit costs the hourly rate"))
    axe_check(page, "request form with a live cost")


def _server_note(client, case: dict) -> str:
    """The note the server writes for these answers (the form comes back: no address)."""
    weekly = case.get("repeat") == "weekly"
    data = {
        "includes_medications": "y",
        "first_date": case.get("first", ""),
        "start_time": case["start"],
        "end_time": case["end"],
        "repeat": case.get("repeat", "once"),
        "rate": case["rate"],
        "currency": case.get("currency", "USD"),
        "offered_to": "",
        "street": "",
        "city": "",
        "postal_code": "",
    }
    if weekly:
        ends = case.get("ends", "until")
        data.update(weekdays=[str(WEEKDAYS.index(day)) for day in case["days"]], ends=ends)
        data["until_date" if ends == "until" else "count"] = case.get(ends, "")
    page = client.post("/requests/new", data=data)
    assert page.status_code == 422
    (paragraph,) = re.findall(r"<p data-cost-summary>(.*?)</p>", page.get_data(as_text=True), re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", paragraph)).split())


def _type(page, case: dict) -> None:
    """Answer the form as a person would, in the order the fields show."""
    page.get_by_label("Hourly rate offered").fill(case["rate"])
    page.get_by_label("Currency").select_option(case.get("currency", "USD"))
    page.get_by_label("Date (first visit)").fill(case.get("first", ""))
    page.get_by_label("From").fill(case["start"])
    page.get_by_label("Until", exact=True).fill(case["end"])
    if case.get("repeat") != "weekly":
        page.get_by_label("Just once").check()
        return
    page.get_by_label("Every week on these days").check()
    for day in WEEKDAYS:
        page.get_by_label(day, exact=True).set_checked(day in case["days"])
    if case.get("ends", "until") == "until":
        page.get_by_label("On a date").check()
        page.get_by_label("End date").fill(case.get("until", ""))
    else:
        page.get_by_label("After a number of visits").check()
        page.get_by_label("Number of visits", exact=True).fill(case.get("count", ""))


def _second_sunday_of_march(year: int) -> date:
    first = date(year, 3, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def _first_sunday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def test_the_live_note_says_what_the_server_says_for_the_same_answers(
    app, browser, browser_context_args, live_server, patient, login
):
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    year = date.today().year + 1
    spring, autumn = _second_sunday_of_march(year), _first_sunday_of_november(year)
    cases = [
        {"rate": "28", "start": "09:00", "end": "10:30"},
        {"rate": "28.00", "start": "09:00", "end": "09:10"},  # $4.67: 466.67 rounds up
        {
            "rate": "29.99",
            "start": "09:00",
            "end": "09:45",
            "repeat": "weekly",
            "days": ("Mon", "Wed", "Fri"),
            "first": monday.isoformat(),
            "ends": "count",
            "count": "6",
        },
        {
            "rate": "$ 35.5",
            "currency": "EUR",
            "start": "14:15",
            "end": "15:05",
            "repeat": "weekly",
            "days": ("Tue", "Thu"),
            "first": monday.isoformat(),
            "until": (monday + timedelta(days=30)).isoformat(),
        },
        {
            "rate": "42.5",
            "currency": "GBP",
            "start": "08:00",
            "end": "09:00",
            "repeat": "weekly",
            "days": ("Mon",),
            "first": monday.isoformat(),
        },
        {
            "rate": "28",
            "start": "02:30",
            "end": "03:30",
            "repeat": "weekly",
            "days": ("Sun",),
            "first": spring.isoformat(),
            "ends": "count",
            "count": "3",
        },
        {
            "rate": "28",
            "start": "01:30",
            "end": "02:30",
            "repeat": "weekly",
            "days": ("Sun",),
            "first": autumn.isoformat(),
            "ends": "count",
            "count": "2",
        },
        {
            "rate": "28",
            "start": "07:00",
            "end": "20:00",
            "repeat": "weekly",
            "days": ("Sat",),
            "first": monday.isoformat(),
            "ends": "count",
            "count": "2",
        },
        {
            "rate": "28",
            "start": "09:00",
            "end": "10:00",
            "repeat": "weekly",
            "days": ("Mon",),
            "first": monday.isoformat(),
            "ends": "count",
            "count": "0",
        },
        {
            "rate": "28",
            "start": "09:00",
            "end": "10:00",
            "repeat": "weekly",
            "days": ("Mon", "Wed"),
            "first": monday.isoformat(),
            "until": (monday - timedelta(days=3)).isoformat(),
        },
        {
            "rate": "28",
            "start": "09:00",
            "end": "10:00",
            "repeat": "weekly",
            "days": ("Fri",),
            "first": monday.isoformat(),
            "until": (monday + timedelta(days=200)).isoformat(),
        },
        {
            "rate": "28",
            "start": "09:00",
            "end": "10:00",
            "repeat": "weekly",
            "days": ("Mon", "Thu"),
            "first": "",
            "ends": "count",
            "count": "4",
        },
        {"rate": "CA$1,025.00", "currency": "CAD", "start": "09:00", "end": "10:00"},
        {"rate": "abc", "start": "09:00", "end": "10:00"},
        {"rate": "28", "start": "10:00", "end": "09:00"},
    ]
    client = login(app.test_client(), patient)
    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server}/requests/new")

    for case in cases:
        expected = _server_note(client, case)
        _type(page, case)
        expect(_note(page)).to_have_text(expected)
