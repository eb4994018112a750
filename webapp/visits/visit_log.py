"""The visit's log: the tasks and doses the aide records, pain and the safety rule, which
medications are due during the visit, and edits after check-out (each one kept)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, literal_column, null, select, true, type_coerce, union_all
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.auth.models import User
from webapp.care.models import TIMES_OF_DAY, Medication, Precaution, RoutineItem
from webapp.care.services import PLAN_PARTS, split_plan, with_medications_and_precautions
from webapp.database import UTCDateTime
from webapp.errors import Conflict, InvalidInput
from webapp.extensions import db
from webapp.marketplace.models import request_task
from webapp.scheduling.models import Visit
from webapp.visits.models import (
    MEDICATION_OUTCOMES,
    SKIP_REASONS,
    TASK_STATUSES,
    MedicationLog,
    TaskLog,
    VisitLogEdit,
    VisitReport,
)
from webapp.visits.services import LoadedVisit, _own_visit, _visit_query, get_report

#: The safety rule: stop the exercises at this pain, or when pain rises by this much.
PAIN_STOP_AT = 7
PAIN_RISE_STOP = 3
#: Local wall-clock hours of each time of day, to find medications due during a visit.
TIME_WINDOWS = {
    "morning": (time(5), time(11)),
    "midday": (time(11), time(14)),
    "afternoon": (time(14), time(17)),
    "evening": (time(17), time(21)),
    "bedtime": (time(21), time(23, 59, 59)),
}
TIME_KEYS = [key for key, _ in TIMES_OF_DAY]
#: The patient's medications by name (built once; the patient's id is bound).
_MEDICATIONS = (
    select(Medication)
    .where(Medication.patient_id == bindparam("patient_id"))
    .order_by(Medication.name, Medication.id)
)


@dataclass(frozen=True)
class TaskEntry:
    """What the aide recorded for one task."""

    status: str
    reason: str | None = None
    reason_note: str | None = None
    sets_done: int | None = None


@dataclass(frozen=True)
class MedicationEntry:
    """What the aide recorded for one medication; given_at is a wall-clock time that day."""

    outcome: str
    given_at: time | None = None


def may_edit_log(aide: User, visit: Visit, now: datetime) -> bool:
    """See policy.may_edit_visit_log: while checked in, and 24 hours after check-out."""
    return policy.may_edit_visit_log(aide, visit, get_report(visit), now)


class Bedside(NamedTuple):
    """What the visit page shows of the care plan: the request's exercises, the medications due
    during the visit and the activities to avoid."""

    tasks: list[RoutineItem]
    medications: list[Medication]
    precautions: list[Precaution]


#: The visit page's part of the care plan in one statement, as care.services reads the whole
#: plan: one row per task, medication and activity to avoid, each holding one record.
_BEDSIDE = with_medications_and_precautions(
    select(RoutineItem, Medication, Precaution)
    .select_from(PLAN_PARTS)
    .outerjoin(
        request_task,
        and_(PLAN_PARTS.c.part == 1, request_task.c.request_id == bindparam("request_id")),
    )
    .outerjoin(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
).order_by(
    PLAN_PARTS.c.part,
    request_task.c.routine_item_id,
    Medication.name,
    Medication.id,
    Precaution.id,
)


@cache
def _visit_at_bedside():
    """load_visit's statement (with the home) and the visit's part of the care plan, as
    _BEDSIDE reads it, in one: each row holds the visit's records and one of the plan's."""
    return (
        _visit_query(home=True, review=False)
        .add_columns(RoutineItem, Medication, Precaution)
        .join(PLAN_PARTS, true())
        .outerjoin(
            request_task,
            and_(PLAN_PARTS.c.part == 1, request_task.c.request_id == Visit.request_id),
        )
        .outerjoin(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
        .outerjoin(
            Medication, and_(PLAN_PARTS.c.part == 2, Medication.patient_id == Visit.patient_id)
        )
        .outerjoin(
            Precaution, and_(PLAN_PARTS.c.part == 3, Precaution.patient_id == Visit.patient_id)
        )
        .order_by(
            PLAN_PARTS.c.part,
            request_task.c.routine_item_id,
            Medication.name,
            Medication.id,
            Precaution.id,
        )
    )


def load_at_bedside(visit_id: int) -> tuple[LoadedVisit, "PlanRows"] | None:
    """What the visit page reads: the visit as services.load_visit(home=True) reads it, and
    its part of the care plan for bedside(), in one statement; None when there is no such
    visit. Nothing here is shown before the access check (policy.visit_for) passes."""
    rows = db.session.execute(_visit_at_bedside(), {"visit_id": visit_id}).all()
    if not rows:
        return None
    visit, report, payment, home = rows[0][:4]
    return LoadedVisit(visit, report, payment, home=home), split_plan(row[4:] for row in rows)


#: The tasks, medications and activities to avoid as split_plan gives them.
PlanRows = tuple[list, list, list]


def bedside(visit: Visit, plan: PlanRows | None = None) -> Bedside:
    """The visit's tasks, the medications due during it and the patient's activities to avoid,
    read in one statement (or from `plan`, read with the visit by load_at_bedside)."""
    if plan is None:
        values = {"request_id": visit.request_id, "patient_id": visit.patient_id}
        plan = split_plan(db.session.execute(_BEDSIDE, values))
    tasks, medications, precautions = plan
    return Bedside(tasks, _due(visit, medications), precautions)


def due_medications(visit: Visit) -> list[Medication]:
    """The patient's medications due during the visit window, if the request includes them."""
    if not visit.request.includes_medications:
        return []
    return _due(visit, db.session.scalars(_MEDICATIONS, {"patient_id": visit.patient_id}))


