"""What a patient's dashboard shows, read in three queries whatever the history holds.

The routine, medications and precautions (one query: care.care_plan); the visits in one query
(the next five still to come, the completed ones of the charts' eight weeks and those of the
last two weeks where the safety rule stopped the exercises, each with its aide, its request,
the ids of the request's tasks and how many exercises were done and partly done); and the home
sessions of the eight weeks with the same counts, each row carrying the size of the care
circle (a one-row count the sessions are outer-joined to, so it comes even with no session).
Every read goes through a patient's own rows by time (ix_visit_patient_id_starts_at,
ix_home_session_patient_done_at).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, bindparam, cast, func, or_, select

from webapp.auth.models import User
from webapp.care import services as care
from webapp.circle.models import CircleMember
from webapp.coverage.services import LONGEST_VISIT
from webapp.extensions import db
from webapp.homelog.models import HomeSession, HomeTaskLog
from webapp.marketplace.models import AssistanceRequest, request_task
from webapp.scheduling.models import Visit
from webapp.visits import trends
from webapp.visits.models import TaskLog, VisitReport

#: Visits still to come that the dashboard lists, soonest first.
UPCOMING = 5
UPCOMING_STATUSES = ("open", "booked", "checked_in")
#: How far back the dashboard looks for recent visits and for pain alerts.
RECENT = timedelta(days=14)
#: Recent completed visits listed.
RECENT_SHOWN = 5


@dataclass(frozen=True, slots=True)
class ShownRequest:
    """What the dashboard shows of a visit's request: its zone and what it asks help with."""

    timezone: str
    includes_medications: bool
    #: The routine items it asks help with (those of upcoming visits only; empty otherwise).
    tasks: list


@dataclass(frozen=True, slots=True)
class ShownVisit:
    """A visit as the dashboard lists it."""

    id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    request_id: int
    #: The aide's name; None while nobody has booked it.
    aide_name: str | None
    request: ShownRequest
    #: From its report; None before check-in or when not asked.
    pain_before: int | None
    pain_after: int | None


@dataclass
class PatientHome:
    items: list
    medications: list
    precautions: list
    upcoming: list[ShownVisit]
    #: Visits of the last two weeks where the exercises stopped because of pain, newest first.
    flagged: list[ShownVisit]
    #: The last few completed visits of the last two weeks, oldest first.
    recent: list[ShownVisit]
    #: Home sessions of the last two weeks where the exercises stopped (rows with an id and
    #: done_at), newest first.
    flagged_home: list
    trends: trends.Trends
    circle_size: int


def _counts(log, owner_column, owner_id):
    """(done, partly) exercise counts of one visit or home session, as correlated columns."""
    return [
        select(func.count())
        .where(owner_column == owner_id, log.status == status)
        .correlate_except(log)
        .scalar_subquery()
        .label(status)
        for status in ("done", "partly")
    ]


