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

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.care.models import TIMES_OF_DAY
from webapp.circle import services as circle
from webapp.coverage.models import FamilyCover
from webapp.extensions import db
from webapp.scheduling.models import Visit
from webapp.timezones import to_local

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
    kind: str  # "visit", "cover" or "gap"
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
        start, end = to_local(self.starts_at, zone), to_local(self.ends_at, zone)
        if start.utcoffset() == end.utcoffset():
            return f"{start:%H:%M}–{end:%H:%M} {end:%Z}"
        return f"{start:%H:%M} {start:%Z} – {end:%H:%M} {end:%Z}"

    @property
    def who(self) -> str:
        """Who is there, in words: "Sam", "no aide yet", "nobody yet"."""
        if self.person:
            return self.person
        return "nobody yet" if self.kind == "gap" else "no aide yet"

    def title(self, *, for_aide: bool = False) -> str:
        """ "Sam with Rosa, 09:00" in the patient's zone: people and a time, no health detail."""
        at = f"{to_local(self.starts_at, self.patient.timezone):%H:%M}"
        name = self.patient.display_name
        if for_aide:
            text = f"Visit with {name}, {at}"
        elif self.kind == "gap":
            text = f"{self.part_label or 'Care'} for {name}, {at}: nobody yet"
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


def patient_entries(patients: list[User], window: Span, now: datetime) -> list[Entry]:
    """Visits, family covers and gaps of these patients' care within the window, by start."""
    if not patients:
        return []
    ids = [patient.id for patient in patients]
    by_id = {patient.id: patient for patient in patients}
    entries = [_visit_entry(visit, by_id) for visit in _visits(Visit.patient_id.in_(ids), window)]
    entries += [_cover_entry(cover, by_id) for cover in _covers(ids, window)]
    return _sorted(entries)


def aide_entries(aide: User, window: Span) -> list[Entry]:
    """The visits the aide holds (or held until the patient called them off) in the window."""
    visits = _visits(Visit.aide_id == aide.id, window, load_patient=True)
    return _sorted(_visit_entry(visit, {}) for visit in visits)


def calendar_patients(person: User) -> list[User]:
    """The patients whose calendars the person sees: themselves, or each circle they are in."""
    if person.is_patient:
        return [person]
    if person.is_family:
        return [member.patient for member in circle.circles_of(person)]
    return []


def _visits(condition, window: Span, *, load_patient: bool = False) -> list[Visit]:
    options = [selectinload(Visit.aide)]
    if load_patient:
        options.append(selectinload(Visit.patient))
    return list(
        db.session.scalars(
            select(Visit)
            .where(condition, Visit.starts_at < window.ends_at, Visit.ends_at > window.starts_at)
            .options(*options)
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def _covers(patient_ids: list[int], window: Span) -> list[FamilyCover]:
    return list(
        db.session.scalars(
            select(FamilyCover)
            .where(
                FamilyCover.patient_id.in_(patient_ids),
                FamilyCover.window_starts_at < window.ends_at,
                FamilyCover.window_ends_at > window.starts_at,
            )
            .options(selectinload(FamilyCover.member))
            .order_by(FamilyCover.window_starts_at, FamilyCover.id)
        )
    )


def _visit_entry(visit: Visit, patients: dict[int, User]) -> Entry:
    aide = visit.aide
    patient = patients.get(visit.patient_id) or visit.patient
    return Entry(
        uid=f"visit-{visit.id}@homestretch",
        kind="visit",
        state=VISIT_STATES[visit.status],
        patient=patient,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        # An aide who cancelled is gone from the visit; one the patient cancelled stays named.
        person=aide.display_name if aide is not None and aide.deleted_at is None else None,
        updated_at=visit.updated_at,
        what="Visit",
    )


def _cover_entry(cover: FamilyCover, patients: dict[int, User]) -> Entry:
    return Entry(
        uid=f"cover-{cover.id}@homestretch",
        kind="cover",
        state="cancelled" if cover.released_at is not None else "family",
        patient=patients[cover.patient_id],
        starts_at=cover.window_starts_at,
        ends_at=cover.window_ends_at,
        person=cover.member.display_name,
        updated_at=cover.updated_at,
        what="Family cover",
        part_label=PART_LABELS.get(cover.part_of_day, cover.part_of_day),
    )


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.patient.id, entry.uid))


def by_local_day(entries: list[Entry], zone: str) -> dict[date, list[Entry]]:
    """Entries grouped by the day they start on in the zone, days in order."""
    days: dict[date, list[Entry]] = {}
    for entry in entries:
        days.setdefault(to_local(entry.starts_at, zone).date(), []).append(entry)
    return days
