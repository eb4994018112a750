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
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from webapp.auth.models import User
from webapp.calendar import services
from webapp.calendar.models import CalendarFeed
from webapp.errors import Conflict, NotFound
from webapp.extensions import db
from webapp.timezones import clock_text

FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=180)
#: Gaps are listed four weeks ahead: months of "nobody yet" on a phone calendar would bury the
#: visits, and the coverage page is where gaps further out are planned.
FEED_GAPS_AHEAD = timedelta(days=28)
#: SEQUENCE counts seconds since this moment; it only has to rise when an entry changes.
SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
#: What secrets.token_urlsafe(32) produces; anything else is refused before any lookup.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)
NOT_FOUND = "We could not find that page."
#: "00" to "60" (a leap second's 60 included), for writing times.
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(61))
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
    feed = db.session.scalar(_live_feed_by_hash(), {"token_hash": hash_token(token)})
    if feed is None or feed.owner.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    return feed


@cache
def _live_feed_by_hash():
    """The live feed with this token_hash, owner and patient loaded: every fetch runs it, so
    it is built once."""
    return (
        select(CalendarFeed)
        .where(
            CalendarFeed.token_hash == bindparam("token_hash"), CalendarFeed.revoked_at.is_(None)
        )
        .options(joinedload(CalendarFeed.owner), joinedload(CalendarFeed.patient))
    )


@dataclass(frozen=True)
class FeedFile:
    """An iCalendar file and its validator: a weak ETag over everything but DTSTAMP (the
    moment of the fetch), so a phone that already holds the same events gets a 304."""

    body: bytes
    etag: str


def feed_ics(feed: CalendarFeed, now: datetime) -> bytes:
    """The feed's calendar as an iCalendar file, windowed around now."""
    return feed_file(feed, now).body


def feed_file(feed: CalendarFeed, now: datetime) -> FeedFile:
    """The feed's calendar, windowed around now, written line by line (RFC 5545: TEXT
    escaping, lines folded at 75 octets, CRLF) in the order the icalendar library writes."""
    window = services.Span(
        (now - FEED_PAST).date(), (now + FEED_AHEAD).date(), now - FEED_PAST, now + FEED_AHEAD
    )
    if feed.patient is None:
        name = "HomeStretch: my visits"
        entries = services.aide_entries(feed.owner, window)
    else:
        name = f"HomeStretch: {feed.patient.display_name}"
        entries = services.patient_entries(
            [feed.patient], window, now, gaps_until=now + FEED_GAPS_AHEAD
        )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HomeStretch//Care calendar//EN",
        "CALSCALE:GREGORIAN",
        # As phones have always read it: an extension property, written unescaped.
        fold_line("X-WR-CALNAME:" + " ".join(name.splitlines())),
    ]
    stamp = "DTSTAMP:" + _utc(now)
    for_aide = feed.patient is None
    # Each patient's zone and name, looked up once for the titles of all their entries.
    homes = {}
    for entry in entries:
        if entry.patient not in homes:
            homes[entry.patient] = (ZoneInfo(entry.patient.timezone), entry.patient.display_name)
    lines += [
        _event_text(entry, stamp, homes[entry.patient], for_aide=for_aide) for entry in entries
    ]
    lines.append("END:VCALENDAR\r\n")
    text = "\r\n".join(lines)
    etag = hashlib.sha256(text.replace(stamp + "\r\n", "").encode()).hexdigest()[:32]
    return FeedFile(text.encode(), etag)


def _event_text(
    entry: services.Entry, stamp: str, home: tuple[ZoneInfo, str], *, for_aide: bool
) -> str:
    """One VEVENT's content lines joined by CRLF, folded (only the text ones can be long):
    written as one string, as a feed writes hundreds. `home` is the zone and name of the
    entry's patient."""
    zone, name = home
    title = entry.title_for(clock_text(entry.starts_at.astimezone(zone)), name, for_aide=for_aide)
    summary = fold_line("SUMMARY:" + escape_text(f"HomeStretch: {title}"))
    # A UID is written from ids, an ISO date and a part of the day: nothing in it to escape.
    uid = fold_line("UID:" + entry.uid)
    updated_at = entry.updated_at
    modified = "" if updated_at is None else f"LAST-MODIFIED:{_utc(updated_at)}\r\n"
    return (
        f"BEGIN:VEVENT\r\n{summary}\r\n"
        f"DTSTART:{_utc(entry.starts_at)}\r\nDTEND:{_utc(entry.ends_at)}\r\n{stamp}\r\n"
        f"{uid}\r\nSEQUENCE:{sequence(updated_at)}\r\n{modified}"
        f"STATUS:{ICS_STATUS[entry.state]}\r\nTRANSP:OPAQUE\r\nEND:VEVENT"
    )


def _utc(moment: datetime) -> str:
    """A DATE-TIME in UTC: 20261130T140000Z (seconds, no fraction). Written from the fields
    with two-digit texts looked up (a fifth of isoformat's cost), as a feed writes hundreds."""
    if moment.tzinfo is not UTC:  # rows and care windows are UTC already
        moment = moment.astimezone(UTC)
    two = _TWO_DIGITS
    return (
        f"{moment.year:04d}{two[moment.month]}{two[moment.day]}"
        f"T{two[moment.hour]}{two[moment.minute]}{two[moment.second]}Z"
    )


def escape_text(text: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks
    escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str, limit: int = 75) -> str:
    """A content line folded so no piece is longer than 75 octets (RFC 5545 3.1): CRLF and a
    space before each continuation, never inside a UTF-8 character or after a lone escape
    backslash."""
    if len(line) * 4 < limit or len(line.encode()) < limit:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= limit:
            if len(current) > 1 and current[-1] == "\\":
                pieces.append("".join(current[:-1]))
                current, size = ["\\"], 1
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def sequence(updated_at: datetime | None) -> int:
    """A number that rises every time an entry changes: seconds since SEQUENCE_EPOCH."""
    if updated_at is None:
        return 0
    return max(0, int((updated_at - SEQUENCE_EPOCH).total_seconds()))
