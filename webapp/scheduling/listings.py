"""What aides browse: the request board and their own visits, a page at a time.

Both pages use keyset paging on (starts_at, id), so a deep page costs what the first does,
and neither counts more than it shows (the board counts up to COUNT_CAP). Booking and
cancelling, and the guarantees that make them race-free, live in services.py.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import contains_eager, selectinload

from webapp.auth.models import User
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest, PatientHome
from webapp.scheduling.models import Visit


def visible_on_board(aide: User, now: datetime):
    """SQL condition: open, future slots of active requests this aide may see."""
    return and_(
        Visit.status == "open",
        Visit.starts_at > now,
        AssistanceRequest.status == "active",
        Visit.patient_id != aide.id,
        or_(
            AssistanceRequest.offered_to_id.is_(None),
            AssistanceRequest.offered_to_id == aide.id,
            AssistanceRequest.offer_expires_at <= now,
        ),
    )


@dataclass
class BoardFilters:
    """What an aide narrows the board by."""

    area: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    task: str | None = None
    min_rate_cents: int | None = None


PAGE_SIZE = 20
#: An area matching more homes than this is filtered in SQL rather than by a list of patients.
AREA_PATIENTS_LISTED = 500
#: The board counts matches up to this many and then says "200+": counting every open slot
#: on each view was most of the board's cost.
COUNT_CAP = 200


@dataclass(frozen=True)
class BoardKey:
    """Where a board page starts or ends: a slot's start time and id (the board's order)."""

    starts_at: datetime
    visit_id: int

    _FORMAT = "%Y%m%d%H%M%S%f"

    @property
    def token(self) -> str:
        """ "20270308140000000000.1234": the key as it travels in a link."""
        return f"{self.starts_at.astimezone(UTC):{self._FORMAT}}.{self.visit_id}"

    @classmethod
    def parse(cls, token: str | None) -> "BoardKey | None":
        """The key from a link, or None when there is none or it cannot be read."""
        if not token or len(token) > 40:
            return None
        moment, _, visit_id = token.partition(".")
        try:
            starts_at = datetime.strptime(moment, cls._FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None
        if not visit_id.isdigit() or len(visit_id) > 10:
            return None
        return cls(starts_at, int(visit_id))

    @classmethod
    def of(cls, visit: Visit) -> "BoardKey":
        return cls(visit.starts_at, visit.id)


@dataclass(frozen=True)
class BoardPage:
    """One page of the board: up to PAGE_SIZE slots, the homes' areas, and the way on."""

    visits: list[Visit]
    homes: dict[int, PatientHome]
    #: How many slots match in all, counted up to COUNT_CAP + 1 (more shows as "200+").
    matches: int
    #: Keys for the "Earlier" and "Later" links, None where there is nothing more.
    earlier: BoardKey | None
    later: BoardKey | None

    @property
    def more_than_counted(self) -> bool:
        return self.matches > COUNT_CAP


