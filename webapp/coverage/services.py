"""Coverage of the routine: each care window is covered by an aide, by family, done, or a gap.

The promise: of two relatives tapping "I'll do it" on one window at once, exactly one holds
it. The database keeps it: FamilyCover has a partial unique index on (patient, window start)
over live (not given back) covers, so the second insert fails with an IntegrityError, which
becomes a 409 and a rolled-back transaction. On SQLite the post also takes the write lock up
front (BEGIN IMMEDIATE), so the second relative usually sees the first cover before inserting;
on PostgreSQL the index alone decides.

Coverage is computed, never stored: a visit an aide gives back shows its windows as gaps on
the next page view. coverage_for() costs the same six queries for any number of days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.care.models import Medication, RoutineItem
from webapp.circle.models import CircleMember
from webapp.coverage.day_parts import day_part_times
from webapp.coverage.models import DayPart, FamilyCover
from webapp.coverage.windows import (
    MEDICATIONS,
    PART_KEYS,
    PART_LABELS,
    CareWindow,
    PartTimes,
    expand_windows,
    part_times,
)
from webapp.errors import AlreadyDone, Conflict, InvalidInput, NotAllowed, NotFound
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.scheduling.models import HELD, Visit

__all__ = [
    "CareWindow",
    "WindowCoverage",
    "coverage_for",
    "care_window",
    "cover_window",
    "give_back",
    "family_covered",
]

#: States of a window, in the order a page lists the covered ones.
STATES = ("aide", "family", "done", "gap")
#: The most days one coverage question may span (a year).
MAX_DAYS = 366
TAKEN = "Someone else just covered this window."
NO_COVER = "We could not find that cover."


@dataclass
class WindowCoverage:
    """One care window and who covers it: "aide", "family", "done" or "gap"."""

    window: CareWindow
    state: str
    visit: Visit | None = None
    cover: FamilyCover | None = None
    home_session: HomeSession | None = None

    @property
    def is_gap(self) -> bool:
        return self.state == "gap"


@dataclass(frozen=True)
class _Plan:
    """What the windows of a patient are made of: part times, helper items, medications."""

    times: dict[str, PartTimes]
    items: list[RoutineItem]
    medications: list[Medication]


def _plan(patient: User) -> _Plan:
    """Three queries: the patient's part times, helper items and medications."""
    rows = db.session.scalars(select(DayPart).where(DayPart.patient_id == patient.id)).all()
    items = db.session.scalars(
        select(RoutineItem)
        .where(RoutineItem.patient_id == patient.id, RoutineItem.needs_helper.is_(True))
        .order_by(RoutineItem.id)
    ).all()
    medications = db.session.scalars(
        select(Medication).where(Medication.patient_id == patient.id).order_by(Medication.id)
    ).all()
    return _Plan(part_times(rows), list(items), list(medications))


def _windows(patient: User, plan: _Plan, first_day: date, days: int) -> list[CareWindow]:
    return expand_windows(
        patient_id=patient.id,
        timezone=patient.timezone,
        first_day=first_day,
        days=days,
        times=plan.times,
        items=plan.items,
        medications=plan.medications,
    )


