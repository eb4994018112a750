"""What aides browse: the request board, a page at a time (their own visits: own_visits.py).

It pages on (starts_at, id) (listed.py), so a deep page costs what the first does, and it
counts no more than it shows (up to COUNT_CAP). Booking and
cancelling, and the guarantees that make them race-free, live in services.py.

Its statements are built once per shape (which filters are on, which way it pages)
with the values as bound parameters, and they read plain columns rather than whole rows:
a page shows a few fields of each visit, its request and its home.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, and_, any_, bindparam, cast, func, or_, select
from sqlalchemy.dialects import postgresql

from webapp.auth.models import User
from webapp.care.catalogue import BY_SLUG
from webapp.care.models import RoutineItem
from webapp.database import read_columns
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest, PatientHome, area_key, request_task
from webapp.scheduling.listed import (
    LISTED_REQUEST,
    BoardKey,
    ListedRequest,
    in_list_order,
    listed_requests,
    moment_param,
    paging_params,
)
from webapp.scheduling.models import Visit


def visible_on_board():
    """SQL condition: open slots starting after :now, of active requests the aide :aide_id may
    see (not their own, and not offered to another aide first while the offer runs)."""
    now = moment_param("now")
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
#: The board counts matches up to this many and then says "More than 100": counting every
#: open slot on each view was most of the board's cost, and counting to 200 still half of a
#: filtered board's. A hundred is five pages, more than an aide reads before narrowing.
COUNT_CAP = 100


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
    #: How many slots match in all, counted up to COUNT_CAP + 1 (more shows as "More than").
    matches: int
    #: For slots that relatives already cover in part: the parts of the day, in day order.
    family: dict[int, list[str]]
    #: Keys for the "Earlier" and "Later" links, None where there is nothing more.
    earlier: BoardKey | None
    later: BoardKey | None

    @property
    def more_than_counted(self) -> bool:
        return self.matches > COUNT_CAP


class _BoardShape(NamedTuple):
    """Which filters a board query has: its statements are built once per shape."""

    #: None, "range" (SQLite: the homes' keys compared as a range) or "array" (PostgreSQL:
    #: the homes gathered into one array, once per statement).
    area: str | None
    start: bool
    end: bool
    min_rate: bool
    #: None, "medications" or "exercise".
    task: str | None


def _homes_in_area(collation: str | None = None):
    """The homes whose town or postal code begins with :area: their keys from :area up to
    :area_end (:area with its last character one higher), compared character by character
    (`collation` names that order where it is not the column's own)."""

    def key_in_range(column):
        if collation:
            column = column.collate(collation)
        return and_(column >= bindparam("area"), column < bindparam("area_end"))

    return select(PatientHome.patient_id).where(
        or_(key_in_range(PatientHome.town_key), key_in_range(PatientHome.postal_key))
    )


#: SQLite compares text character by character and answers the range from the keys' indexes.
_IN_AREA_RANGE = _homes_in_area()
#: PostgreSQL gathers the homes into one array, once per statement (a WITH both the page and
#: its count read). Its keys sort by the language's rules, so the range says "C". A plan made
#: once for every town (see database.py) cannot guess how many homes match; with an array it
#: keeps the same plan for a town of five homes or of five hundred.
_AREA_HOMES = select(
    func.array(_homes_in_area(collation="C").scalar_subquery()).label("patient_ids")
).cte("area_homes")
_IN_AREA_ARRAY = cast(
    select(_AREA_HOMES.c.patient_ids).scalar_subquery(), postgresql.ARRAY(Integer)
)


def _after_prefix(text: str) -> str:
    """The first text after every key that begins with `text`, in character order: its last
    character one higher (keys are at most 100 characters long)."""
    stem = text.rstrip(chr(0x10FFFF))
    if not stem:  # nothing comes after the highest character: outrun the longest key
        return text + chr(0x10FFFF) * 100
    after = ord(stem[-1]) + 1
    if 0xD800 <= after <= 0xDFFF:  # surrogates are not characters: the next one follows them
        after = 0xE000
    return stem[:-1] + chr(after)


@cache
def _board_conditions(shape: _BoardShape, in_order: bool = False) -> tuple:
    """The board's conditions for this shape; `in_order` for the page itself, which walks the
    board index in the board's order."""
    conditions = [visible_on_board()]
    # The page compares patient_id + 0, which no index offers, so that it walks the board
    # index in the board's order and sorts nothing; the count starts from the homes, each
    # one's open slots from the (patient_id, status, starts_at) index, and stops at the cap.
    patient = Visit.patient_id + 0 if in_order else Visit.patient_id
    if shape.area == "array":
        conditions.append(patient == any_(_IN_AREA_ARRAY))
    elif shape.area == "range":
        conditions.append(patient.in_(_IN_AREA_RANGE))
    if shape.start:
        conditions.append(Visit.starts_at >= moment_param("start"))
    if shape.end:
        conditions.append(Visit.starts_at < moment_param("end"))
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
    ("after"), or before it, latest first ("before"); each row also carries the capped count
    of all matches (worked out once per statement) and the parts of the day that family
    already covers, so the board costs one statement."""
    from webapp.coverage.covers import parts_covered  # coverage builds on scheduling

    query = (
        select(
            Visit.id,
            Visit.patient_id,
            Visit.starts_at,
            Visit.ends_at,
            PatientHome.city,
            PatientHome.postal_code,
            *LISTED_REQUEST,
            _board_count(shape).scalar_subquery().label("matches"),
            parts_covered().label("covered"),
        )
        .select_from(Visit)
        .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
        .outerjoin(PatientHome, PatientHome.patient_id == Visit.patient_id)
    )
    return in_list_order(query, _board_conditions(shape, in_order=True), paging, PAGE_SIZE + 1)


def _board_query(aide: User, filters: BoardFilters, now: datetime) -> tuple[_BoardShape, dict]:
    """The shape of the board's query for these filters, and its parameters."""
    from webapp.coverage.covers import WINDOW_AT_MOST

    params: dict = {"now": now, "aide_id": aide.id, "covers_from": now - WINDOW_AT_MOST}
    area_mode = None
    area = area_key(filters.area)
    if area:
        # Town or postal code, normalised as stored, matched whole or by its beginning
        # ("spring" finds Springfield, "123" finds 12345).
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        area_mode = "range" if sqlite else "array"
        params["area"] = area
        params["area_end"] = _after_prefix(area)
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
    page costs what the first does). One statement."""
    from webapp.coverage.covers import parts_in_day_order  # coverage builds on scheduling

    shape, params = _board_query(aide, filters, now)
    paging, key = paging_params(after, before)
    rows = read_columns(db.session, _board_slots(shape, paging), params | key).all()
    if rows:
        matches = rows[0].matches
    elif paging == "first":
        matches = 0
    else:  # past either end of the board: the count is still the board's
        matches = read_columns(db.session, _board_count(shape), params).scalar()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if before is not None:
        rows.reverse()
    requests = listed_requests(rows, first=6)
    visits = [OpenSlot(row[0], row[1], row[2], row[3], requests[row[6]]) for row in rows]
    areas = {
        row.patient_id: f"{row.city} {row.postal_code}".strip()  # as PatientHome.area
        for row in rows
        if row.city is not None
    }
    family = {row.id: parts_in_day_order(row.covered) for row in rows if row.covered}
    if before is not None:
        earlier_exists, later_exists = more, True
    else:
        earlier_exists, later_exists = after is not None, more
    return BoardPage(
        visits=visits,
        areas=areas,
        matches=matches,
        family=family,
        earlier=BoardKey.of(visits[0]) if visits and earlier_exists else None,
        later=BoardKey.of(visits[-1]) if visits and later_exists else None,
    )