def _board_conditions(aide: User, filters: BoardFilters, now: datetime) -> list:
    from webapp.care.catalogue import BY_SLUG
    from webapp.care.models import RoutineItem
    from webapp.marketplace.models import area_key, request_task

    conditions = [visible_on_board(aide, now)]
    area = area_key(filters.area)
    if area:
        # Town or postal code, normalised as stored, matched whole or by its beginning
        # ("spring" finds Springfield, "123" finds 12345). The homes are looked up first, so
        # the board's queries filter on known patients: PostgreSQL keeps their prepared plans,
        # and a generic plan cannot guess how many homes a LIKE pattern matches.
        in_area = select(PatientHome.patient_id).where(
            or_(
                PatientHome.town_key.startswith(area, autoescape=True),
                PatientHome.postal_key.startswith(area, autoescape=True),
            )
        )
        patient_ids = list(db.session.scalars(in_area.limit(AREA_PATIENTS_LISTED + 1)))
        if len(patient_ids) > AREA_PATIENTS_LISTED:
            conditions.append(Visit.patient_id.in_(in_area))  # most of the city: scan it
        else:
            conditions.append(Visit.patient_id.in_(patient_ids))
    if filters.start:
        conditions.append(Visit.starts_at >= filters.start)
    if filters.end:
        conditions.append(Visit.starts_at < filters.end)
    if filters.min_rate_cents:
        conditions.append(AssistanceRequest.rate_cents >= filters.min_rate_cents)
    if filters.task == "medications":
        conditions.append(AssistanceRequest.includes_medications.is_(True))
    elif filters.task in BY_SLUG:
        has_task = (
            select(request_task.c.request_id)
            .join(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
            .where(
                request_task.c.request_id == AssistanceRequest.id,
                RoutineItem.exercise_slug == filters.task,
            )
            .exists()
        )
        conditions.append(has_task)
    return conditions


def board(
    aide: User,
    filters: BoardFilters,
    now: datetime,
    after: BoardKey | None = None,
    before: BoardKey | None = None,
) -> BoardPage:
    """Open future slots the aide may book, earliest first, a page at a time: the first page,
    the page after a key or the page before one (keyset paging on (starts_at, id), so a deep
    page costs what the first does). Three statements, plus the slots' tasks."""
    conditions = _board_conditions(aide, filters, now)
    matching = (
        select(Visit.id)
        .join(AssistanceRequest, Visit.request_id == AssistanceRequest.id)
        .where(*conditions)
        .limit(COUNT_CAP + 1)
    )
    matches = db.session.scalar(select(func.count()).select_from(matching.subquery()))
    query = (
        select(Visit, PatientHome)
        .join(Visit.request)
        .outerjoin(PatientHome, PatientHome.patient_id == Visit.patient_id)
        .where(*conditions)
        .options(contains_eager(Visit.request).selectinload(AssistanceRequest.tasks))
    )
    position = tuple_(Visit.starts_at, Visit.id)
    if before is not None:
        query = query.where(position < tuple_(before.starts_at, before.visit_id))
        query = query.order_by(Visit.starts_at.desc(), Visit.id.desc())
    else:
        if after is not None:
            query = query.where(position > tuple_(after.starts_at, after.visit_id))
        query = query.order_by(Visit.starts_at, Visit.id)
    rows = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if before is not None:
        rows.reverse()
    visits = [visit for visit, _ in rows]
    homes = {home.patient_id: home for _, home in rows if home is not None}
    if before is not None:
        earlier_exists, later_exists = more, True
    else:
        earlier_exists, later_exists = after is not None, more
    return BoardPage(
        visits=visits,
        homes=homes,
        matches=matches,
        earlier=BoardKey.of(visits[0]) if visits and earlier_exists else None,
        later=BoardKey.of(visits[-1]) if visits and later_exists else None,
    )


#: My visits shows the visits that ended in the last week and the ones ahead, this many at a
#: time; older ones are behind "Earlier visits".
MY_VISITS_PAGE = 25
MY_VISITS_RECENT_DAYS = 7


@dataclass(frozen=True)
class VisitsPage:
    """A window of the aide's visits, soonest first, with keys for the pages around it."""

    visits: list[Visit]
    earlier: BoardKey | None
    later: BoardKey | None


def aide_visits(
    aide: User,
    now: datetime,
    after: BoardKey | None = None,
    before: BoardKey | None = None,
) -> VisitsPage:
    """The aide's visits a page at a time: by default the last week's and the next ones (missed
    and cancelled ones too), soonest first; or the page after or before a key."""
    query = (
        select(Visit)
        .where(
            Visit.aide_id == aide.id,
            Visit.status.in_(("booked", "checked_in", "completed", "cancelled", "no_show")),
        )
        .options(
            selectinload(Visit.request).selectinload(AssistanceRequest.tasks),
            selectinload(Visit.patient),
        )
    )
    position = tuple_(Visit.starts_at, Visit.id)
    if before is not None:
        query = query.where(position < tuple_(before.starts_at, before.visit_id))
        query = query.order_by(Visit.starts_at.desc(), Visit.id.desc())
    elif after is not None:
        query = query.where(position > tuple_(after.starts_at, after.visit_id))
        query = query.order_by(Visit.starts_at, Visit.id)
    else:
        since = now - timedelta(days=MY_VISITS_RECENT_DAYS)
        query = query.where(Visit.starts_at > since).order_by(Visit.starts_at, Visit.id)
    visits = list(db.session.scalars(query.limit(MY_VISITS_PAGE + 1)))
    more = len(visits) > MY_VISITS_PAGE
    visits = visits[:MY_VISITS_PAGE]
    if before is not None:
        visits.reverse()
    if not visits:
        # Nothing here: "Earlier visits" still leads back from where the aide stands.
        edge = before or after or BoardKey(now - timedelta(days=MY_VISITS_RECENT_DAYS), 0)
        return VisitsPage([], earlier=edge if before is None else None, later=None)
    first, last = BoardKey.of(visits[0]), BoardKey.of(visits[-1])
    if before is not None:
        return VisitsPage(visits, earlier=first if more else None, later=last)
    # Whether older visits exist is not asked (one statement less): the link is always there.
    return VisitsPage(visits, earlier=first, later=last if more else None)


def upcoming_for_aide(aide: User, now: datetime, limit: int = 5) -> list[Visit]:
    """The aide's next booked or running visits, soonest first."""
    query = (
        select(Visit)
        .where(
            Visit.aide_id == aide.id,
            Visit.status.in_(("booked", "checked_in")),
            Visit.ends_at > now,
        )
        .options(
            selectinload(Visit.request).selectinload(AssistanceRequest.tasks),
            selectinload(Visit.patient),
        )
        .order_by(Visit.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))
