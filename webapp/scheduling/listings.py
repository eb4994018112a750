"""What aides browse: the request board and their own visits, a page at a time.

Both pages use keyset paging on (starts_at, id), so a deep page costs what the first does,
and neither counts more than it shows (the board counts up to COUNT_CAP). Booking and
cancelling, and the guarantees that make them race-free, live in services.py.

Each page's statements are built once per shape (which filters are on, which way it pages)
with the values as bound parameters, and they read plain columns rather than whole rows:
a page shows a few fields of each visit, its request and its home.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, or_, select, tuple_

from webapp.auth.models import User
from webapp.care.catalogue import BY_SLUG
from webapp.care.models import RoutineItem
from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest, PatientHome, area_key, request_task
from webapp.scheduling.models import Visit


def _moment(name: str):
    """A bound aware datetime (stored as UTC)."""
    return bindparam(name, type_=UTCDateTime())


def visible_on_board():
    """SQL condition: open slots starting after :now, of active requests the aide :aide_id may
    see (not their own, and not offered to another aide first while the offer runs)."""
    now = _moment("now")
    return and_(
        Visit.status == "open",
        Visit.starts_at > now,
        AssistanceRequest.status == "active",
        Visit.patient_id != bindparam("aide_id"),
        or_(
            AssistanceRequest.offered_to_id.is_(None),
            AssistanceRequest.offered_to_id == bindparam("aide_id"),
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
    def of(cls, visit) -> "BoardKey":
        """The key of a visit (anything with starts_at and id)."""
        return cls(visit.starts_at, visit.id)


def _read(statement, params: dict):
    """Run a statement of plain columns on the session's connection, in its transaction, without
    the ORM's result handling (only entities need it); pending changes are flushed first, as
    the session's own execute would."""
    db.session.flush()
    return db.session.connection().execute(statement, params)


@dataclass(frozen=True, slots=True)
class ListedRequest:
    """What the lists show of a visit's request: its zone, schedule, rate, offer and tasks."""

    id: int
    timezone: str
    first_date: date
    start_time: time
    end_time: time
    repeat: str
    weekdays: int
    until_date: date | None
    rate_cents: int
    currency: str
    includes_medications: bool
    offered_to_id: int | None
    #: Its tasks (ListedTask: each with an exercise_slug), in the order its `tasks` load in.
    tasks: list


#: The columns a ListedRequest is made of, tasks aside, in its order.
_REQUEST_COLUMNS = (
    AssistanceRequest.id,
    AssistanceRequest.timezone,
    AssistanceRequest.first_date,
    AssistanceRequest.start_time,
    AssistanceRequest.end_time,
    AssistanceRequest.repeat,
    AssistanceRequest.weekdays,
    AssistanceRequest.until_date,
    AssistanceRequest.rate_cents,
    AssistanceRequest.currency,
    AssistanceRequest.includes_medications,
    AssistanceRequest.offered_to_id,
)


class ListedTask(NamedTuple):
    """A task of a listed request: its exercise."""

    exercise_slug: str


