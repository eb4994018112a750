"""The home log: sessions of the routine done at home without an aide.

The promise: a session is written whole or not at all, only with the patient's own routine
items and the medications due in its part of the day, never in the future nor more than 14
days back, and a double tap of "Save" makes one session. The table has no submission key, so
the second of two identical posts is recognised by its content: the same patient, part of the
day and day, saved less than a minute ago. The check and the insert are serialised per
patient: on SQLite by the write lock every POST takes up front, on PostgreSQL by a row lock on
the patient's account (SELECT ... FOR UPDATE) taken before the check.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.care import services as care
from webapp.care.models import TIMES_OF_DAY, Medication, RoutineItem
from webapp.coverage.day_parts import day_part_times
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog
from webapp.scheduling.recurrence import local_to_utc
from webapp.visits.models import MEDICATION_OUTCOMES, SKIP_REASONS, TASK_STATUSES
from webapp.visits.visit_log import is_unsafe

#: How far back a session may be written down.
MAX_DAYS_BACK = 14
#: A second identical session saved within this time is the same tap twice.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=1)
PAGE_SIZE = 20
PART_KEYS = [key for key, _ in TIMES_OF_DAY]
PART_LABELS = dict(TIMES_OF_DAY)
NO_SESSION = "We could not find that home session."
#: Words for stored values, for the pages.
LABELS = {
    "part": PART_LABELS,
    "status": dict(TASK_STATUSES),
    "reason": dict(SKIP_REASONS),
    "outcome": dict(MEDICATION_OUTCOMES),
}


@dataclass(frozen=True)
class TaskEntry:
    """How one routine exercise went."""

    status: str
    reason: str | None = None
    reason_note: str | None = None


@dataclass(frozen=True)
class MedicationEntry:
    """Whether a dose was given (and at what wall-clock time that day), refused or missed."""

    outcome: str
    given_at: time | None = None


class Recorded(NamedTuple):
    """The session, and whether this call wrote it (False: it was a second tap)."""

    session: HomeSession
    is_new: bool


def part_at(patient: User, moment: datetime) -> str:
    """The part of the patient's day a moment falls in, by their own hours (else the nearest)."""
    local = moment.astimezone(ZoneInfo(patient.timezone))
    minute = local.hour * 60 + local.minute

    def distance(times) -> int:
        start = times.starts_at.hour * 60 + times.starts_at.minute
        end = times.ends_at.hour * 60 + times.ends_at.minute
        return 0 if start <= minute < end else min(abs(minute - start), abs(minute - end))

    times = day_part_times(patient)
    return min(PART_KEYS, key=lambda part: distance(times[part]))


def _bit(part: str) -> int:
    return 1 << PART_KEYS.index(part)


def is_due(medication: Medication, part: str) -> bool:
    """A dose is due in a part of the day it is set for; one set for no time is due any time."""
    return not medication.times_of_day or bool(medication.times_of_day & _bit(part))


def scheduled_first(items: list[RoutineItem], part: str | None, day: date) -> list[RoutineItem]:
    """All the routine, those scheduled for this part of the day and weekday first."""

    def scheduled(item: RoutineItem) -> bool:
        on_day = bool(item.weekdays & (1 << day.weekday()))
        in_part = part is None or not item.times_of_day or bool(item.times_of_day & _bit(part))
        return on_day and in_part

    return sorted(items, key=lambda item: not scheduled(item))  # stable: catalogue order kept


