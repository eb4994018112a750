"""What coverage reads: the patients' visits, live covers and home sessions over their spans
in one UNION ALL of the columns coverage and its page use (the calendar reads the same three
kinds its own way, in calendar/rows.py, sharing sessions_part)."""

from collections import namedtuple
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    Integer,
    String,
    Time,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from webapp.auth.models import User
from webapp.circle.models import CircleMember
from webapp.coverage.models import MEMBER_IN_CIRCLE, FamilyCover
from webapp.coverage.plans import PLAN_KINDS, Plan, plan_selects, plans_from_rows
from webapp.database import UTCDateTime, read_columns
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.scheduling.models import Visit

#: Longer than any visit (a request's window is at most MAX_WINDOW, 12 hours): a visit that
#: overlaps a span starts less than this before it, which bounds the index range read.
LONGEST_VISIT = timedelta(days=1)


#: A visit, a live cover and a home session as coverage reads them (the rows of rows_of).
VisitRow = namedtuple("VisitRow", "id patient_id status starts_at ends_at aide_name")
CoverRow = namedtuple(
    "CoverRow",
    "id patient_id member_id part_of_day window_starts_at window_ends_at released_at member_name",
)
SessionRow = namedtuple("SessionRow", "id patient_id part_of_day done_at")


def typed_null(kind):
    """NULL of a given type: what a part of a UNION ALL puts in the other parts' columns."""
    return cast(null(), kind)


def visits_part(patient_ids, *extra):
    """The patients' visits (any status) overlapping :starts to :ends, with their aide's name,
    as one part of a UNION ALL of visits, covers and sessions: kind, id, patient_id, status,
    starts_at, ends_at, a NULL released_at, then `extra` columns, the aide's name and a NULL
    member id. :reach_from (a visit's longest before :starts) bounds the index range read."""
    aide = aliased(User)
    return (
        select(
            literal_column("'visit'").label("kind"),
            Visit.id,
            Visit.patient_id,
            Visit.status.label("word"),
            Visit.starts_at.label("starts_at"),
            Visit.ends_at.label("ends_at"),
            typed_null(UTCDateTime()).label("released_at"),
            *extra,
            aide.display_name.label("name"),
            typed_null(Integer).label("member_id"),
        )
        .outerjoin(aide, aide.id == Visit.aide_id)
        .where(
            # Held is sifted by the caller: on SQLite a status test would draw the planner to
            # the (status, starts_at) board index, which walks every patient's visits.
            Visit.patient_id.in_(patient_ids),
            Visit.starts_at < bindparam("ends"),
            Visit.starts_at > bindparam("reach_from"),
            Visit.ends_at > bindparam("starts"),
        )
    )


def sessions_part(patient_ids, *padding):
    """The patients' home sessions done between :starts and :ends as one part of a UNION ALL
    of visits, covers and sessions: kind, id, patient_id, part of the day, when done, then
    `padding` (typed NULLs) for the columns only the other parts fill."""
    return select(
        literal_column("'session'"),
        HomeSession.id,
        HomeSession.patient_id,
        HomeSession.part_of_day,
        HomeSession.done_at,
        *padding,
    ).where(
        HomeSession.patient_id.in_(patient_ids),
        HomeSession.done_at >= bindparam("starts"),
        HomeSession.done_at < bindparam("ends"),
    )


def _rows_parts(patient_ids, *plan_columns):
    """The visits, live covers and home sessions parts of a UNION ALL, with `plan_columns`
    (typed NULLs) where a plan's own columns go (see _plans_and_rows_statement). Their
    columns: kind, id, patient_id, word (a visit's status, a part of the day), starts_at,
    ends_at, released_at, the plan's columns, name (the aide's, the member's), member_id."""
    starts, ends = bindparam("starts"), bindparam("ends")
    member = aliased(User)
    none = typed_null
    visits = visits_part(patient_ids, *plan_columns)
    covers = (
        select(
            literal_column("'cover'"),
            FamilyCover.id,
            FamilyCover.patient_id,
            FamilyCover.part_of_day,
            FamilyCover.window_starts_at,
            FamilyCover.window_ends_at,
            FamilyCover.released_at,
            *plan_columns,
            member.display_name,
            FamilyCover.member_id,
        )
        .join(CircleMember, MEMBER_IN_CIRCLE)
        .outerjoin(member, member.id == FamilyCover.member_id)
        .where(
            FamilyCover.patient_id.in_(patient_ids),
            FamilyCover.released_at.is_(None),
            FamilyCover.window_starts_at >= starts,
            FamilyCover.window_starts_at < ends,
        )
    )
    sessions = sessions_part(
        patient_ids,
        none(UTCDateTime()),
        none(UTCDateTime()),
        *plan_columns,
        none(String),
        none(Integer),
    )
    return visits, covers, sessions


