"""The calendar pages: what each person sees, every state in words, times in their zone."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from tests.calendar.conftest import HEALTH_WORDS, same_page


def next_monday(weeks_ahead: int = 1) -> date:
    """A Monday at least a week away, so every visit on it can still be cancelled."""
    today = date.today()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def main_text(response) -> str:
    """The page's main content as text, tags stripped, whitespace squeezed."""
    html = response.get_data(as_text=True)
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def entries(response) -> list[str]:
    """Each calendar entry's text, in page order."""
    html = response.get_data(as_text=True)
    items = re.findall(r'<li class="cal-entry cal-entry--\w+">(.*?)</li>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def calendar(client, patient, view="agenda", day=None):
    day = day or next_monday()
    return client.get(f"/patients/{patient.id}/calendar?view={view}&date={day.isoformat()}")


def test_patient_sees_visits_family_cover_and_gaps_each_in_words(
    app, patient, patient_client, family, join_circle, post_request, verified_aide, book,
    visits_of, cover, helper_routine,
):  # fmt: skip
    helper_routine(patient)
    join_circle(patient, family)
    monday = next_monday()
    request = post_request(patient, first_date=monday, weekdays=[0, 2], count=2)
    booked, still_open = visits_of(request)
    book(booked, verified_aide)
    tuesday = monday + timedelta(days=1)
    tuesday_morning = datetime(tuesday.year, tuesday.month, tuesday.day, 13, tzinfo=UTC)
    cover(patient, family, tuesday_morning, hours=2)

    page = calendar(patient_client, patient)
    assert page.status_code == 200
    shown = entries(page)
    assert "Booked 09:00–10:00 EST Visit: Vera Verified" in shown
    assert "Family 08:00–10:00 EST Family cover (Morning): Dan Family" in shown
    assert "Open 09:00–10:00 EST Visit: no aide yet" in shown
    # Of 30 mornings, Monday's is the aide's and Tuesday's the family's; Wednesday's stays a
    # gap while its visit has no aide.
    gaps = [entry for entry in shown if entry.startswith("Open 08:00–10:00 EST Morning")]
    assert all("nobody yet Cover it or ask an aide" in gap for gap in gaps)
    assert len(gaps) == 30 - 2
    text = main_text(page)
    assert "My care calendar" in text
    for word in HEALTH_WORDS:
        assert word not in text


def test_cancelled_done_and_given_back_read_as_such(
    app, patient, patient_client, family, join_circle, post_request, verified_aide, book,
    visits_of, cover,
):  # fmt: skip
    join_circle(patient, family)
    monday = next_monday()
    request = post_request(patient, first_date=monday, weekdays=[0, 1], count=2)
    first, second = visits_of(request)
    book(first, verified_aide)
    book(second, verified_aide, status="completed")
    assert patient_client.post(f"/visits/{first}/cancel", data={}).status_code == 302
    evening = datetime(monday.year, monday.month, monday.day, 23, tzinfo=UTC)
    cover(patient, family, evening, part="evening", released=True)

    shown = entries(calendar(patient_client, patient, view="week"))
    assert "Cancelled 09:00–10:00 EST Visit: Vera Verified" in shown
    assert "Done 09:00–10:00 EST Visit: Vera Verified" in shown
    assert "Cancelled 18:00–19:00 EST Family cover (Evening): Dan Family" in shown


def test_coordinator_and_viewer_see_the_calendar_without_health_words(
    app, patient, make_user, login, join_circle, post_request, verified_aide, book, visits_of,
    helper_routine,
):  # fmt: skip
    helper_routine(patient)
    request = post_request(patient, first_date=next_monday(), tasks=("thomas-stretch", "cold-pack"))
    book(visits_of(request)[0], verified_aide)
    for role in ("coordinator", "viewer"):
        member = make_user("family", name=f"Kim {role.title()}")
        join_circle(patient, member, role)
        client = login(app.test_client(), member)
        page = calendar(client, patient, view="month")
        assert page.status_code == 200
        text = main_text(page)
        assert "Rosa Patient's care calendar" in text
        assert "Booked 09:00–10:00 EST Visit: Vera Verified" in entries(page)
        for word in HEALTH_WORDS:
            assert word not in text


def test_outsiders_get_the_same_page_as_for_an_unknown_patient(
    app, patient, make_user, login, make_aide, post_request
):
    post_request(patient, first_date=next_monday())
    unknown = None
    for outsider in (make_user("family"), make_user("patient"), make_aide(), make_user("admin")):
        client = login(app.test_client(), outsider)
        refused = calendar(client, patient)
        missing = client.get("/patients/999999/calendar")
        assert refused.status_code == missing.status_code == 404
        assert same_page(refused) == same_page(missing)
        assert "Rosa" not in refused.get_data(as_text=True)
        unknown = unknown or missing.get_data()
    assert unknown is not None


def test_removed_member_loses_the_calendar_at_once(
    app, patient, patient_client, family, family_client, join_circle, store
):
    from webapp.circle.models import CircleMember

    join_circle(patient, family, "viewer")
    assert calendar(family_client, patient).status_code == 200
    member = store.one(CircleMember, patient_id=patient.id)
    remove = patient_client.post(
        f"/patients/{patient.id}/circle/members/{member.id}/remove", data={}
    )
    assert remove.status_code == 302
    assert calendar(family_client, patient).status_code == 404


def test_aide_sees_only_the_visits_they_hold_across_patients(
    app, make_user, make_aide, login, post_request, book, visits_of
):
    rosa = make_user("patient", name="Rosa Patient")
    tom = make_user("patient", name="Tom Patient", timezone="America/Chicago")
    sam, other = make_aide("Sam Aide"), make_aide("Olga Aide")
    monday = next_monday()
    rosa_visits = visits_of(post_request(rosa, first_date=monday, weekdays=[0, 1], count=2))
    tom_visits = visits_of(post_request(tom, first_date=monday, start="11:00", end="12:00"))
    book(rosa_visits[0], sam)
    book(tom_visits[0], sam)
    book(rosa_visits[1], other)

    client = login(app.test_client(), sam)
    page = client.get(f"/calendar?view=week&date={monday.isoformat()}")
    assert page.status_code == 200
    shown = entries(page)
    assert len(shown) == 2
    assert shown[0].startswith("Booked 09:00–10:00 EST Your visit, with Rosa Patient")
    # Tom's 11:00 in Chicago is 12:00 in Sam's New York; both are named.
    assert shown[1].startswith("Booked 12:00–13:00 EST Your visit, with Tom Patient")
    assert "11:00–12:00 CST at Tom Patient's home (America/Chicago)" in shown[1]
    text = main_text(page)
    assert "Olga" not in text
    assert "Thomas stretch" not in text
    assert client.get(f"/patients/{rosa.id}/calendar").status_code == 404


def test_family_member_in_two_circles_sees_both_named_and_can_switch(
    app, make_user, family, family_client, join_circle, post_request
):
    rosa = make_user("patient", name="Rosa Patient")
    tom = make_user("patient", name="Tom Patient")
    join_circle(rosa, family, "viewer")
    join_circle(tom, family, "coordinator")
    monday = next_monday()
    post_request(rosa, first_date=monday)
    post_request(tom, first_date=monday, start="13:00", end="14:00")

    everyone = family_client.get(f"/calendar?view=week&date={monday.isoformat()}")
    assert entries(everyone) == [
        "Open 09:00–10:00 EST Visit: no aide yet, with Rosa Patient",
        "Open 13:00–14:00 EST Visit: no aide yet, with Tom Patient",
    ]
    html = everyone.get_data(as_text=True)
    assert f'href="/patients/{rosa.id}/calendar?view=week' in html
    assert f'href="/patients/{tom.id}/calendar?view=week' in html

    only_tom = calendar(family_client, tom, view="week", day=monday)
    assert entries(only_tom) == ["Open 13:00–14:00 EST Visit: no aide yet"]


def test_patient_calendar_link_leads_to_their_own(patient, patient_client):
    response = patient_client.get("/calendar?view=month")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/patients/{patient.id}/calendar?view=month"


def test_times_in_the_viewers_zone_with_the_patients_zone_named(
    app, patient, make_user, login, join_circle, post_request
):
    daughter = make_user("family", name="Ana Family", timezone="Europe/London")
    join_circle(patient, daughter, "viewer")
    post_request(patient, first_date=next_monday())

    page = calendar(login(app.test_client(), daughter), patient)
    assert entries(page) == [
        "Open 14:00–15:00 GMT Visit: no aide yet "
        "09:00–10:00 EST at Rosa Patient's home (America/New York)"
    ]
    text = main_text(page)
    assert "Times are in your time zone, Europe/London." in text
    assert "Rosa Patient's home is in America/New York" in text


def test_month_week_and_agenda_show_their_span_with_previous_and_next_links(
    patient, patient_client, post_request
):
    post_request(patient, first_date=date(2027, 3, 8))
    month = calendar(patient_client, patient, view="month", day=date(2027, 3, 20))
    assert "March 2027" in main_text(month)
    assert entries(month) == ["Open 09:00–10:00 EST Visit: no aide yet"]
    html = month.get_data(as_text=True)
    assert 'view=month&amp;date=2027-02-01" rel="prev"' in html
    assert 'view=month&amp;date=2027-04-01" rel="next"' in html

    week = calendar(patient_client, patient, view="week", day=date(2027, 3, 10))
    assert "Mon 8 Mar 2027 – Sun 14 Mar 2027" in main_text(week)
    assert 'view=week&amp;date=2027-03-01" rel="prev"' in week.get_data(as_text=True)
    assert entries(calendar(patient_client, patient, view="week", day=date(2027, 3, 15))) == []

    agenda = calendar(patient_client, patient, view="agenda", day=date(2027, 2, 10))
    assert "Wed 10 Feb 2027 – Thu 11 Mar 2027" in main_text(agenda)
    assert 'view=agenda&amp;date=2027-03-12" rel="next"' in agenda.get_data(as_text=True)
    assert entries(agenda) == ["Open 09:00–10:00 EST Visit: no aide yet"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("view=year", "The view is month, week or agenda."),
        ("view=", "The view is month, week or agenda."),
        ("view=month&view=week", "at most once each"),
        ("date=2027-02-30", "2027-02-30 is not a date on the calendar."),
        ("date=2027-2-3", "Give the date as YYYY-MM-DD"),
        ("date=tomorrow", "Give the date as YYYY-MM-DD"),
        ("date=%D9%A2%D9%A0%D9%A2%D9%A7-01-01", "Give the date as YYYY-MM-DD"),
        ("date=2027-01-01%00", "invisible character"),
        ("date=9999-01-01", "5 years either side of today"),
        ("date=0001-01-01", "5 years either side of today"),
    ],
)
def test_bad_view_or_date_is_refused_with_a_message(patient, patient_client, query, message):
    response = patient_client.get(f"/patients/{patient.id}/calendar?{query}")
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))


def test_page_is_keyboard_and_phone_friendly_without_script(patient, patient_client):
    html = calendar(patient_client, patient, view="month").get_data(as_text=True)
    assert "<table" not in html  # a grid of days in a list, so a phone shows one column
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'aria-current="page">Month</a>' in html
    assert "css/calendar.css" in html


def test_family_member_in_no_circle_is_told_why_the_calendar_is_empty(family_client):
    page = family_client.get("/calendar")
    assert page.status_code == 200
    assert "You are not in anyone's care circle yet." in main_text(page)
    assert entries(page) == []
