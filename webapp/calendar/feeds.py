"""Secret calendar feed links and the iCalendar files phones fetch from them.

The promise: a feed link lets its holder read one calendar, only while the link is live and
its owner may still see that calendar; anything else (revoked, unknown, malformed, owner
gone or out of the circle) answers exactly like an unknown link. The link carries a random
token; only its SHA-256 is stored, so a copy of the database opens no feed. One live feed
per owner and calendar is a partial unique index; issuing a new link revokes the old one in
the same transaction. Each event keeps its UID across fetches and carries a SEQUENCE taken
from when its row last changed, so phones update an entry in place rather than duplicate it.
A feed covers 60 days back to 180 days ahead and costs the same queries whatever the history.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.calendar import services
from webapp.calendar.models import CalendarFeed
from webapp.errors import Conflict, NotFound
from webapp.extensions import db

FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=180)
#: SEQUENCE counts seconds since this moment; it only has to rise when an entry changes.
SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
#: What secrets.token_urlsafe(32) produces; anything else is refused before any lookup.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)
NOT_FOUND = "We could not find that page."
ICS_STATUS = {
    "booked": "CONFIRMED",
    "family": "CONFIRMED",
    "done": "CONFIRMED",
    "open": "TENTATIVE",
    "cancelled": "CANCELLED",
}


@dataclass(frozen=True)
class FeedChoice:
    """A calendar the person may subscribe to, and their live link to it if they have one."""

    patient: User | None  # None: an aide's own visits
    label: str
    feed: CalendarFeed | None

    @property
    def key(self) -> str:
        return "visits" if self.patient is None else f"patient-{self.patient.id}"


def hash_token(token: str) -> str:
    """The stored form of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_choices(person: User) -> list[FeedChoice]:
    """Every calendar the person may subscribe to, with their live feed for each."""
    live = {
        feed.patient_id: feed
        for feed in db.session.scalars(
            select(CalendarFeed).where(
                CalendarFeed.owner_id == person.id, CalendarFeed.revoked_at.is_(None)
            )
        )
    }
    choices = []
    if person.is_aide:
        choices.append(FeedChoice(None, "My visits", live.get(None)))
    for patient in services.calendar_patients(person):
        label = "My care calendar" if patient.id == person.id else patient.display_name
        choices.append(FeedChoice(patient, label, live.get(patient.id)))
    return choices


def issue_feed(owner: User, patient: User | None, now: datetime) -> tuple[CalendarFeed, str]:
    """A new secret link to the calendar; an older live link to it stops working."""
    _revoke_live(owner, patient.id if patient else None, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        owner_id=owner.id,
        patient_id=patient.id if patient else None,
        token_hash=hash_token(token),
        created_at=now,
    )
    db.session.add(feed)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict("Another link to this calendar was just made. Please try again.") from error
    return feed, token


def revoke_feed(owner: User, feed_id: int, now: datetime) -> CalendarFeed:
    """Stop one of the owner's live links from working."""
    feed = db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.id == feed_id,
            CalendarFeed.owner_id == owner.id,
            CalendarFeed.revoked_at.is_(None),
        )
    )
    if feed is None:
        raise NotFound("That calendar link is already switched off.")
    feed.revoked_at = now
    db.session.flush()
    return feed


def live_feed(owner: User, feed_id: int) -> CalendarFeed:
    """One of the owner's live links, with its patient loaded, or NotFound."""
    feed = db.session.scalar(
        select(CalendarFeed)
        .where(
            CalendarFeed.id == feed_id,
            CalendarFeed.owner_id == owner.id,
            CalendarFeed.revoked_at.is_(None),
        )
        .options(selectinload(CalendarFeed.patient))
    )
    if feed is None:
        raise NotFound("That calendar link is already switched off.")
    return feed


def _revoke_live(owner: User, patient_id: int | None, now: datetime) -> None:
    same_calendar = (
        CalendarFeed.patient_id.is_(None)
        if patient_id is None
        else CalendarFeed.patient_id == patient_id
    )
    db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.owner_id == owner.id, same_calendar, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def feed_for_token(token: str) -> CalendarFeed:
    """The live feed behind a link, with owner and patient loaded, or NotFound."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound(NOT_FOUND)
    feed = db.session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
        .options(selectinload(CalendarFeed.owner), selectinload(CalendarFeed.patient))
    )
    if feed is None or feed.owner.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    return feed


def feed_ics(feed: CalendarFeed, now: datetime) -> bytes:
    """The feed's calendar as an iCalendar file, windowed around now."""
    window = services.Span(
        (now - FEED_PAST).date(), (now + FEED_AHEAD).date(), now - FEED_PAST, now + FEED_AHEAD
    )
    calendar = Calendar()
    calendar.add("prodid", "-//HomeStretch//Care calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if feed.patient is None:
        calendar.add("x-wr-calname", "HomeStretch: my visits")
        entries = services.aide_entries(feed.owner, window)
    else:
        calendar.add("x-wr-calname", f"HomeStretch: {feed.patient.display_name}")
        entries = services.patient_entries([feed.patient], window, now)
    for entry in entries:
        calendar.add_component(_event(entry, now, for_aide=feed.patient is None))
    return calendar.to_ical()


def _event(entry: services.Entry, now: datetime, *, for_aide: bool) -> Event:
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
    return event


def sequence(updated_at: datetime | None) -> int:
    """A number that rises every time an entry changes: seconds since SEQUENCE_EPOCH."""
    if updated_at is None:
        return 0
    return max(0, int((updated_at - SEQUENCE_EPOCH).total_seconds()))
