"""Coverage of the routine: each care window is covered by an aide, by family, done, or a gap.

The promise: of two relatives tapping "I'll do it" on one window at once, exactly one holds
it. The database keeps it: FamilyCover has a partial unique index on (patient, window start)
over live (not given back) covers, so the second insert fails with an IntegrityError, which
becomes a 409 and a rolled-back transaction. On SQLite the post also takes the write lock up
front (BEGIN IMMEDIATE), so the second relative usually sees the first cover before inserting;
on PostgreSQL the index alone decides.

Coverage is computed, never stored: a visit an aide gives back shows its windows as gaps on
the next page view. coverage_for_many() costs the same four queries for any number of days and
of patients (a relative's dashboard asks for every circle at once): the plans (parts of the
day, helper exercises and medications in one UNION ALL), held visits, live covers and home
sessions, each for all the patients together.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    String,
    Time,
    and_,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.care.catalogue import get_exercise
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
    "coverage_for_many",
    "reach",
    "care_window",
    "cover_window",
    "give_back",
    "family_covered",
]

#: States of a window, in the order a page lists the covered ones.
STATES = ("aide", "family", "done", "gap")
#: The most days one coverage question may span (a year).
MAX_DAYS = 366
#: Longer than any visit (a request's window is at most MAX_WINDOW, 12 hours): a visit that
#: overlaps a span starts less than this before it, which bounds the index range read.
LONGEST_VISIT = timedelta(days=1)
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
    items: list
    medications: list


@dataclass(frozen=True)
class _HelperItem:
    """A routine exercise marked "needs a helper": what care windows read of it."""

    id: int
    exercise_slug: str
    weekdays: int
    times_of_day: int
    needs_helper: bool = True

    @property
    def exercise(self):
        return get_exercise(self.exercise_slug)


@dataclass(frozen=True)
class _DueMedication:
    """A medication: when in the day a dose is due is all a care window needs."""

    id: int
    times_of_day: int


@dataclass(frozen=True)
class _PartRow:
    part: str
    starts_at: time
    ends_at: time


def _plans(patient_ids: list[int]) -> dict[int, _Plan]:
    """One query for every patient's part times, helper items and medications (UNION ALL)."""

    def none(kind):
        return cast(null(), kind)

    parts = select(
        DayPart.patient_id,
        literal_column("'part'").label("kind"),
        DayPart.id,
        DayPart.part.label("name"),
        DayPart.starts_at,
        DayPart.ends_at,
        none(Integer).label("weekdays"),
        none(Integer).label("times_of_day"),
    ).where(DayPart.patient_id.in_(patient_ids))
    items = select(
        RoutineItem.patient_id,
        literal_column("'item'"),
        RoutineItem.id,
        RoutineItem.exercise_slug,
        none(Time),
        none(Time),
        RoutineItem.weekdays,
        RoutineItem.times_of_day,
    ).where(RoutineItem.patient_id.in_(patient_ids), RoutineItem.needs_helper.is_(True))
    medications = select(
        Medication.patient_id,
        literal_column("'medication'"),
        Medication.id,
        none(String),
        none(Time),
        none(Time),
        none(Integer),
        Medication.times_of_day,
    ).where(Medication.patient_id.in_(patient_ids))
    rows: dict[int, dict[str, list]] = {
        patient_id: {"part": [], "item": [], "medication": []} for patient_id in patient_ids
    }
    for row in db.session.execute(union_all(parts, items, medications)):
        patient_id, kind, row_id, name, starts_at, ends_at, weekdays, times_of_day = row
        if kind == "part":
            rows[patient_id]["part"].append(_PartRow(name, starts_at, ends_at))
        elif kind == "item":
            rows[patient_id]["item"].append(_HelperItem(row_id, name, weekdays, times_of_day))
        else:
            rows[patient_id]["medication"].append(_DueMedication(row_id, times_of_day))
    return {
        patient_id: _Plan(
            part_times(found["part"]),
            sorted(found["item"], key=lambda item: item.id),
            sorted(found["medication"], key=lambda medication: medication.id),
        )
        for patient_id, found in rows.items()
    }