def _due(visit: Visit, medications) -> list[Medication]:
    """Those of the medications due during the visit window, if the request includes them.

    The window is compared on the patient's local calendar, day by day, so a visit from 23:30
    to 00:30 still finds the bedtime dose."""
    if not visit.request.includes_medications:
        return []
    zone = ZoneInfo(visit.request.timezone)
    start = visit.starts_at.astimezone(zone)
    end = visit.ends_at.astimezone(zone)
    days = [start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)]
    # The times of day (as bits of Medication.times_of_day) whose window the visit overlaps.
    due_times = sum(
        1 << index
        for index, key in enumerate(TIME_KEYS)
        if any(_overlaps(start, end, day, TIME_WINDOWS[key], zone) for day in days)
    )
    return [medication for medication in medications if medication.times_of_day & due_times]


def _overlaps(
    start: datetime, end: datetime, day: date, window: tuple[time, time], zone: ZoneInfo
) -> bool:
    low, high = (datetime.combine(day, part, tzinfo=zone) for part in window)
    return start < high and end > low


def is_unsafe(pain_before: int | None, pain_after: int | None) -> bool:
    """Pain at 7 or more, or a rise of 3 or more during the visit."""
    levels = [p for p in (pain_before, pain_after) if p is not None]
    if any(level >= PAIN_STOP_AT for level in levels):
        return True
    return (
        pain_before is not None
        and pain_after is not None
        and pain_after - pain_before >= PAIN_RISE_STOP
    )


def save_log(
    aide: User,
    visit: Visit,
    *,
    pain_before: int | None,
    pain_after: int | None,
    tasks: dict[int, TaskEntry],
    medications: dict[int, MedicationEntry],
    notes: str | None,
    now: datetime,
) -> VisitReport:
    """Record the visit's log; after check-out each change is also kept as an edit."""
    _own_visit(aide, visit)
    if visit.status not in ("checked_in", "completed"):
        raise Conflict("Check in before you record the visit.")
    if not may_edit_log(aide, visit, now):
        raise Conflict("This visit's log can no longer be changed (24 hours after check-out).")
    for pain in (pain_before, pain_after):
        if pain is not None and not 0 <= pain <= 10:
            raise InvalidInput("Pain is a whole number from 0 to 10.")
    task_items = {item.id: item for item in visit.request.tasks}
    if set(tasks) - set(task_items):
        raise InvalidInput("That task is not part of this visit.")
    due = {medication.id: medication for medication in due_medications(visit)}
    if set(medications) - set(due):
        raise InvalidInput("That medication is not due at this visit.")
    for entry in tasks.values():
        _check_task(entry)
    for entry in medications.values():
        _check_medication(entry)

    editing = visit.status == "completed"
    report = get_report(visit)
    changes: list[tuple[str, object, object]] = []
    for name, value in (("pain_before", pain_before), ("pain_after", pain_after), ("notes", notes)):
        old = getattr(report, name)
        if old != value:
            changes.append((name, old, value))
            setattr(report, name, value)
    report.safety_flag = is_unsafe(report.pain_before, report.pain_after)

    existing_meds = {
        log.medication_id: log
        for log in db.session.scalars(
            select(MedicationLog).where(MedicationLog.visit_id == visit.id)
        )
    }
    # Both read before anything is added, so the only flush is the guarded one below.
    existing_tasks = {
        log.routine_item_id: log
        for log in db.session.scalars(select(TaskLog).where(TaskLog.visit_id == visit.id))
    }
    for item_id, entry in tasks.items():
        log = existing_tasks.get(item_id)
        label = f"task:{task_items[item_id].exercise_slug}"
        if log is None:
            log = TaskLog(
                visit_id=visit.id,
                routine_item_id=item_id,
                exercise_slug=task_items[item_id].exercise_slug,
                recorded_by_id=aide.id,
            )
            db.session.add(log)
            changes.append((label, None, _task_text(entry)))
        elif _task_text(_entry_of(log)) != _task_text(entry):
            changes.append((label, _task_text(_entry_of(log)), _task_text(entry)))
        log.status, log.reason = entry.status, entry.reason if entry.status != "done" else None
        log.reason_note = entry.reason_note if entry.status != "done" else None
        log.sets_done, log.recorded_at = entry.sets_done, now

    zone = ZoneInfo(visit.request.timezone)
    visit_day = visit.starts_at.astimezone(zone).date()
    for medication_id, entry in medications.items():
        medication = due[medication_id]
        given_at = _given_at(entry, visit_day, zone)
        log = existing_meds.get(medication_id)
        label = f"medication:{medication.name}"
        new_text = _medication_text(entry.outcome, given_at, zone)
        if log is None:
            log = MedicationLog(
                visit_id=visit.id,
                medication_id=medication_id,
                name=medication.name,
                dose=medication.dose,
                recorded_by_id=aide.id,
            )
            db.session.add(log)
            changes.append((label, None, new_text))
        else:
            old_text = _medication_text(log.outcome, log.given_at, zone)
            if old_text != new_text:
                changes.append((label, old_text, new_text))
        log.outcome, log.given_at, log.recorded_at = entry.outcome, given_at, now
        log.recorded_by_id = aide.id

    if editing:
        for field, old, new in changes:
            db.session.add(
                VisitLogEdit(
                    visit_id=visit.id,
                    editor_id=aide.id,
                    field=field,
                    old_value=None if old is None else str(old),
                    new_value=None if new is None else str(new),
                    edited_at=now,
                )
            )
    try:
        db.session.flush()
    except IntegrityError as error:  # the same log saved from two tabs at the same instant
        raise Conflict("This log was just saved from another tab. Reload to see it.") from error
    return report


