"""The shared calendar: what happens when, for a patient's circle or for one aide.

The promise: an entry names people, a time and a state (booked, family, open, cancelled,
done), never a health detail, so a viewer in the circle and a phone calendar synced to a
feed learn no exercise or medication name. Every read is windowed by a date range and
loads each table once (selectinload), so a page or a feed costs the same queries whatever
the history holds.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Row,
)

from webapp.auth.models import User
from webapp.calendar import rows as calendar_rows
from webapp.care.models import TIMES_OF_DAY
from webapp.circle import services as circle
from webapp.coverage.services import (
    WindowCoverage,
    coverage_for_many,
    reach,
)
from webapp.extensions import db
from webapp.timezones import clock_text, to_local

#: The states an entry shows, in words; the template colours them by the same key.
STATE_LABELS = {
    "booked": "Booked",
    "family": "Family",
    "open": "Open",
    "cancelled": "Cancelled",
    "done": "Done",
}
PART_LABELS = dict(TIMES_OF_DAY)
VISIT_STATES = {
    "open": "open",
    "booked": "booked",
    "checked_in": "booked",
    "completed": "done",
    "cancelled": "cancelled",
    "no_show": "cancelled",
}


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar: a visit, a family cover or an uncovered care window."""

    uid: str
    kind: str  # "visit", "cover", "gap" (a care window nobody covers) or "home" (done at home)
    state: str  # a key of STATE_LABELS
    patient: User
    starts_at: datetime
    ends_at: datetime
    #: Who is there: the aide, the relative, or None while nobody is.
    person: str | None
    #: When the entry last changed (None for a gap, which is computed, not stored).
    updated_at: datetime | None
    what: str  # "Visit", "Family cover", "Nobody yet"
    part_label: str | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def times(self, zone: str) -> str:
        """ "09:00–10:00 EST" in the given zone (each end's own offset across a clock change)."""
        tz = ZoneInfo(zone)
        return times_text(self.starts_at.astimezone(tz), self.ends_at.astimezone(tz))

    @property
    def home_day(self) -> date:
        """The day the entry starts on at the patient's home."""
        return to_local(self.starts_at, self.patient.timezone).date()

    @property
    def who(self) -> str:
        """Who is there, in words: "Sam", "no aide yet", "nobody yet"."""
        if self.person:
            return self.person
        return "nobody yet" if self.kind == "gap" else "no aide yet"

    def title(self, *, for_aide: bool = False) -> str:
        """ "Sam with Rosa, 09:00" in the patient's zone: people and a time, no health detail."""
        at = clock_text(to_local(self.starts_at, self.patient.timezone))
        return self.title_for(at, self.patient.display_name, for_aide=for_aide)

    def title_for(self, at: str, name: str, *, for_aide: bool = False) -> str:
        """title() with the start at the patient's home ("09:00") and the patient's name
        given: a feed looks up each patient's zone and name once for all their entries."""
        if for_aide:
            text = f"Visit with {name}, {at}"
        elif self.kind == "gap":
            text = f"{self.part_label} for {name}, {at}: nobody yet"
        elif self.kind == "home":
            text = f"{self.part_label} for {name}, {at}: done at home"
        elif self.kind == "cover":
            text = f"{self.person} with {name}, {at} (family)"
        elif self.person:
            text = f"{self.person} with {name}, {at}"
        else:
            text = f"Open visit for {name}, {at} (no aide yet)"
        if self.state == "cancelled":
            return f"Cancelled: {text}"
        return text


@dataclass(frozen=True)
class Span:
    """The UTC instants a calendar page or feed covers, and its first and last local day."""

    first_day: date
    last_day: date
    starts_at: datetime
    ends_at: datetime


