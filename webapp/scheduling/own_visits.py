"""The aide's own visits ("My visits"), a page at a time: by default the last week's and the
next ones, soonest first, with keyset paging on (starts_at, id) to earlier and later ones."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, select

from webapp.auth.models import User
from webapp.database import read_columns
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
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
            *LISTED_REQUEST,
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
        conditions.append(Visit.starts_at > moment_param("since"))
    return in_list_order(query, conditions, paging, MY_VISITS_PAGE + 1)


def aide_visits(
    aide: User,
    now: datetime,
    after: BoardKey | None = None,
    before: BoardKey | None = None,
) -> VisitsPage:
    """The aide's visits a page at a time: by default the last week's and the next ones (missed
    and cancelled ones too), soonest first; or the page after or before a key."""
    paging, params = paging_params(after, before)
    params["aide_id"] = aide.id
    if paging == "first":
        params["since"] = now - timedelta(days=MY_VISITS_RECENT_DAYS)
    rows = read_columns(db.session, _aide_visits(paging), params).all()
    more = len(rows) > MY_VISITS_PAGE
    rows = rows[:MY_VISITS_PAGE]
    if before is not None:
        rows.reverse()
    if not rows:
        # Nothing here: "Earlier visits" still leads back from where the aide stands.
        edge = before or after or BoardKey(now - timedelta(days=MY_VISITS_RECENT_DAYS), 0)
        return VisitsPage([], earlier=edge if before is None else None, later=None)
    requests = listed_requests(rows, first=6)
    visits = [AideVisit(*row[:6], request=requests[row[6]]) for row in rows]
    first, last = BoardKey.of(visits[0]), BoardKey.of(visits[-1])
    if before is not None:
        return VisitsPage(visits, earlier=first if more else None, later=last)
    # Whether older visits exist is not asked (one statement less): the link is always there.
    return VisitsPage(visits, earlier=first, later=last if more else None)