def _local_span(patient: User, first_day: date, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of the local days, a day wider each side so no zone offset slips through."""
    zone = ZoneInfo(patient.timezone)
    start = datetime.combine(first_day - timedelta(days=1), time()).replace(tzinfo=zone)
    end = datetime.combine(first_day + timedelta(days=days + 1), time()).replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _held_visits(patient: User, start: datetime, end: datetime) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient.id,
                Visit.status.in_(HELD),
                Visit.starts_at < end,
                Visit.ends_at > start,
            )
            .options(joinedload(Visit.aide))
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def _live_covers(patient: User, start: datetime, end: datetime, part: str | None = None):
    """Live covers whose member is still in the circle (a removed member's promise lapses)."""
    query = (
        select(FamilyCover)
        .join(
            CircleMember,
            and_(
                CircleMember.patient_id == FamilyCover.patient_id,
                CircleMember.member_id == FamilyCover.member_id,
            ),
        )
        .where(
            FamilyCover.patient_id == patient.id,
            FamilyCover.released_at.is_(None),
            FamilyCover.window_starts_at >= start,
            FamilyCover.window_starts_at < end,
        )
        .options(joinedload(FamilyCover.member))
        .order_by(FamilyCover.window_starts_at, FamilyCover.id)
    )
    if part is not None:
        query = query.where(FamilyCover.part_of_day == part)
    return list(db.session.scalars(query))


def _home_sessions(patient: User, start: datetime, end: datetime) -> list[HomeSession]:
    return list(
        db.session.scalars(
            select(HomeSession)
            .where(
                HomeSession.patient_id == patient.id,
                HomeSession.done_at >= start,
                HomeSession.done_at < end,
            )
            .order_by(HomeSession.done_at, HomeSession.id)
        )
    )


def _overlapping_visit(window: CareWindow, visits: list[Visit]) -> Visit | None:
    """The first held visit overlapping the window (half-open: 10-11 does not touch 9-10)."""
    for visit in visits:
        if visit.starts_at < window.ends_at and visit.ends_at > window.starts_at:
            return visit
    return None


def _local_key(moment: datetime, part: str, zone: ZoneInfo) -> tuple[date, str]:
    return (moment.astimezone(zone).date(), part)


def coverage_for(patient: User, first_day: date, days: int, now: datetime) -> list[WindowCoverage]:
    """Every care window of `days` local days from first_day and how it is covered.

    Order of precedence: a held aide visit overlapping the window ("aide"), a live family
    cover ("family"), a home session logged for that day and part ("done"), else "gap".
    Six queries whatever the number of days, visits, covers or sessions.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Ask for 1 to {MAX_DAYS} days of coverage.")
    plan = _plan(patient)
    windows = _windows(patient, plan, first_day, days)
    start, end = _local_span(patient, first_day, days)
    visits = _held_visits(patient, start, end)
    zone = ZoneInfo(patient.timezone)
    covers = {
        _local_key(cover.window_starts_at, cover.part_of_day, zone): cover
        for cover in reversed(_live_covers(patient, start, end))
    }
    sessions = {}
    for session in reversed(_home_sessions(patient, start, end)):
        sessions[_local_key(session.done_at, session.part_of_day, zone)] = session
    result = []
    for window in windows:
        visit = _overlapping_visit(window, visits)
        cover = covers.get(window.key)
        session = sessions.get(window.key)
        if visit is not None:
            state = "aide"
        elif cover is not None:
            state = "family"
        elif session is not None:
            state = "done"
        else:
            state = "gap"
        result.append(WindowCoverage(window, state, visit, cover, session))
    return result


def care_window(patient: User, day: date, part: str) -> CareWindow:
    """The care window of one local day and part, recomputed here, or InvalidInput."""
    if part not in PART_KEYS:
        raise InvalidInput("Pick a part of the day from the list.")
    windows = [w for w in _windows(patient, _plan(patient), day, 1) if w.part == part]
    if not windows:
        raise InvalidInput(
            f"Nothing in the routine needs a helper on {day:%A %d %B} "
            f"({PART_LABELS[part].lower()}), so there is no care window to cover."
        )
    return windows[0]


def cover_window(member: User, patient: User, day: date, part: str, now: datetime) -> FamilyCover:
    """A coordinator in the circle promises to be there for one care window ("I'll do it")."""
    if member.id == patient.id:
        raise NotAllowed(
            "Covering a window is for the people in your care circle. To get help, post a "
            "request for an aide instead."
        )
    window = care_window(patient, day, part)
    if window.ends_at <= now:
        raise Conflict("This window is already over, so it can no longer be covered.")
    visit = _overlapping_visit(window, _held_visits(patient, window.starts_at, window.ends_at))
    if visit is not None:
        raise Conflict(
            "An aide is already booked for this window, so it does not need family cover."
        )
    _claim_free(member, patient, window, now)
    cover = FamilyCover(
        patient_id=patient.id,
        member_id=member.id,
        part_of_day=part,
        window_starts_at=window.starts_at,
        window_ends_at=window.ends_at,
    )
    db.session.add(cover)
    try:
        db.session.flush()
    except IntegrityError as error:  # another relative's insert landed first
        raise Conflict(TAKEN) from error
    return cover


def _claim_free(member: User, patient: User, window: CareWindow, now: datetime) -> None:
    """Refuse a window someone holds; let go of any cover left by a member since removed."""
    live = db.session.scalars(
        select(FamilyCover).where(
            FamilyCover.patient_id == patient.id,
            FamilyCover.released_at.is_(None),
            FamilyCover.part_of_day == window.part,
            FamilyCover.window_starts_at >= window.starts_at - timedelta(days=1),
            FamilyCover.window_starts_at < window.ends_at + timedelta(days=1),
        )
    ).all()
    zone = ZoneInfo(patient.timezone)
    same = [c for c in live if _local_key(c.window_starts_at, c.part_of_day, zone) == window.key]
    if not same:
        return
    holders = set(
        db.session.scalars(
            select(CircleMember.member_id).where(
                CircleMember.patient_id == patient.id,
                CircleMember.member_id.in_([cover.member_id for cover in same]),
            )
        )
    )
    for cover in same:
        if cover.member_id == member.id:
            raise AlreadyDone("You already cover this window.")
        if cover.member_id in holders:
            raise Conflict(TAKEN)
        cover.released_at = now  # the member left the circle; their promise lapsed with it
    db.session.flush()


def give_back(member: User, patient: User, cover_id: int, now: datetime) -> FamilyCover:
    """The relative gives back their own cover; the window is a gap again unless else covered."""
    cover = db.session.get(FamilyCover, cover_id)
    if cover is None or cover.patient_id != patient.id or cover.member_id != member.id:
        raise NotFound(NO_COVER)
    if cover.released_at is not None:
        raise AlreadyDone("You already gave this window back.")
    if cover.window_ends_at <= now:
        raise Conflict("This window is over, so it stays on the record as covered.")
    cover.released_at = now
    db.session.flush()
    return cover


def request_prefill(patient: User, windows: list[CareWindow]) -> dict[str, object]:
    """Query args for the request form that ask an aide for these windows (one part of the day).

    One window is a one-off request; several (the same part on different days of one week) are
    a weekly request on those weekdays until the last of them. The form still checks it all.
    """
    if not windows:
        raise InvalidInput("There is no gap left to ask an aide for.")
    windows = sorted(windows, key=lambda window: window.day)
    times = day_part_times(patient)[windows[0].part]
    names = {need for window in windows for need in window.needs if need != MEDICATIONS}
    items = db.session.scalars(
        select(RoutineItem).where(
            RoutineItem.patient_id == patient.id, RoutineItem.needs_helper.is_(True)
        )
    ).all()
    args: dict[str, object] = {
        "tasks": [item.id for item in items if item.exercise.name in names],
        "first_date": windows[0].day.isoformat(),
        "start_time": times.starts_at.strftime("%H:%M"),
        "end_time": times.ends_at.strftime("%H:%M"),
    }
    if any(window.has_medications for window in windows):
        args["includes_medications"] = "y"
    if len(windows) == 1:
        args["repeat"] = "once"
    else:
        args.update(
            repeat="weekly",
            weekdays=sorted({str(window.day.weekday()) for window in windows}),
            ends="until",
            until_date=windows[-1].day.isoformat(),
        )
    return args


def family_covered(visits: list[Visit]) -> dict[int, list[FamilyCover]]:
    """For slots on the board: the live family covers each one overlaps, in one query.

    An aide deciding whether to book sees that a relative already said they will be there;
    the relative's name stays private.
    """
    if not visits:
        return {}
    start = min(visit.starts_at for visit in visits)
    end = max(visit.ends_at for visit in visits)
    covers = db.session.scalars(
        select(FamilyCover)
        .join(
            CircleMember,
            and_(
                CircleMember.patient_id == FamilyCover.patient_id,
                CircleMember.member_id == FamilyCover.member_id,
            ),
        )
        .where(
            FamilyCover.patient_id.in_({visit.patient_id for visit in visits}),
            FamilyCover.released_at.is_(None),
            FamilyCover.window_starts_at < end,
            FamilyCover.window_ends_at > start,
        )
        .order_by(FamilyCover.window_starts_at, FamilyCover.id)
    ).all()
    result: dict[int, list[FamilyCover]] = {}
    for visit in visits:
        overlapping = [
            cover
            for cover in covers
            if cover.patient_id == visit.patient_id
            and cover.window_starts_at < visit.ends_at
            and cover.window_ends_at > visit.starts_at
        ]
        if overlapping:
            result[visit.id] = overlapping
    return result