def _check_task(entry: TaskEntry) -> None:
    if entry.status not in dict(TASK_STATUSES):
        raise InvalidInput("Mark each task done, partly done or skipped.")
    if entry.status != "done" and entry.reason not in dict(SKIP_REASONS):
        raise InvalidInput("Say why a task was not fully done.")
    if entry.sets_done is not None and not 0 <= entry.sets_done <= 20:
        raise InvalidInput("Sets done is a number from 0 to 20.")


def _check_medication(entry: MedicationEntry) -> None:
    if entry.outcome not in dict(MEDICATION_OUTCOMES):
        raise InvalidInput("Mark each medication given, refused or missed.")
    if entry.outcome == "given" and entry.given_at is None:
        raise InvalidInput("Enter the time the medication was given.")


def _given_at(entry: MedicationEntry, day: date, zone: ZoneInfo) -> datetime | None:
    if entry.outcome != "given" or entry.given_at is None:
        return None
    return datetime.combine(day, entry.given_at).replace(tzinfo=zone)


def _entry_of(log: TaskLog) -> TaskEntry:
    return TaskEntry(log.status, log.reason, log.reason_note, log.sets_done)


def _task_text(entry: TaskEntry) -> str:
    text = dict(TASK_STATUSES)[entry.status]
    if entry.status != "done" and entry.reason:
        text += f" ({dict(SKIP_REASONS)[entry.reason]}"
        text += f": {entry.reason_note})" if entry.reason_note else ")"
    if entry.sets_done is not None:
        text += f", {entry.sets_done} sets"
    return text


def _medication_text(outcome: str, given_at: datetime | None, zone: ZoneInfo) -> str:
    text = dict(MEDICATION_OUTCOMES)[outcome]
    if given_at is not None:
        text += f" at {given_at.astimezone(zone):%H:%M}"
    return text


@dataclass(frozen=True)
class RecordedDose:
    """What is already recorded for one medication: the outcome and, if given, when."""

    outcome: str
    given_at: datetime | None


def current_entries(visit: Visit) -> tuple[dict[int, TaskEntry], dict[int, RecordedDose]]:
    """What is already recorded, keyed by routine item and by medication, for the log form.

    Both logs are read in one statement (UNION ALL of the columns the form shows)."""
    tasks = select(
        literal_column("0").label("kind"),
        TaskLog.routine_item_id.label("key"),
        TaskLog.status.label("outcome"),
        TaskLog.reason,
        TaskLog.reason_note,
        TaskLog.sets_done,
        type_coerce(null(), UTCDateTime()).label("given_at"),
    ).where(TaskLog.visit_id == visit.id)
    doses = select(
        literal_column("1"),
        MedicationLog.medication_id,
        MedicationLog.outcome,
        null(),
        null(),
        null(),
        MedicationLog.given_at,
    ).where(MedicationLog.visit_id == visit.id)
    task_entries, dose_entries = {}, {}
    for kind, key, outcome, reason, note, sets, given_at in db.session.execute(
        union_all(tasks, doses)
    ):
        if kind == 0:
            task_entries[key] = TaskEntry(outcome, reason, note, sets)
        else:
            dose_entries[key] = RecordedDose(outcome, given_at)
    return task_entries, dose_entries


def medication_logs(visit: Visit) -> list[MedicationLog]:
    """Every dose recorded at the visit (given, refused or missed), in the order first logged."""
    return list(
        db.session.scalars(
            select(MedicationLog)
            .where(MedicationLog.visit_id == visit.id)
            .order_by(MedicationLog.id)
        )
    )