def span(first_day: date, last_day: date, zone: str) -> Span:
    """The days first_day..last_day (inclusive) in the zone, as UTC instants."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first_day, time(), tz)
    end = datetime.combine(last_day + timedelta(days=1), time(), tz)
    return Span(first_day, last_day, start, end)


def patient_entries(
    patients: list[User], window: Span, now: datetime, *, gaps_until: datetime | None = None
) -> list[Entry]:
    """Visits, family covers and gaps of these patients' care within the window, by start.

    Two queries whatever the number of patients and the history: the plans, and the visits,
    covers and home sessions together (one UNION ALL), read once over the window widened to
    what the coverage of each patient's days needs (their zones may be a day off the
    viewer's); they serve both the entries and the coverage. With
    `gaps_until`, care windows (gaps, and those done at home) are worked out and listed only
    up to that moment.
    """
    if not patients:
        return []
    ids = [patient.id for patient in patients]
    by_id = {patient.id: patient for patient in patients}
    first = window.first_day - timedelta(days=1)
    last = window.last_day
    if gaps_until is not None:
        last = max(first, min(last, gaps_until.date()))
    asks = [(patient, first, (last - first).days + 2) for patient in patients]
    reach_start, reach_end = reach(asks)
    wide = Span(
        window.first_day,
        window.last_day,
        min(window.starts_at, reach_start),
        max(window.ends_at, reach_end),
    )
    visits, covers, sessions = calendar_rows.patient_rows(ids, wide)
    # Only windows still to come and those done at home are listed (_window_entries): past
    # days are worked out only where a home session was logged.
    rows = coverage_for_many(
        asks,
        now,
        visits=visits,
        covers=[cover for cover, lapsed in covers if not lapsed],
        sessions=sessions,
        settled_before=now,
    )
    entries = [
        _visit_entry(visit, by_id[visit.patient_id], visit.aide_name)
        for visit in visits
        if visit.starts_at < window.ends_at and visit.ends_at > window.starts_at
    ]
    entries += [
        _cover_entry(cover, by_id, lapsed)
        for cover, lapsed in covers
        if cover.window_starts_at < window.ends_at and cover.window_ends_at > window.starts_at
    ]
    if gaps_until is not None:
        window = Span(window.first_day, last, window.starts_at, min(window.ends_at, gaps_until))
    for patient in patients:
        entries += _window_entries(patient, rows[patient.id], window, now)
    return _sorted(entries)


def _window_entries(
    patient: User, rows: list[WindowCoverage], window: Span, now: datetime
) -> list[Entry]:
    """Care windows nobody covers yet, and those done at home without a visit or a cover.

    Windows an aide or a relative covers are already on the calendar as that visit or cover;
    a gap that has ended is not shown, as nobody can cover it any more.
    """
    entries = []
    for coverage in rows:
        care = coverage.window
        overlaps = care.starts_at < window.ends_at and care.ends_at > window.starts_at
        if not overlaps:
            continue
        if coverage.state == "done" or (coverage.state == "gap" and care.ends_at > now):
            entries.append(_care_window_entry(coverage, patient))
    return entries


def _care_window_entry(coverage: WindowCoverage, patient: User) -> Entry:
    care = coverage.window
    done = coverage.state == "done"
    return Entry(
        # One UID per window, so a phone updates the entry in place when the gap is filled.
        uid=f"window-{patient.id}-{care.day.isoformat()}-{care.part}@homestretch",
        kind="home" if done else "gap",
        state="done" if done else "open",
        patient=patient,
        starts_at=care.starts_at,
        ends_at=care.ends_at,
        person=None,
        updated_at=None,
        what="Done at home" if done else "Nobody yet",
        part_label=care.part_label,
    )


def aide_entries(aide: User, window: Span) -> list[Entry]:
    """The visits the aide holds (or held until the patient called them off) in the window."""
    visits = db.session.scalars(
        calendar_rows.statements().aide_visits,
        {"aide_id": aide.id} | calendar_rows.window_values(window),
    )
    return _sorted(
        _visit_entry(visit, visit.patient, visit.aide.display_name if visit.aide else None)
        for visit in visits
    )


def calendar_patients(person: User) -> list[User]:
    """The patients whose calendars the person sees: themselves, or each circle they are in."""
    if person.is_patient:
        return [person]
    if person.is_family:
        return [member.patient for member in circle.circles_of(person)]
    return []


def _visit_entry(visit, patient: User, aide_name: str | None) -> Entry:
    """A visit (a record or a row of its columns) on the patient's calendar."""
    return Entry(
        uid=f"visit-{visit.id}@homestretch",
        kind="visit",
        state=VISIT_STATES[visit.status],
        patient=patient,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        # An aide who gave the visit back is gone from it; one the patient cancelled stays named.
        person=aide_name,
        updated_at=visit.updated_at,
        what="Visit",
    )


def _cover_entry(cover: Row, patients: dict[int, User], lapsed: bool) -> Entry:
    # A cover given back, or promised by someone since removed from the circle, holds nothing.
    return Entry(
        uid=f"cover-{cover.id}@homestretch",
        kind="cover",
        state="cancelled" if cover.released_at is not None or lapsed else "family",
        patient=patients[cover.patient_id],
        starts_at=cover.window_starts_at,
        ends_at=cover.window_ends_at,
        person=cover.member_name,
        updated_at=cover.updated_at,
        what="Family cover",
        part_label=PART_LABELS.get(cover.part_of_day, cover.part_of_day),
    )


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.patient.id, entry.uid))


def times_text(start: datetime, end: datetime) -> str:
    """ "09:00–10:00 EST" for two moments in one zone (each end's own offset across a clock
    change)."""
    if start.utcoffset() == end.utcoffset():
        return f"{clock_text(start)}–{clock_text(end)} {end.tzname()}"
    return f"{clock_text(start)} {start.tzname()} – {clock_text(end)} {end.tzname()}"
