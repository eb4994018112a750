"""What the aides' lists (the board, My visits) share: where a page starts (BoardKey), keyset
paging on (starts_at, id), and what they read of a visit's request.

The lists read plain columns rather than whole rows, on the session's connection: a page shows
a few fields of each visit and its request.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, tuple_

from webapp.care.models import RoutineItem
from webapp.database import UTCDateTime
from webapp.marketplace.models import AssistanceRequest, request_task
from webapp.scheduling.models import Visit


def moment_param(name: str):
    """A bound aware datetime (stored as UTC)."""
    return bindparam(name, type_=UTCDateTime())


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
LISTED_REQUEST = (*_REQUEST_COLUMNS, _TASK_SLUGS)
_TASKS_AT = len(_REQUEST_COLUMNS)


def listed_requests(rows, first: int) -> dict[int, ListedRequest]:
    """The requests in rows (their columns from index `first` on, as LISTED_REQUEST), each
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


def in_list_order(query, conditions, paging: str, limit: int):
    """The query narrowed by the conditions, in the lists' order on (starts_at, id), from a key
    when paging."""
    position = tuple_(Visit.starts_at, Visit.id)
    key_at = moment_param("key_at")
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


def paging_params(after: BoardKey | None, before: BoardKey | None) -> tuple[str, dict]:
    """Which way a list pages, and the key's parameters."""
    if before is not None:
        return "before", {"key_at": before.starts_at, "key_id": before.visit_id}
    if after is not None:
        return "after", {"key_at": after.starts_at, "key_id": after.visit_id}
    return "first", {}
