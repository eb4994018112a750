"""What a visit leaves behind for the patient: summaries, flagged visits, the recent history,
and the audit log of who saw the patient's health data."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Row, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.database import write_aside
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import Visit
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport
from webapp.visits.services import get_report, is_short


@dataclass(frozen=True)
class TimeSpent:
    """How long the aide was there against what was booked; short when they left early."""

    spent: timedelta
    booked: timedelta
    early: timedelta
    short: bool


@dataclass
class Summary:
    """Everything the patient (and later the family) sees about a finished visit. The logs
    are rows of the columns the summary shows (see _TASK_LINES, _DOSE_LINES, _EDIT_LINES)."""

    visit: Visit
    report: VisitReport | None
    task_logs: list[Row]
    medication_logs: list[Row]
    edits: list[Row]
    time_spent: TimeSpent | None = None


def time_spent(visit: Visit, report: VisitReport | None) -> TimeSpent | None:
    """From check-in to check-out, once the aide has checked out."""
    if report is None or report.checked_out_at is None:
        return None
    return TimeSpent(
        spent=report.checked_out_at - report.checked_in_at,
        booked=visit.ends_at - visit.starts_at,
        early=max(visit.ends_at - report.checked_out_at, timedelta(0)),
        short=is_short(visit, report.checked_out_at),
    )


#: Stands for "not read yet" where None means "there is none".
_UNREAD = object()


#: A visit's log as the summary shows it, in reading order (built once: the visit id is bound).
_TASK_LINES = (
    select(
        TaskLog.exercise_slug,
        TaskLog.status,
        TaskLog.reason,
        TaskLog.reason_note,
        TaskLog.sets_done,
    )
    .where(TaskLog.visit_id == bindparam("visit_id"))
    .order_by(TaskLog.id)
)
_DOSE_LINES = (
    select(
        MedicationLog.name,
        MedicationLog.dose,
        MedicationLog.outcome,
        MedicationLog.given_at,
        User.display_name.label("recorded_by_name"),
    )
    .join(User, User.id == MedicationLog.recorded_by_id)
    .where(MedicationLog.visit_id == bindparam("visit_id"))
    .order_by(MedicationLog.id)
)
_EDIT_LINES = (
    select(
        VisitLogEdit.edited_at,
        VisitLogEdit.field,
        VisitLogEdit.old_value,
        VisitLogEdit.new_value,
        User.display_name.label("editor_name"),
    )
    .join(User, User.id == VisitLogEdit.editor_id)
    .where(VisitLogEdit.visit_id == bindparam("visit_id"))
    .order_by(VisitLogEdit.edited_at, VisitLogEdit.id)
)


def summary(visit: Visit, *, report=_UNREAD) -> Summary:
    """The log of one visit, in reading order; `report` when the caller already read it."""
    values = {"visit_id": visit.id}
    tasks = db.session.execute(_TASK_LINES, values).all()
    medications = db.session.execute(_DOSE_LINES, values).all()
    edits = db.session.execute(_EDIT_LINES, values).all()
    if report is _UNREAD:
        report = get_report(visit)
    return Summary(visit, report, tasks, medications, edits, time_spent(visit, report))


@cache
def _count_view(with_visit: bool):
    """The UPDATE that counts one more view on this hour's line, if there is one (built once,
    every value bound: a page view only binds and runs it). The bound names start with b_
    because an UPDATE keeps its columns' own names for its SET clause."""
    same_visit = (
        AuditEvent.visit_id == bindparam("b_visit_id")
        if with_visit
        else AuditEvent.visit_id.is_(None)
    )
    this_hour = (
        select(AuditEvent.id)
        .where(
            AuditEvent.patient_id == bindparam("b_patient_id"),
            AuditEvent.at >= bindparam("b_hour", type_=AuditEvent.at.type),
            AuditEvent.at < bindparam("b_hour_end", type_=AuditEvent.at.type),
            AuditEvent.viewer_id == bindparam("b_viewer_id"),
            AuditEvent.what == bindparam("b_what"),
            same_visit,
        )
        .order_by(AuditEvent.id)
        .limit(1)
        .scalar_subquery()
    )
    moment = bindparam("b_now", type_=AuditEvent.last_at.type)
    return (
        update(AuditEvent)
        .where(AuditEvent.id == this_hour)
        .values(
            views=AuditEvent.views + 1,
            last_at=case((AuditEvent.last_at < moment, moment), else_=AuditEvent.last_at),
        )
    )


