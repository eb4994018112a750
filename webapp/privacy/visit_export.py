"""The visits in an export: all of a patient's, with what happened; an aide's, with only what
the aide did (see the promise in webapp/privacy/export.py). A fixed number of queries each."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from webapp.auth.models import User
from webapp.extensions import db
from webapp.marketplace.models import PatientHome
from webapp.privacy.values import exercise_name, first_name, iso, money, name
from webapp.scheduling.models import Visit
from webapp.visits.models import MedicationLog, TaskLog, VisitLogEdit, VisitReport


def _by_visit(rows) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[0].visit_id].append(row)
    return grouped


def patient_visits(user: User) -> list[dict]:
    """Every slot of the patient's requests, with the report, the logs and their corrections."""
    mine = Visit.patient_id == user.id
    visits = db.session.scalars(
        select(Visit).where(mine).options(selectinload(Visit.aide)).order_by(Visit.starts_at)
    ).all()
    if not visits:
        return []
    reports = {
        report.visit_id: report
        for report in db.session.scalars(select(VisitReport).join(Visit).where(mine))
    }
    recorder = aliased(User)
    tasks = _by_visit(
        db.session.execute(
            select(TaskLog, recorder.display_name)
            .join(Visit, Visit.id == TaskLog.visit_id)
            .join(recorder, recorder.id == TaskLog.recorded_by_id)
            .where(mine)
            .order_by(TaskLog.id)
        )
    )
    medications = _by_visit(
        db.session.execute(
            select(MedicationLog, recorder.display_name)
            .join(Visit, Visit.id == MedicationLog.visit_id)
            .join(recorder, recorder.id == MedicationLog.recorded_by_id)
            .where(mine)
            .order_by(MedicationLog.id)
        )
    )
    edits = _by_visit(
        db.session.execute(
            select(VisitLogEdit, recorder.display_name)
            .join(Visit, Visit.id == VisitLogEdit.visit_id)
            .join(recorder, recorder.id == VisitLogEdit.editor_id)
            .where(mine)
            .order_by(VisitLogEdit.edited_at, VisitLogEdit.id)
        )
    )
    return [
        {
            **_visit_times(visit),
            "request_id": visit.request_id,
            "aide": name(visit.aide),
            "cancelled_late": visit.cancelled_late,
            "report": _full_report(reports.get(visit.id)),
            "tasks": [
                {
                    "exercise": log.exercise_slug,
                    "exercise_name": exercise_name(log.exercise_slug),
                    "status": log.status,
                    "reason": log.reason,
                    "reason_note": log.reason_note,
                    "sets_done": log.sets_done,
                    "recorded_by": recorded_by,
                    "recorded_at": iso(log.recorded_at),
                }
                for log, recorded_by in tasks[visit.id]
            ],
            "medications": [
                {
                    "name": log.name,
                    "dose": log.dose,
                    "outcome": log.outcome,
                    "given_at": iso(log.given_at),
                    "recorded_by": recorded_by,
                    "recorded_at": iso(log.recorded_at),
                }
                for log, recorded_by in medications[visit.id]
            ],
            "log_edits": [
                {
                    "field": edit.field,
                    "old_value": edit.old_value,
                    "new_value": edit.new_value,
                    "edited_by": editor,
                    "edited_at": iso(edit.edited_at),
                }
                for edit, editor in edits[visit.id]
            ],
        }
        for visit in visits
    ]


def _visit_times(visit: Visit) -> dict:
    return {
        "id": visit.id,
        "starts_at": iso(visit.starts_at),
        "ends_at": iso(visit.ends_at),
        "status": visit.status,
        "booked_at": iso(visit.booked_at),
        "cancelled_at": iso(visit.cancelled_at),
    }


def _full_report(report: VisitReport | None) -> dict | None:
    if report is None:
        return None
    return {
        "checked_in_at": iso(report.checked_in_at),
        "checked_out_at": iso(report.checked_out_at),
        "pain_before": report.pain_before,
        "pain_after": report.pain_after,
        "notes": report.notes,
        "safety_flag": report.safety_flag,
    }


def aide_visits(user: User) -> list[dict]:
    """The visits the aide holds or held: times, first name, area, rate and their own entries."""
    held = Visit.aide_id == user.id
    visits = db.session.scalars(
        select(Visit)
        .where(held)
        .options(selectinload(Visit.patient), selectinload(Visit.request))
        .order_by(Visit.starts_at)
    ).all()
    if not visits:
        return []
    areas = dict(
        db.session.execute(
            select(PatientHome.patient_id, PatientHome.city + " " + PatientHome.postal_code).where(
                PatientHome.patient_id.in_(select(Visit.patient_id).where(held))
            )
        ).all()
    )
    times = {
        visit_id: (checked_in, checked_out)
        for visit_id, checked_in, checked_out in db.session.execute(
            select(VisitReport.visit_id, VisitReport.checked_in_at, VisitReport.checked_out_at)
            .join(Visit)
            .where(held)
        )
    }
    own = TaskLog.recorded_by_id == user.id
    tasks = _by_visit(db.session.execute(select(TaskLog).where(own).order_by(TaskLog.id)))
    given = MedicationLog.recorded_by_id == user.id
    medications = _by_visit(
        db.session.execute(select(MedicationLog).where(given).order_by(MedicationLog.id))
    )
    edits = _by_visit(
        db.session.execute(
            select(VisitLogEdit)
            .where(VisitLogEdit.editor_id == user.id)
            .order_by(VisitLogEdit.edited_at, VisitLogEdit.id)
        )
    )
    result = []
    for visit in visits:
        checked_in, checked_out = times.get(visit.id, (None, None))
        result.append(
            {
                **_visit_times(visit),
                "patient_first_name": first_name(visit.patient),
                "area": areas.get(visit.patient_id),
                "rate": money(visit.request.rate_cents, visit.request.currency),
                "checked_in_at": iso(checked_in),
                "checked_out_at": iso(checked_out),
                # The aide's own entries; the patient's reasons, pain and medicines stay out.
                "tasks_you_logged": [
                    {
                        "exercise": log.exercise_slug,
                        "status": log.status,
                        "sets_done": log.sets_done,
                        "recorded_at": iso(log.recorded_at),
                    }
                    for (log,) in tasks[visit.id]
                ],
                "medication_entries_you_logged": [
                    {"outcome": log.outcome, "recorded_at": iso(log.recorded_at)}
                    for (log,) in medications[visit.id]
                ],
                "log_edits_you_made": [
                    {"field": edit.field.split(":")[0], "edited_at": iso(edit.edited_at)}
                    for (edit,) in edits[visit.id]
                ],
            }
        )
    return result