def _lock_patient(patient: User) -> None:
    """Serialise sessions for one patient (SQLite: the POST already holds the write lock)."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(User.id).where(User.id == patient.id).with_for_update())


def _done_at(patient: User, day: date, wall: time, now: datetime) -> datetime:
    zone = ZoneInfo(patient.timezone)
    done_at = local_to_utc(day, wall.replace(second=0, microsecond=0), zone)
    if done_at > now:
        raise InvalidInput("That time has not come yet: enter when the session was done.")
    if done_at < now - timedelta(days=MAX_DAYS_BACK):
        raise InvalidInput(f"Sessions can be written down up to {MAX_DAYS_BACK} days back.")
    return done_at


def _check_entries(
    items: dict[int, RoutineItem],
    medications: dict[int, Medication],
    part: str,
    tasks: dict[int, TaskEntry],
    doses: dict[int, MedicationEntry],
) -> None:
    if set(tasks) - set(items):
        raise InvalidInput("That exercise is not in this routine.")
    if set(doses) - set(medications):
        raise InvalidInput("That medication is not on this medication list.")
    for medication_id in doses:
        medication = medications[medication_id]
        if not is_due(medication, part):
            raise InvalidInput(
                f"{medication.name} is not due in the {PART_LABELS[part].lower()}. "
                "Leave it blank or choose the part of the day it is due."
            )
    for entry in tasks.values():
        if entry.status not in dict(TASK_STATUSES):
            raise InvalidInput("Mark each exercise done, partly done or skipped.")
        if entry.status != "done" and entry.reason not in dict(SKIP_REASONS):
            raise InvalidInput("Say why an exercise was not fully done.")
    for entry in doses.values():
        if entry.outcome not in dict(MEDICATION_OUTCOMES):
            raise InvalidInput("Mark each dose given, refused or missed.")
        if entry.outcome == "given" and entry.given_at is None:
            raise InvalidInput("Enter the time the dose was given.")


def record_session(
    actor: User,
    patient: User,
    *,
    part_of_day: str,
    day: date,
    wall_time: time,
    tasks: dict[int, TaskEntry],
    medications: dict[int, MedicationEntry],
    pain_before: int | None,
    pain_after: int | None,
    notes: str | None,
    now: datetime,
) -> Recorded:
    """Write a home session whole; the same session posted twice within a minute is kept once."""
    if part_of_day not in PART_KEYS:
        raise InvalidInput(
            "Choose the part of the day: morning, midday, afternoon, evening or bedtime."
        )
    for pain in (pain_before, pain_after):
        if pain is not None and not 0 <= pain <= 10:
            raise InvalidInput("Pain is a whole number from 0 (none) to 10 (worst).")
    done_at = _done_at(patient, day, wall_time, now)
    items = {item.id: item for item in care.routine_items(patient)}
    own_medications = {medication.id: medication for medication in care.medications(patient)}
    _check_entries(items, own_medications, part_of_day, tasks, medications)
    zone = ZoneInfo(patient.timezone)
    given = {
        medication_id: local_to_utc(day, entry.given_at, zone)
        for medication_id, entry in medications.items()
        if entry.outcome == "given"
    }
    if any(moment > now for moment in given.values()):
        raise InvalidInput("A dose's time given has not come yet: enter when it was given.")

    _lock_patient(patient)
    earlier = _just_saved(patient, part_of_day, day, now)
    if earlier is not None:
        return Recorded(earlier, False)
    session = HomeSession(
        patient_id=patient.id,
        recorded_by_id=actor.id,
        done_at=done_at,
        part_of_day=part_of_day,
        pain_before=pain_before,
        pain_after=pain_after,
        safety_flag=is_unsafe(pain_before, pain_after),
        notes=notes,
        created_at=now,
    )
    for item_id, entry in tasks.items():
        not_done = entry.status != "done"
        session.tasks.append(
            HomeTaskLog(
                routine_item_id=item_id,
                exercise_slug=items[item_id].exercise_slug,
                status=entry.status,
                reason=entry.reason if not_done else None,
                reason_note=entry.reason_note if not_done else None,
            )
        )
    for medication_id, entry in medications.items():
        medication = own_medications[medication_id]
        session.medications.append(
            HomeMedicationLog(
                medication_id=medication_id,
                name=medication.name,
                dose=medication.dose,
                outcome=entry.outcome,
                given_at=given.get(medication_id),
            )
        )
    db.session.add(session)
    db.session.flush()
    return Recorded(session, True)


def _just_saved(patient: User, part: str, day: date, now: datetime) -> HomeSession | None:
    """A session for the same part of the same day saved less than a minute ago."""
    zone = ZoneInfo(patient.timezone)
    day_start = _midnight(day, zone)
    day_end = _midnight(day + timedelta(days=1), zone)
    return db.session.scalar(
        select(HomeSession)
        .where(
            HomeSession.patient_id == patient.id,
            HomeSession.part_of_day == part,
            HomeSession.done_at >= day_start,
            HomeSession.done_at < day_end,
            HomeSession.created_at >= now - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by(HomeSession.id)
        .limit(1)
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of a day as UTC (a midnight the clocks skip still gives an instant)."""
    return datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the home log starts: just after this session, newest first."""

    done_at: datetime
    session_id: int

    def token(self) -> str:
        return f"{self.done_at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z-{self.session_id}"

    @classmethod
    def parse(cls, token: str | None) -> "Cursor | None":
        """A cursor from the page link, or None for anything that is not one."""
        if not token or len(token) > 60 or "Z-" not in token:
            return None
        stamp, _, ident = token.partition("Z-")
        try:
            moment = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        except ValueError:
            return None
        if not ident.isascii() or not ident.isdigit() or len(ident) > 12:
            return None
        return cls(moment, int(ident))


def list_sessions(
    patient: User, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> tuple[list[HomeSession], Cursor | None]:
    """One page of the patient's sessions, newest first, and the cursor of the next page."""
    query = (
        select(HomeSession)
        .where(HomeSession.patient_id == patient.id)
        .options(
            selectinload(HomeSession.tasks),
            selectinload(HomeSession.medications),
            selectinload(HomeSession.recorded_by),
        )
        .order_by(HomeSession.done_at.desc(), HomeSession.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(
            or_(
                HomeSession.done_at < cursor.done_at,
                and_(HomeSession.done_at == cursor.done_at, HomeSession.id < cursor.session_id),
            )
        )
    sessions = list(db.session.scalars(query))
    if len(sessions) <= limit:
        return sessions, None
    last = sessions[limit - 1]
    return sessions[:limit], Cursor(last.done_at, last.id)


def get_session(patient: User, session_id: int) -> HomeSession:
    """One of the patient's sessions with its entries, or NotFound."""
    session = db.session.scalar(
        select(HomeSession)
        .where(HomeSession.id == session_id, HomeSession.patient_id == patient.id)
        .options(
            selectinload(HomeSession.tasks),
            selectinload(HomeSession.medications),
            selectinload(HomeSession.recorded_by),
        )
    )
    if session is None:
        raise NotFound(NO_SESSION)
    return session


def flagged_sessions(patient: User, since: datetime) -> list[HomeSession]:
    """Recent home sessions where the safety rule stopped the exercises, newest first."""
    return list(
        db.session.scalars(
            select(HomeSession)
            .where(
                HomeSession.patient_id == patient.id,
                HomeSession.safety_flag.is_(True),
                HomeSession.done_at >= since,
            )
            .order_by(HomeSession.done_at.desc(), HomeSession.id.desc())
        )
    )


def sessions_since(patient: User, since: datetime) -> list[HomeSession]:
    """Home sessions since a moment, oldest first (their entries are read separately)."""
    return list(
        db.session.scalars(
            select(HomeSession)
            .where(HomeSession.patient_id == patient.id, HomeSession.done_at >= since)
            .order_by(HomeSession.done_at, HomeSession.id)
        )
    )


def task_statuses_since(patient: User, since: datetime) -> list[tuple[datetime, str]]:
    """(when, status) of every exercise logged at home since a moment, in one query."""
    rows = db.session.execute(
        select(HomeSession.done_at, HomeTaskLog.status)
        .join(HomeTaskLog, HomeTaskLog.session_id == HomeSession.id)
        .where(HomeSession.patient_id == patient.id, HomeSession.done_at >= since)
    )
    return [(done_at, status) for done_at, status in rows]
