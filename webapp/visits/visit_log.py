"""The visit's log: the tasks and doses the aide records, pain and the safety rule, and edits
after check-out (each one kept). Which medications are due during the visit: bedside.py."""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import literal_column, null, select, type_coerce, union_all
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.auth.models import User
from webapp.database import UTCDateTime
from webapp.errors import Conflict, InvalidInput
from webapp.extensions import db
from webapp.scheduling.models import Visit
from webapp.visits.bedside import due_medications
from webapp.visits.models import (
    MEDICATION_OUTCOMES,
    SKIP_REASONS,
    TASK_STATUSES,
    MedicationLog,
    TaskLog,
    VisitLogEdit,
    VisitReport,
)
from webapp.visits.services import _own_visit, get_report

#: The safety rule: stop the exercises at this pain, or when pain rises by this much.
PAIN_STOP_AT = 7
PAIN_RISE_STOP = 3


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
