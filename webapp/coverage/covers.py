"""Family cover: a relative in the circle says "I'll do it" for a care window, or gives it
back; a gap becomes a request for an aide; the board shows which slots family already covers.

The promise: of two relatives tapping "I'll do it" on one window at once, exactly one holds
it. The database keeps it: FamilyCover has a partial unique index on (patient, window start)
over live (not given back) covers, so the second insert fails with an IntegrityError, which
becomes a 409 and a rolled-back transaction. On SQLite the post also takes the write lock up
front (BEGIN IMMEDIATE), so the second relative usually sees the first cover before inserting;
on PostgreSQL the index alone decides.
"""

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.care.models import TIMES_OF_DAY, RoutineItem
from webapp.circle.models import CircleMember
from webapp.coverage.day_parts import day_part_times
from webapp.coverage.models import MEMBER_IN_CIRCLE, FamilyCover
from webapp.coverage.services import care_window, held_visits, local_key, overlapping_visit
from webapp.coverage.windows import MEDICATIONS, CareWindow
from webapp.database import UTCDateTime
from webapp.errors import AlreadyDone, Conflict, InvalidInput, NotAllowed, NotFound
from webapp.extensions import db
from webapp.scheduling.models import Visit

TAKEN = "Someone else just covered this window."
NO_COVER = "We could not find that cover."


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
    visit = overlapping_visit(window, held_visits(patient, window.starts_at, window.ends_at))
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
    same = [c for c in live if local_key(c.window_starts_at, c.part_of_day, zone) == window.key]
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


#: Live covers of :patient_ids overlapping :start to :end, by a relative still in the circle.
_LIVE_COVERS = (
    select(FamilyCover)
    .join(CircleMember, MEMBER_IN_CIRCLE)
    .where(
        FamilyCover.patient_id.in_(bindparam("patient_ids", expanding=True)),
        FamilyCover.released_at.is_(None),
        FamilyCover.window_starts_at < bindparam("end"),
        FamilyCover.window_ends_at > bindparam("start"),
    )
    .order_by(FamilyCover.window_starts_at, FamilyCover.id)
)


#: How long before a slot a care window that overlaps it may start: a window is a part of
#: one day, so at most a day long (a day with a clock change, 25 hours).
WINDOW_AT_MOST = timedelta(days=2)


@cache
def parts_covered():
    """For the board's own statement, a column of each slot: the parts of the day that live
    family covers overlap, space-separated (None where none does), by relatives still in the
    circle. It reads the live covers' index from :covers_from (WINDOW_AT_MOST before the
    earliest slot the board may list), so past covers cost nothing."""
    return (
        select(func.aggregate_strings(FamilyCover.part_of_day, " "))
        .select_from(FamilyCover)
        .join(CircleMember, MEMBER_IN_CIRCLE)
        .where(
            FamilyCover.patient_id == Visit.patient_id,
            FamilyCover.released_at.is_(None),
            FamilyCover.window_starts_at > bindparam("covers_from", type_=UTCDateTime()),
            FamilyCover.window_starts_at < Visit.ends_at,
            FamilyCover.window_ends_at > Visit.starts_at,
        )
        .scalar_subquery()
    )


def parts_in_day_order(column: str | None) -> list[str]:
    """The parts of the day in a parts_covered() column, each once, as the day runs."""
    named = set(column.split(" ")) if column else set()
    return [part for part, _ in TIMES_OF_DAY if part in named]


def family_covered(visits: list[Visit]) -> dict[int, list[FamilyCover]]:
    """For slots on the board: the live family covers each one overlaps, in one query.

    An aide deciding whether to book sees that a relative already said they will be there;
    the relative's name stays private. Any visit-like rows do (id, patient_id, starts_at,
    ends_at).
    """
    if not visits:
        return {}
    start = min(visit.starts_at for visit in visits)
    end = max(visit.ends_at for visit in visits)
    patient_ids = list({visit.patient_id for visit in visits})
    covers = db.session.scalars(
        _LIVE_COVERS, {"patient_ids": patient_ids, "start": start, "end": end}
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
