"""What a patient's dashboard shows, read in six queries whatever the history holds.

The routine, medications and precautions (one query each); the visits in one query (the next
five still to come, the completed ones of the charts' eight weeks and those of the last two
weeks where the safety rule stopped the exercises, each with its aide, its request, the ids of
the request's tasks and how many exercises were done and partly done); the home sessions of
the eight weeks with the same counts; and the size of the care circle. Every read goes through
a patient's own rows by time (ix_visit_patient_id_starts_at, ix_home_session_patient_done_at).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, bindparam, cast, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.care import services as care
from webapp.circle.models import CircleMember
from webapp.coverage.services import LONGEST_VISIT
from webapp.extensions import db
from webapp.homelog.models import HomeSession, HomeTaskLog
from webapp.marketplace.models import request_task
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


@dataclass
class PatientHome:
    items: list
    medications: list
    precautions: list
    upcoming: list[Visit]
    #: Visits of the last two weeks where the exercises stopped because of pain, newest first.
    flagged: list[Visit]
    #: The last few completed visits of the last two weeks with their reports, oldest first.
    recent: list[tuple[Visit, VisitReport]]
    flagged_home: list[HomeSession]
    trends: trends.Trends
    circle_size: int


def _counts(log, owner_column, owner_id):
    """(done, partly) exercise counts of one visit or home session, as correlated columns."""
    return [
        select(func.count())
        .where(owner_column == owner_id, log.status == status)
        .correlate_except(log)
        .scalar_subquery()
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
#: The next visits, and the completed or flagged ones since the charts start, each with its
#: report, aide, request, the request's task ids and its (done, partly) counts.
_VISITS = (
    select(Visit, VisitReport, _TASK_IDS, *_counts(TaskLog, TaskLog.visit_id, Visit.id))
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
    .options(joinedload(Visit.aide), joinedload(Visit.request))
    .order_by(Visit.starts_at, Visit.id)
)
#: The home sessions since the charts start, oldest first, with their (done, partly) counts.
_SESSIONS = (
    select(HomeSession, *_counts(HomeTaskLog, HomeTaskLog.session_id, HomeSession.id))
    .where(
        HomeSession.patient_id == bindparam("patient_id"), HomeSession.done_at >= bindparam("since")
    )
    .order_by(HomeSession.done_at, HomeSession.id)
)
_CIRCLE_SIZE = (
    select(func.count())
    .select_from(CircleMember)
    .where(CircleMember.patient_id == bindparam("patient_id"))
)


def load(patient: User, now: datetime) -> PatientHome:
    """Everything the patient's dashboard shows."""
    items = care.routine_items(patient)
    medications = care.medications(patient)
    precautions = care.precautions(patient)
    # The charts start seven weeks back at least, so their span holds the last two weeks too.
    since = trends.since(patient, now)
    upcoming, recent, flagged, marks = _visits(patient, now, since, items)
    sessions = _sessions(patient, since)
    circle_size = db.session.scalar(_CIRCLE_SIZE, {"patient_id": patient.id})
    return PatientHome(
        items=items,
        medications=medications,
        precautions=precautions,
        upcoming=upcoming,
        flagged=flagged,
        recent=recent,
        flagged_home=[
            session
            for session, _ in sorted(
                sessions, key=lambda pair: (pair[0].done_at, pair[0].id), reverse=True
            )
            if session.safety_flag and session.done_at >= now - RECENT
        ],
        trends=trends.build(
            patient,
            now,
            items=items,
            visits=marks,
            sessions=[mark for _, mark in sessions],
        ),
        circle_size=circle_size,
    )


def _visits(patient: User, now: datetime, since: datetime, items):
    """The upcoming, recent completed and recent flagged visits, in one query."""
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
    for visit, report, tasks, done, partly in rows:
        if visit.status in UPCOMING_STATUSES and visit.ends_at > now and len(upcoming) < UPCOMING:
            # The request's tasks are routine items of this patient, read above.
            ids = [int(value) for value in tasks.split(",")] if tasks else []
            chosen = sorted((by_id[i] for i in ids if i in by_id), key=lambda item: item.id)
            set_committed_value(visit.request, "tasks", chosen)
            upcoming.append(visit)
        if report is None:
            continue
        if report.safety_flag and visit.starts_at >= now - RECENT:
            flagged.append(visit)
        if visit.status == "completed":
            if visit.starts_at >= now - RECENT:
                recent.append((visit, report))
            marks.append(
                trends.Mark(visit.starts_at, report.pain_before, report.pain_after, done, partly)
            )
    flagged.reverse()
    return upcoming, recent[-RECENT_SHOWN:], flagged, marks


def _sessions(patient: User, since: datetime) -> list[tuple[HomeSession, trends.Mark]]:
    """The home sessions since a moment, oldest first, each with its chart mark."""
    rows = db.session.execute(_SESSIONS, {"patient_id": patient.id, "since": since}).all()
    return [
        (
            session,
            trends.Mark(session.done_at, session.pain_before, session.pain_after, done, partly),
        )
        for session, done, partly in rows
    ]
