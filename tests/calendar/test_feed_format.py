"""The feed's bytes: written exactly as the icalendar library writes the same events
(escaping, folding at 75 octets, UTC times, SEQUENCE and LAST-MODIFIED)."""

from datetime import UTC, datetime

from icalendar import Calendar

from tests.calendar.test_views import next_monday
from webapp.calendar.models import CalendarFeed
from webapp.extensions import db


def _icalendar_reference(feed_owner_patient_name: str, entries, now, *, for_aide: bool) -> bytes:
    """The same feed written by the icalendar library, as HomeStretch once wrote it."""
    from icalendar import Event

    from webapp.calendar.feeds import ICS_STATUS, sequence

    calendar = Calendar()
    calendar.add("prodid", "-//HomeStretch//Care calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", feed_owner_patient_name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", f"HomeStretch: {entry.title(for_aide=for_aide)}")
        event.add("status", ICS_STATUS[entry.state])
        event.add("sequence", sequence(entry.updated_at))
        if entry.updated_at is not None:
            event.add("last-modified", entry.updated_at.astimezone(UTC))
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def test_the_feed_is_written_exactly_as_the_icalendar_library_writes_it(
    app, make_user, login, family, join_circle, post_request, verified_aide, book, visits_of,
    cover, helper_routine,
):  # fmt: skip
    """Escaping (comma, semicolon, backslash), folding long lines at 75 octets without
    splitting a character, UTC times, SEQUENCE and LAST-MODIFIED: byte for byte."""
    from webapp.calendar import feeds, services

    odd = make_user("patient", name="Zoë Ñúñez-Łukasiewicz; O'Brien, the 3rd \\ Ålesund ✓✓✓")
    helper_routine(odd)
    join_circle(odd, family)
    monday = next_monday()
    booked, _still_open = visits_of(post_request(odd, first_date=monday, weekdays=[0, 3], count=2))
    book(booked, verified_aide)
    cover(odd, family, datetime(monday.year, monday.month, monday.day, 23, tzinfo=UTC))
    make_feed_path = login(app.test_client(), odd).post(
        "/calendar/feeds", data={"calendar": f"patient-{odd.id}"}
    )
    assert make_feed_path.status_code == 201
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.owner_id == odd.id))
        ours = feeds.feed_file(feed, now).body
        window = services.Span(
            (now - feeds.FEED_PAST).date(),
            (now + feeds.FEED_AHEAD).date(),
            now - feeds.FEED_PAST,
            now + feeds.FEED_AHEAD,
        )
        entries = services.patient_entries(
            [feed.patient], window, now, gaps_until=now + feeds.FEED_GAPS_AHEAD
        )
        reference = _icalendar_reference(
            f"HomeStretch: {feed.patient.display_name}", entries, now, for_aide=False
        )
    assert {entry.kind for entry in entries} >= {"visit", "cover", "gap"}
    assert ours == reference
    assert b"\r\n " in ours  # the long summaries were folded
    assert all(len(line) <= 75 for line in ours.split(b"\r\n"))
