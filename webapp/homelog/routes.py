"""Pages of the home log: the list, a new session, one session."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.care import services as care
from webapp.database import utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.homelog import bp, services
from webapp.homelog.forms import home_session_form
from webapp.homelog.services import PART_KEYS, MedicationEntry, TaskEntry
from webapp.notifications import events as notification_events
from webapp.timezones import to_local
from webapp.visits import reports

STOP_MESSAGE = "Session saved and flagged because of pain: please read below."


@bp.route("/patients/<int:patient_id>/home-log")
@login_required
def home_log(patient_id: int):
    """Sessions done at home, newest first, 20 to a page."""
    now = utcnow()
    patient = policy.coordinated_patient_for(current_user, patient_id)
    cursor = services.Cursor.parse(request.args.get("before"))
    sessions, next_cursor = services.list_sessions(patient, cursor)
    reports.record_view(current_user, patient.id, "home exercise log", None, now)
    return render_template(
        "homelog/list.html",
        patient=patient,
        sessions=sessions,
        next_cursor=next_cursor,
        first_page=cursor is None,
        labels=services.LABELS,
    )


@bp.route("/patients/<int:patient_id>/home-log/<int:home_session_id>")
@login_required
def home_session(patient_id: int, home_session_id: int):
    """One home session: each exercise, each dose, pain and notes."""
    now = utcnow()
    patient = policy.coordinated_patient_for(current_user, patient_id)
    session = services.get_session(patient, home_session_id)
    reports.record_view(current_user, patient.id, "home exercise session", None, now)
    return render_template(
        "homelog/session.html", patient=patient, session=session, labels=services.LABELS
    )


@bp.route("/patients/<int:patient_id>/home-log/new", methods=["GET", "POST"])
@login_required
def new_home_session(patient_id: int):
    """Write down a session of the routine done at home without an aide."""
    now = utcnow()
    patient = policy.coordinated_patient_for(current_user, patient_id)
    local_now = to_local(now, patient.timezone)
    items, medications = care.routine_items(patient), care.medications(patient)
    form = home_session_form(items, medications)
    if not form.is_submitted():
        part = request.args.get("part")
        form.part_of_day.data = part if part in PART_KEYS else services.part_at(patient, now)
        form.done_on.data = local_now.date()
        form.done_time.data = local_now.time().replace(second=0, microsecond=0)
        reports.record_view(current_user, patient.id, "routine and medications", None, now)
        return _form_page(patient, form, items, medications, now)
    if not form.validate():
        db.session.rollback()
        return _form_page(patient, form, items, medications, now, status=422)
    try:
        recorded = services.record_session(
            current_user,
            patient,
            part_of_day=form.part_of_day.data,
            day=form.done_on.data,
            wall_time=form.done_time.data,
            tasks=_task_entries(form),
            medications=_medication_entries(form),
            pain_before=form.pain_before.level,
            pain_after=form.pain_after.level,
            notes=form.notes.data,
            now=now,
        )
    except InvalidInput as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _form_page(patient, form, items, medications, now, status=422)
    if recorded.is_new:
        notification_events.home_session_recorded(current_user, patient, recorded.session, now)
    db.session.commit()
    session = recorded.session
    if not recorded.is_new:
        flash("This session was already saved; it is shown below.", "info")
    elif session.safety_flag:
        flash(STOP_MESSAGE, "error")
    else:
        flash("Session saved.", "success")
    return redirect(
        url_for("homelog.home_session", patient_id=patient.id, home_session_id=session.id)
    )


def _form_page(patient, form, items, medications, now, status=200):
    """The form, the routine scheduled for its part of the day first, the doses due then."""
    part = form.part_of_day.data if form.part_of_day.data in PART_KEYS else None
    day = form.done_on.data or to_local(now, patient.timezone).date()
    shown = [
        medication
        for medication in medications
        if (part is None or services.is_due(medication, part)) or form.has_entry(medication.id)
    ]
    return render_template(
        "homelog/new.html",
        patient=patient,
        form=form,
        items=services.scheduled_first(items, part, day),
        medications=shown,
        part=part,
        labels=services.LABELS,
        max_days_back=services.MAX_DAYS_BACK,
    ), status


def _task_entries(form) -> dict[int, TaskEntry]:
    entries = {}
    for item_id in form.task_ids:
        status, reason, note = form.task_fields(item_id)
        if status.data:
            entries[item_id] = TaskEntry(status.data, reason.data or None, note.data)
    return entries


def _medication_entries(form) -> dict[int, MedicationEntry]:
    entries = {}
    for medication_id in form.medication_ids:
        outcome, given_at = form.medication_fields(medication_id)
        if outcome.data:
            entries[medication_id] = MedicationEntry(outcome.data, given_at.data)
    return entries