def _plan(patient: User) -> _Plan:
    """The patient's part times, helper items and medications (one query)."""
    return _plans([patient.id])[patient.id]


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


def _overlapping_visit(window: CareWindow, visits: list[Visit]) -> Visit | None:
    """The first held visit overlapping the window (half-open: 10-11 does not touch 9-10)."""
    for visit in visits:
        if visit.starts_at < window.ends_at and visit.ends_at > window.starts_at:
            return visit
    return None


class _VisitsByTime:
    """Held visits in start order, searched by time: each window looks only at the visits
    starting less than LONGEST_VISIT before it (not every visit for every window)."""

    def __init__(self, visits: list[Visit]):
        self.visits = sorted(visits, key=lambda visit: (visit.starts_at, visit.id))
        self.starts = [visit.starts_at for visit in self.visits]
        self.ends = [visit.ends_at for visit in self.visits]

    def first_overlapping(self, window: CareWindow) -> Visit | None:
        """What _overlapping_visit() gives for the whole list."""
        low = bisect_left(self.starts, window.starts_at - LONGEST_VISIT)
        high = bisect_left(self.starts, window.ends_at)
        for index in range(low, high):
            if self.ends[index] > window.starts_at:
                return self.visits[index]
        return None


def _local_key(moment: datetime, part: str, zone: ZoneInfo) -> tuple[date, str]:
    return (moment.astimezone(zone).date(), part)


def coverage_for(patient: User, first_day: date, days: int, now: datetime) -> list[WindowCoverage]:
    """Every care window of `days` local days from first_day and how it is covered.

    Order of precedence: a held aide visit overlapping the window ("aide"), a live family
    cover ("family"), a home session logged for that day and part ("done"), else "gap".
    Four queries whatever the number of days, visits, covers or sessions.
    """
    return coverage_for_many([(patient, first_day, days)], now)[patient.id]


def coverage_for_many(
    asks: list[tuple[User, date, int]],
    now: datetime,
    *,
    visits: list[Visit] | None = None,
    covers: list[FamilyCover] | None = None,
) -> dict[int, list[WindowCoverage]]:
    """coverage_for() for several patients at once, each from their own first day (by id).

    Four queries in all, whatever the number of patients: one per kind of row for everyone.
    A caller that has already read the patients' visits (any status) and their covers whose
    member is still in the circle (released or not) over reach(asks) passes them in, and
    those two queries are saved; they are sifted here as the queries would.
    """
    for _, _, days in asks:
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"Ask for 1 to {MAX_DAYS} days of coverage.")
    if not asks:
        return {}
    spans = {patient.id: _local_span(patient, first_day, days) for patient, first_day, days in asks}
    plans = _plans(list(spans))
    held = _held_visits_of(spans) if visits is None else _sift_visits(visits, spans)
    live = _live_covers_of(spans) if covers is None else _sift_covers(covers, spans)
    by_visit, by_cover = _by_patient(held), _by_patient(live)
    sessions = _by_patient(_home_sessions_of(spans))
    result = {}
    for patient, first_day, days in asks:
        windows = _windows(patient, plans[patient.id], first_day, days)
        result[patient.id] = _cover_windows(
            patient,
            windows,
            by_visit.get(patient.id, []),
            by_cover.get(patient.id, []),
            sessions.get(patient.id, []),
        )
    return result


def reach(asks: list[tuple[User, date, int]]) -> tuple[datetime, datetime]:
    """The UTC range whose visits and covers coverage_for_many(asks) reads."""
    return _outer(
        {patient.id: _local_span(patient, first_day, days) for patient, first_day, days in asks}
    )


