"""What a visit leaves behind for the patient: summaries, flagged visits, the recent history,
and the audit log of who saw the patient's health data."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import (
    and_,
    bindparam,
    case,
    cast,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.database import UTCDateTime, write_aside
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


@dataclass(frozen=True)
class TaskLine:
    """One task as the summary shows it."""

    exercise_slug: str
    status: str
    reason: str | None
    reason_note: str | None
    sets_done: int | None


@dataclass(frozen=True)
class DoseLine:
    """One recorded dose as the summary shows it, with who recorded it."""

    name: str
    dose: str
    outcome: str
    given_at: datetime | None
    recorded_by_name: str


@dataclass(frozen=True)
class EditLine:
    """One change made to the log after check-out, with who made it."""

    edited_at: datetime
    field: str
    old_value: str | None
    new_value: str | None
    editor_name: str


@dataclass
class Summary:
    """Everything the patient (and later the family) sees about a finished visit."""

    visit: Visit
    report: VisitReport | None
    task_logs: list[TaskLine]
    medication_logs: list[DoseLine]
    edits: list[EditLine]
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


def _log_lines():
    """The visit's tasks, doses and later edits in one statement (UNION ALL of the columns the
    summary shows), each kind in its reading order: tasks and doses as recorded, edits by
    time. Columns: kind (0 task, 1 dose, 2 edit), two sort keys, five texts, who, when."""
    no_time = cast(null(), UTCDateTime())  # typed: PostgreSQL matches each column's types
    visit_id = bindparam("visit_id")
    tasks = select(
        literal_column("0").label("kind"),
        no_time.label("sort_at"),
        TaskLog.id.label("sort_id"),
        TaskLog.exercise_slug.label("a"),
        TaskLog.status.label("b"),
        TaskLog.reason.label("c"),
        TaskLog.reason_note.label("d"),
        TaskLog.sets_done.label("e"),
        null().label("who"),
        no_time.label("at"),
    ).where(TaskLog.visit_id == visit_id)
    doses = (
        select(
            literal_column("1"),
            no_time,
            MedicationLog.id,
            MedicationLog.name,
            MedicationLog.dose,
            MedicationLog.outcome,
            null(),
            null(),
            User.display_name,
            MedicationLog.given_at,
        )
        .join(User, User.id == MedicationLog.recorded_by_id)
        .where(MedicationLog.visit_id == visit_id)
    )
    edits = (
        select(
            literal_column("2"),
            VisitLogEdit.edited_at,
            VisitLogEdit.id,
            VisitLogEdit.field,
            VisitLogEdit.old_value,
            VisitLogEdit.new_value,
            null(),
            null(),
            User.display_name,
            VisitLogEdit.edited_at,
        )
        .join(User, User.id == VisitLogEdit.editor_id)
        .where(VisitLogEdit.visit_id == visit_id)
    )
    lines = union_all(tasks, doses, edits).subquery()
    return select(lines).order_by(lines.c.kind, lines.c.sort_at, lines.c.sort_id)


_LOG_LINES = _log_lines()


def summary(visit: Visit, *, report=_UNREAD) -> Summary:
    """The log of one visit, in reading order; `report` when the caller already read it."""
    tasks, doses, edits = [], [], []
    for kind, _, _, a, b, c, d, e, who, at in db.session.execute(
        _LOG_LINES, {"visit_id": visit.id}
    ):
        if kind == 0:
            tasks.append(TaskLine(a, b, c, d, e))
        elif kind == 1:
            doses.append(DoseLine(a, b, c, at, who))
        else:
            edits.append(EditLine(at, a, b, c, who))
    if report is _UNREAD:
        report = get_report(visit)
    return Summary(visit, report, tasks, doses, edits, time_spent(visit, report))


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