def record_view(viewer: User, patient_id: int, what: str, visit_id: int | None, now: datetime):
    """Note that someone other than the patient saw the patient's health data.

    One row per viewer, patient, thing seen and visit in each clock hour: a view within the
    hour of an earlier one counts on that row (`views`, `last_at`), so reloading a page does
    not bury the log. A page view is a read: the row is written through write_aside, in a short
    transaction of its own, so the page's read transaction is never upgraded (SQLite could not
    wait for the lock there) and what the page loaded stays loaded.

    A view within the hour is one UPDATE. Only when it finds no row does the viewer's row get
    locked and the UPDATE tried again before a row is started, so two views at once cannot both
    start one: SQLite's write lock, or on PostgreSQL the lock on the viewer's row, makes the
    second wait and then count on the first one's row.
    """
    if viewer.id == patient_id:
        return
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    count_it = _count_view(visit_id is not None)
    values = {
        "b_patient_id": patient_id,
        "b_viewer_id": viewer.id,
        "b_what": what,
        "b_visit_id": visit_id,
        "b_hour": hour,
        "b_hour_end": hour + timedelta(hours=1),
        "b_now": now,
    }

    def write(session) -> None:
        # Run as plain SQL on the session's connection: nothing loaded needs updating.
        if session.connection().execute(count_it, values).rowcount:
            return
        session.execute(select(User.id).where(User.id == viewer.id).with_for_update())
        if session.connection().execute(count_it, values).rowcount:
            return
        session.add(
            AuditEvent(
                patient_id=patient_id,
                viewer_id=viewer.id,
                what=what,
                visit_id=visit_id,
                at=now,
                last_at=now,
                views=1,
            )
        )

    write_aside(db.session, write)


#: Lines of the audit log on one page.
AUDIT_PAGE_SIZE = 50


@cache
def _audit_page(paged: bool):
    """audit_log's statement, built once per shape: the patient (:patient_id), the page size
    plus one (:size) and, for an older page, the line it starts after (:before_id) are bound.
    Rows of plain columns: the page shows five of them and the viewer's name and role."""
    query = (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.last_at,
            AuditEvent.views,
            AuditEvent.what,
            User.display_name.label("viewer_name"),
            User.role.label("viewer_role"),
        )
        .join(User, User.id == AuditEvent.viewer_id)
        .where(AuditEvent.patient_id == bindparam("patient_id"))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(bindparam("size"))
    )
    if paged:
        before_id = bindparam("before_id")
        anchor = (
            select(AuditEvent.at)
            .where(AuditEvent.id == before_id, AuditEvent.patient_id == bindparam("patient_id"))
            .scalar_subquery()
        )
        query = query.where(
            or_(AuditEvent.at < anchor, and_(AuditEvent.at == anchor, AuditEvent.id < before_id))
        )
    return query


def audit_log(patient: User, before_id: int | None = None, size: int = AUDIT_PAGE_SIZE):
    """Who saw the patient's health data, newest first: one line per person and page an hour,
    `size` lines at a time, each with its viewer's name and role (rows: see _audit_page); and
    the id to ask for the next (older) page.

    Keyset paging on (at, id) from the line `before_id` names (one of the patient's own), so
    an old page costs the same as the first."""
    values = {"patient_id": patient.id, "size": size + 1}
    if before_id is not None:
        values["before_id"] = before_id
    rows = db.session.execute(_audit_page(before_id is not None), values).all()
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def flagged_visits(patient: User, since: datetime) -> list[Visit]:
    """Recent visits where the safety rule stopped the exercises."""
    query = (
        select(Visit)
        .join(VisitReport, VisitReport.visit_id == Visit.id)
        .where(
            Visit.patient_id == patient.id,
            VisitReport.safety_flag.is_(True),
            Visit.starts_at >= since,
        )
        .options(selectinload(Visit.aide), selectinload(Visit.request))
        .order_by(Visit.starts_at.desc())
    )
    return list(db.session.scalars(query))


def recent_completed(patient: User, since: datetime) -> list[tuple[Visit, VisitReport]]:
    """Completed visits since a date with their reports, oldest first."""
    query = (
        select(Visit, VisitReport)
        .join(VisitReport, VisitReport.visit_id == Visit.id)
        .where(
            Visit.patient_id == patient.id,
            Visit.status == "completed",
            Visit.starts_at >= since,
        )
        .options(
            selectinload(Visit.aide),
            selectinload(Visit.request).selectinload(AssistanceRequest.tasks),
        )
        .order_by(Visit.starts_at)
    )
    return [(visit, report) for visit, report in db.session.execute(query)]