# The dashboard's statements, built once: the values go in as bound parameters.
_NEXT_ONES = (
    select(Visit.id)
    .where(
        Visit.patient_id == bindparam("patient_id"),
        Visit.starts_at > bindparam("started_after"),
        Visit.ends_at > bindparam("now"),
        Visit.status.in_(UPCOMING_STATUSES),
    )
    .order_by(Visit.starts_at, Visit.id)
    .limit(UPCOMING)
)
_TASK_IDS = (
    select(func.aggregate_strings(cast(request_task.c.routine_item_id, String), ","))
    .where(request_task.c.request_id == Visit.request_id)
    .scalar_subquery()
)
#: The next visits, and the completed or flagged ones since the charts start, each with what
#: the dashboard shows of its request, aide and report, the request's task ids and the visit's
#: (done, partly) counts: plain columns, no entities.
_VISITS = (
    select(
        Visit.id,
        Visit.status,
        Visit.starts_at,
        Visit.ends_at,
        Visit.request_id,
        User.display_name,
        AssistanceRequest.timezone,
        AssistanceRequest.includes_medications,
        VisitReport.visit_id,
        VisitReport.pain_before,
        VisitReport.pain_after,
        VisitReport.safety_flag,
        _TASK_IDS,
        *_counts(TaskLog, TaskLog.visit_id, Visit.id),
    )
    .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
    .outerjoin(User, User.id == Visit.aide_id)
    .outerjoin(VisitReport, VisitReport.visit_id == Visit.id)
    .where(
        Visit.patient_id == bindparam("patient_id"),
        or_(
            Visit.id.in_(_NEXT_ONES),
            and_(
                Visit.starts_at >= bindparam("since"),
                VisitReport.visit_id.is_not(None),
                or_(Visit.status == "completed", VisitReport.safety_flag.is_(True)),
            ),
        ),
    )
    .order_by(Visit.starts_at, Visit.id)
)
#: The size of the care circle: one row, whatever the circle holds.
_CIRCLE_SIZE = (
    select(func.count().label("circle_size"))
    .select_from(CircleMember)
    .where(CircleMember.patient_id == bindparam("patient_id"))
    .subquery("circle")
)
#: The circle's size, then the home sessions since the charts start, oldest first, with their
#: (done, partly) counts; one row with no session (id None) when there is none.
_SESSIONS = (
    select(
        _CIRCLE_SIZE.c.circle_size,
        HomeSession.id,
        HomeSession.done_at,
        HomeSession.pain_before,
        HomeSession.pain_after,
        HomeSession.safety_flag,
        *_counts(HomeTaskLog, HomeTaskLog.session_id, HomeSession.id),
    )
    .select_from(_CIRCLE_SIZE)
    .outerjoin(
        HomeSession,
        and_(
            HomeSession.patient_id == bindparam("patient_id"),
            HomeSession.done_at >= bindparam("since"),
        ),
    )
    .order_by(HomeSession.done_at, HomeSession.id)
)


def load(patient: User, now: datetime) -> PatientHome:
    """Everything the patient's dashboard shows."""
    items, medications, precautions = care.care_plan(patient)
    # The charts start seven weeks back at least, so their span holds the last two weeks too.
    since = trends.since(patient, now)
    upcoming, recent, flagged, marks = _visits(patient, now, since, items)
    rows = db.session.execute(_SESSIONS, {"patient_id": patient.id, "since": since}).all()
    circle_size = rows[0].circle_size
    sessions = [row for row in rows if row.id is not None]
    return PatientHome(
        items=items,
        medications=medications,
        precautions=precautions,
        upcoming=upcoming,
        flagged=flagged,
        recent=recent,
        flagged_home=[
            session
            for session in reversed(sessions)
            if session.safety_flag and session.done_at >= now - RECENT
        ],
        trends=trends.build(
            patient,
            now,
            items=items,
            visits=marks,
            sessions=[
                trends.Mark(row.done_at, row.pain_before, row.pain_after, row.done, row.partly)
                for row in sessions
            ],
        ),
        circle_size=circle_size,
    )


def _visits(patient: User, now: datetime, since: datetime, items):
    """The upcoming, recent completed and recent flagged visits, and the completed visits'
    chart marks, in one query."""
    rows = db.session.execute(
        _VISITS,
        {
            "patient_id": patient.id,
            "now": now,
            "started_after": now - LONGEST_VISIT,
            "since": since,
        },
    ).all()
    by_id = {item.id: item for item in items}
    upcoming, recent, flagged, marks = [], [], [], []
    for (
        visit_id,
        status,
        starts_at,
        ends_at,
        request_id,
        aide_name,
        timezone,
        includes_medications,
        report_id,
        pain_before,
        pain_after,
        safety_flag,
        task_ids,
        done,
        partly,
    ) in rows:
        coming = status in UPCOMING_STATUSES and ends_at > now and len(upcoming) < UPCOMING
        tasks = []
        if coming and task_ids:
            # The request's tasks are routine items of this patient, read above.
            ids = [int(value) for value in task_ids.split(",")]
            tasks = sorted((by_id[i] for i in ids if i in by_id), key=lambda item: item.id)
        visit = ShownVisit(
            visit_id,
            status,
            starts_at,
            ends_at,
            request_id,
            aide_name,
            ShownRequest(timezone, includes_medications, tasks),
            pain_before,
            pain_after,
        )
        if coming:
            upcoming.append(visit)
        if report_id is None:
            continue
        if safety_flag and starts_at >= now - RECENT:
            flagged.append(visit)
        if status == "completed":
            if starts_at >= now - RECENT:
                recent.append(visit)
            marks.append(trends.Mark(starts_at, pain_before, pain_after, done, partly))
    flagged.reverse()
    return upcoming, recent[-RECENT_SHOWN:], flagged, marks