def _cover_windows(patient: User, windows, visits, covers, sessions) -> list[WindowCoverage]:
    zone = ZoneInfo(patient.timezone)
    by_key = {
        _local_key(cover.window_starts_at, cover.part_of_day, zone): cover
        for cover in reversed(covers)
    }
    done = {}
    for session in reversed(sessions):
        done[_local_key(session.done_at, session.part_of_day, zone)] = session
    by_time = _VisitsByTime(visits)
    result = []
    for window in windows:
        visit = by_time.first_overlapping(window)
        cover = by_key.get(window.key)
        session = done.get(window.key)
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


def _by_patient(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.patient_id, []).append(row)
    return grouped


def _held_visits_of(spans: dict[int, tuple[datetime, datetime]]) -> list[Visit]:
    """Held visits overlapping each patient's span, with their aides (one query)."""
    first_start, first_end = _outer(spans)
    visits = list(
        db.session.scalars(
            select(Visit)
            .where(
                # Held is sifted here: on SQLite a status test would draw the planner to
                # the (status, starts_at) board index, which walks every patient's visits.
                Visit.patient_id.in_(spans),
                Visit.starts_at < first_end,
                Visit.starts_at > first_start - LONGEST_VISIT,
                Visit.ends_at > first_start,
            )
            .options(joinedload(Visit.aide))
            .order_by(Visit.starts_at, Visit.id)
        )
    )
    return _sift_visits(visits, spans)


def _sift_visits(visits: list[Visit], spans) -> list[Visit]:
    """Held visits overlapping their patient's span, in start order."""
    return [
        visit
        for visit in visits
        if visit.patient_id in spans
        and visit.status in HELD
        and visit.starts_at < spans[visit.patient_id][1]
        and visit.ends_at > spans[visit.patient_id][0]
    ]


def _live_covers_of(spans: dict[int, tuple[datetime, datetime]]) -> list[FamilyCover]:
    """Live covers starting in each patient's span whose member is still in the circle."""
    first_start, first_end = _outer(spans)
    covers = list(
        db.session.scalars(
            select(FamilyCover)
            .join(
                CircleMember,
                and_(
                    CircleMember.patient_id == FamilyCover.patient_id,
                    CircleMember.member_id == FamilyCover.member_id,
                ),
            )
            .where(
                FamilyCover.patient_id.in_(spans),
                FamilyCover.released_at.is_(None),
                FamilyCover.window_starts_at >= first_start,
                FamilyCover.window_starts_at < first_end,
            )
            .options(joinedload(FamilyCover.member))
            .order_by(FamilyCover.window_starts_at, FamilyCover.id)
        )
    )
    return _sift_covers(covers, spans)


def _sift_covers(covers: list[FamilyCover], spans) -> list[FamilyCover]:
    """Covers not given back that start in their patient's span, in start order."""
    return [
        cover
        for cover in covers
        if cover.patient_id in spans
        and cover.released_at is None
        and _within(cover.window_starts_at, spans[cover.patient_id])
    ]


def _home_sessions_of(spans: dict[int, tuple[datetime, datetime]]) -> list[HomeSession]:
    first_start, first_end = _outer(spans)
    sessions = db.session.scalars(
        select(HomeSession)
        .where(
            HomeSession.patient_id.in_(spans),
            HomeSession.done_at >= first_start,
            HomeSession.done_at < first_end,
        )
        .order_by(HomeSession.done_at, HomeSession.id)
    )
    return [session for session in sessions if _within(session.done_at, spans[session.patient_id])]


def _outer(spans: dict[int, tuple[datetime, datetime]]) -> tuple[datetime, datetime]:
    """The earliest start and the latest end of the patients' spans (each is read by patient
    id and this range, so the indexes on patient and time serve it; the rest is sifted here)."""
    return min(start for start, _ in spans.values()), max(end for _, end in spans.values())


def _within(moment: datetime, span: tuple[datetime, datetime]) -> bool:
    return span[0] <= moment < span[1]


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