#: The exercise slugs of the request's tasks, space-separated (slugs are catalogue slugs, with
#: no spaces), in the order its `tasks` load in: a column of the lists' own statements, so
#: the tasks need no statement of their own.
_TASK_SLUGS = (
    select(func.aggregate_strings(RoutineItem.exercise_slug, " "))
    .select_from(request_task)
    .join(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
    .where(request_task.c.request_id == AssistanceRequest.id)
    .scalar_subquery()
)

#: What the lists read of a visit's request, as ListedRequest is made of.
_LISTED_REQUEST = (*_REQUEST_COLUMNS, _TASK_SLUGS)
_TASKS_AT = len(_REQUEST_COLUMNS)


def _listed_requests(rows, first: int) -> dict[int, ListedRequest]:
    """The requests in rows (their columns from index `first` on, as _LISTED_REQUEST), each
    with its tasks."""
    requests: dict[int, ListedRequest] = {}
    for row in rows:
        request_id = row[first]
        if request_id not in requests:
            values = row[first : first + _TASKS_AT]
            slugs = row[first + _TASKS_AT]
            tasks = [ListedTask(slug) for slug in slugs.split(" ")] if slugs else []
            requests[request_id] = ListedRequest(*values, tasks=tasks)
    return requests


@dataclass(frozen=True, slots=True)
class OpenSlot:
    """An open visit on the board."""

    id: int
    patient_id: int
    starts_at: datetime
    ends_at: datetime
    request: ListedRequest


@dataclass(frozen=True)
class BoardPage:
    """One page of the board: up to PAGE_SIZE slots, the homes' areas, and the way on."""

    visits: list[OpenSlot]
    #: The area (town and postal code) of each patient on the page who gave a home.
    areas: dict[int, str]
    #: How many slots match in all, counted up to COUNT_CAP + 1 (more shows as "200+").
    matches: int
    #: Keys for the "Earlier" and "Later" links, None where there is nothing more.
    earlier: BoardKey | None
    later: BoardKey | None

    @property
    def more_than_counted(self) -> bool:
        return self.matches > COUNT_CAP


class _BoardShape(NamedTuple):
    """Which filters a board query has: its statements are built once per shape."""

    #: None, "listed" (patients looked up first) or "scan" (too many homes: a subquery).
    area: str | None
    start: bool
    end: bool
    min_rate: bool
    #: None, "medications" or "exercise".
    task: str | None


#: The homes whose town or postal code begins with :area (escaped for LIKE with "/").
_IN_AREA = select(PatientHome.patient_id).where(
    or_(
        PatientHome.town_key.startswith(bindparam("area"), escape="/"),
        PatientHome.postal_key.startswith(bindparam("area"), escape="/"),
    )
)
_IN_AREA_LISTED = _IN_AREA.limit(AREA_PATIENTS_LISTED + 1)


def _like_prefix(text: str) -> str:
    """The text with LIKE's wildcards escaped by "/", so it matches only itself."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


@cache
def _board_conditions(shape: _BoardShape) -> tuple:
    conditions = [visible_on_board()]
    if shape.area == "listed":
        conditions.append(Visit.patient_id.in_(bindparam("patient_ids", expanding=True)))
    elif shape.area == "scan":
        conditions.append(Visit.patient_id.in_(_IN_AREA))  # most of the city: scan it
    if shape.start:
        conditions.append(Visit.starts_at >= _moment("start"))
    if shape.end:
        conditions.append(Visit.starts_at < _moment("end"))
    if shape.min_rate:
        conditions.append(AssistanceRequest.rate_cents >= bindparam("min_rate_cents"))
    if shape.task == "medications":
        conditions.append(AssistanceRequest.includes_medications.is_(True))
    elif shape.task == "exercise":
        has_task = (
            select(request_task.c.request_id)
            .join(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
            .where(
                request_task.c.request_id == AssistanceRequest.id,
                RoutineItem.exercise_slug == bindparam("task"),
            )
            .exists()
        )
        conditions.append(has_task)
    return tuple(conditions)


@cache
def _board_count(shape: _BoardShape):
    """How many slots match, counted up to COUNT_CAP + 1."""
    matching = (
        select(Visit.id)
        .join(AssistanceRequest, Visit.request_id == AssistanceRequest.id)
        .where(*_board_conditions(shape))
        .limit(COUNT_CAP + 1)
    )
    return select(func.count()).select_from(matching.subquery())


@cache
def _board_slots(shape: _BoardShape, paging: str):
    """A page of matching slots and one more: the first ("first"), after :key_at/:key_id
    ("after"), or before it, latest first ("before")."""
    query = (
        select(
            Visit.id,
            Visit.patient_id,
            Visit.starts_at,
            Visit.ends_at,
            PatientHome.city,
            PatientHome.postal_code,
            *_LISTED_REQUEST,
        )
        .select_from(Visit)
        .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
        .outerjoin(PatientHome, PatientHome.patient_id == Visit.patient_id)
    )
    return _paged(query, _board_conditions(shape), paging, PAGE_SIZE + 1)


def _paged(query, conditions, paging: str, limit: int):
    """The query narrowed by the conditions, in the lists' order on (starts_at, id), from a key
    when paging."""
    position = tuple_(Visit.starts_at, Visit.id)
    key_at = _moment("key_at")
    key = tuple_(key_at, bindparam("key_id", type_=Visit.id.type))
    # The plain bound on starts_at says what the key's does, and comes first: SQLite walks the
    # (..., starts_at) index from the first bound it is given, so a deep page starts at the
    # key instead of at the first open slot.
    if paging == "before":
        query = query.where(Visit.starts_at <= key_at, *conditions, position < key)
        return query.order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(limit)
    if paging == "after":
        query = query.where(Visit.starts_at >= key_at, *conditions, position > key)
    else:
        query = query.where(*conditions)
    return query.order_by(Visit.starts_at, Visit.id).limit(limit)


def _paging(after: BoardKey | None, before: BoardKey | None) -> tuple[str, dict]:
    """Which way a list pages, and the key's parameters."""
    if before is not None:
        return "before", {"key_at": before.starts_at, "key_id": before.visit_id}
    if after is not None:
        return "after", {"key_at": after.starts_at, "key_id": after.visit_id}
    return "first", {}


def _board_query(aide: User, filters: BoardFilters, now: datetime) -> tuple[_BoardShape, dict]:
    """The shape of the board's query for these filters, and its parameters."""
    params: dict = {"now": now, "aide_id": aide.id}
    area_mode = None
    area = area_key(filters.area)
    if area:
        # Town or postal code, normalised as stored, matched whole or by its beginning
        # ("spring" finds Springfield, "123" finds 12345). On PostgreSQL the homes are looked
        # up first, so the board's queries filter on known patients: it keeps their prepared
        # plans, and a generic plan cannot guess how many homes a LIKE pattern matches. SQLite
        # plans each statement afresh and reads the homes into a lookup table once per
        # statement, which costs less than a lookup of its own and a list of bound ids.
        params["area"] = _like_prefix(area)
        if db.session.get_bind().dialect.name == "sqlite":
            patient_ids = None
        else:
            patient_ids = list(_read(_IN_AREA_LISTED, {"area": params["area"]}).scalars())
        if patient_ids is None or len(patient_ids) > AREA_PATIENTS_LISTED:
            area_mode = "scan"
        else:
            area_mode = "listed"
            params["patient_ids"] = patient_ids
    task = None
    if filters.task == "medications":
        task = "medications"
    elif filters.task in BY_SLUG:
        task = "exercise"
        params["task"] = filters.task
    if filters.start:
        params["start"] = filters.start
    if filters.end:
        params["end"] = filters.end
    if filters.min_rate_cents:
        params["min_rate_cents"] = filters.min_rate_cents
    shape = _BoardShape(
        area=area_mode,
        start=bool(filters.start),
        end=bool(filters.end),
        min_rate=bool(filters.min_rate_cents),
        task=task,
    )
    return shape, params


def board(
    aide: User,
    filters: BoardFilters,
    now: datetime,
    after: BoardKey | None = None,
    before: BoardKey | None = None,
) -> BoardPage:
    """Open future slots the aide may book, earliest first, a page at a time: the first page,
    the page after a key or the page before one (keyset paging on (starts_at, id), so a deep
    page costs what the first does). Two statements, plus the homes in an area filter on
    PostgreSQL."""
    shape, params = _board_query(aide, filters, now)
    matches = _read(_board_count(shape), params).scalar()
    paging, key = _paging(after, before)
    rows = _read(_board_slots(shape, paging), params | key).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if before is not None:
        rows.reverse()
    requests = _listed_requests(rows, first=6)
    visits = [OpenSlot(row[0], row[1], row[2], row[3], requests[row[6]]) for row in rows]
    areas = {
        row.patient_id: f"{row.city} {row.postal_code}".strip()  # as PatientHome.area
        for row in rows
        if row.city is not None
    }
    if before is not None:
        earlier_exists, later_exists = more, True
    else:
        earlier_exists, later_exists = after is not None, more
    return BoardPage(
        visits=visits,
        areas=areas,
        matches=matches,
        earlier=BoardKey.of(visits[0]) if visits and earlier_exists else None,
        later=BoardKey.of(visits[-1]) if visits and later_exists else None,
    )


#: My visits shows the visits that ended in the last week and the ones ahead, this many at a
#: time; older ones are behind "Earlier visits".
MY_VISITS_PAGE = 25
MY_VISITS_RECENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class AideVisit:
    """A visit on the aide's list: when, its state, whose it is and its request."""

    id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    cancelled_late: bool
    patient_name: str
    request: ListedRequest


@dataclass(frozen=True)
class VisitsPage:
    """A window of the aide's visits, soonest first, with keys for the pages around it."""

    visits: list[AideVisit]
    earlier: BoardKey | None
    later: BoardKey | None


@cache
def _aide_visits(paging: str):
    """A page of :aide_id's visits and one more: from :since (paging "first"), or after or
    before a key."""
    query = (
        select(
            Visit.id,
            Visit.status,
            Visit.starts_at,
            Visit.ends_at,
            Visit.cancelled_late,
            User.display_name,
            *_LISTED_REQUEST,
        )
        .select_from(Visit)
        .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
        .join(User, User.id == Visit.patient_id)
    )
    conditions = [
        Visit.aide_id == bindparam("aide_id"),
        Visit.status.in_(("booked", "checked_in", "completed", "cancelled", "no_show")),
    ]
    if paging == "first":
        conditions.append(Visit.starts_at > _moment("since"))
    return _paged(query, conditions, paging, MY_VISITS_PAGE + 1)


def aide_visits(
    aide: User,
    now: datetime,
    after: BoardKey | None = None,
    before: BoardKey | None = None,
) -> VisitsPage:
    """The aide's visits a page at a time: by default the last week's and the next ones (missed
    and cancelled ones too), soonest first; or the page after or before a key."""
    paging, params = _paging(after, before)
    params["aide_id"] = aide.id
    if paging == "first":
        params["since"] = now - timedelta(days=MY_VISITS_RECENT_DAYS)
    rows = _read(_aide_visits(paging), params).all()
    more = len(rows) > MY_VISITS_PAGE
    rows = rows[:MY_VISITS_PAGE]
    if before is not None:
        rows.reverse()
    if not rows:
        # Nothing here: "Earlier visits" still leads back from where the aide stands.
        edge = before or after or BoardKey(now - timedelta(days=MY_VISITS_RECENT_DAYS), 0)
        return VisitsPage([], earlier=edge if before is None else None, later=None)
    requests = _listed_requests(rows, first=6)
    visits = [AideVisit(*row[:6], request=requests[row[6]]) for row in rows]
    first, last = BoardKey.of(visits[0]), BoardKey.of(visits[-1])
    if before is not None:
        return VisitsPage(visits, earlier=first if more else None, later=last)
    # Whether older visits exist is not asked (one statement less): the link is always there.
    return VisitsPage(visits, earlier=first, later=last if more else None)