@cache
def _rows_statement():
    """The visits, live covers and home sessions of coverage_for_many() in one UNION ALL,
    built once; values go in as parameters (patient_ids, starts, ends, reach_from). It reads
    the columns coverage and its page use, not whole records: a visit with its aide's name,
    a cover with its member's. Each part reads by patient and time as its indexes serve it.

    The columns: kind, id, patient_id, word (a visit's status, a part of the day), starts_at,
    ends_at, released_at, name (the aide's, the member's), member_id.
    """
    parts = _rows_parts(bindparam("patient_ids", expanding=True))
    # In time order (then id): each kind's rows come in the order its own read would give.
    return union_all(*parts).order_by(literal_column("starts_at"), literal_column("id"))


#: Where a plan's own columns go in the plans-and-rows statement: typed NULLs in the rows.
_PLAN_NULLS = (typed_null(Time), typed_null(Time), typed_null(Integer), typed_null(Integer))


def _plan_in_rows(patient_id, kind, row_id, name, starts_at, ends_at, weekdays, times_of_day):
    """A plan row's columns laid out as the rows' (see _plans_and_rows_statement)."""
    none = typed_null
    moment = UTCDateTime()
    return (
        kind,
        row_id,
        patient_id,
        name,
        none(moment),
        none(moment),
        none(moment),
        starts_at,
        ends_at,
        weekdays,
        times_of_day,
        none(String),
        none(Integer),
    )


@cache
def _plans_and_rows_statement():
    """The patients' plans (plans.plan_selects) and their visits, live covers and home
    sessions (as _rows_statement) in one UNION ALL: a page that needs both reads them in one
    statement. The columns: those of _rows_statement with, after released_at, a plan's part
    times (starts, ends), weekdays and times of the day."""
    patient_ids = bindparam("patient_ids", expanding=True)
    parts = _rows_parts(patient_ids, *_PLAN_NULLS)
    plan = plan_selects(patient_ids, layout=_plan_in_rows)
    return union_all(*parts, *plan).order_by(literal_column("starts_at"), literal_column("id"))


def _values(spans: dict[int, tuple[datetime, datetime]]) -> dict:
    """The parameters of the rows' statements for these spans."""
    first_start, first_end = outer_span(spans)
    return {
        "patient_ids": list(spans),
        "starts": first_start,
        "ends": first_end,
        "reach_from": first_start - LONGEST_VISIT,
    }


def rows_of(
    spans: dict[int, tuple[datetime, datetime]],
) -> tuple[list[VisitRow], list[CoverRow], list[SessionRow]]:
    """The patients' visits (any status) and live covers whose member is still in the circle
    over the patients' spans, and their home sessions, each in time order (one query; the
    caller sifts them per patient)."""
    read = ([], [], [])
    for row in read_columns(db.session, _rows_statement(), _values(spans)):
        _keep(read, *row)
    return read


def plans_and_rows(
    spans: dict[int, tuple[datetime, datetime]],
) -> tuple[dict[int, Plan], list[VisitRow], list[CoverRow], list[SessionRow]]:
    """The patients' plans (as plans.plans_of) and what rows_of reads, in one query."""
    read = ([], [], [])
    plan_rows = []
    rows = read_columns(db.session, _plans_and_rows_statement(), _values(spans))
    for kind, row_id, patient_id, word, starts_at, ends_at, released, *plan, name, member in rows:
        if kind in PLAN_KINDS:
            plan_rows.append((patient_id, kind, row_id, word, *plan))
        else:
            _keep(read, kind, row_id, patient_id, word, starts_at, ends_at, released, name, member)
    return (plans_from_rows(list(spans), plan_rows), *read)


def _keep(read, kind, row_id, patient_id, word, starts_at, ends_at, released, name, member_id):
    """Add a row of the rows' statement to the (visits, covers, sessions) lists."""
    visits, covers, sessions = read
    if kind == "visit":
        visits.append(VisitRow(row_id, patient_id, word, starts_at, ends_at, name))
    elif kind == "cover":
        covers.append(
            CoverRow(row_id, patient_id, member_id, word, starts_at, ends_at, released, name)
        )
    else:
        sessions.append(SessionRow(row_id, patient_id, word, starts_at))


def outer_span(spans: dict[int, tuple[datetime, datetime]]) -> tuple[datetime, datetime]:
    """The earliest start and the latest end of the patients' spans (each is read by patient
    id and this range, so the indexes on patient and time serve it; the rest is sifted here)."""
    return min(start for start, _ in spans.values()), max(end for _, end in spans.values())
