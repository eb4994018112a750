"""The visit page at the bedside, check-in/out, the log, the summary and the audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.database import utcnow
from webapp.errors import AlreadyDone, DomainError, NotFound
from webapp.extensions import db
from webapp.forms import parse_int
from webapp.notifications import events as notification_events
from webapp.scheduling import services as scheduling
from webapp.scheduling.models import HELD
from webapp.timezones import clock_text, short_day_text, to_local
from webapp.visits import bedside, bp, reports, services, visit_log
from webapp.visits.forms import visit_log_form
from webapp.visits.visit_log import MedicationEntry, TaskEntry


def _page(visit, now, *, read=None, form=None, status=200):
    """Render the visit page; the log form keeps what was typed when it comes back with errors.

    `read` is what bedside.load read for this visit (read again when not given)."""
    if read is None:
        read = bedside.load(visit.id)
    loaded, plan = read
    patient = visit.patient
    tasks, medications, precautions = bedside.shown(visit, plan)
    is_aide = visit.aide_id == current_user.id and visit.status in HELD
    check_in_opens = visit.starts_at - services.CHECK_IN_EARLY
    report = loaded.report
    editable = is_aide and policy.may_edit_visit_log(current_user, visit, report, now)
    if form is None and editable:
        form = visit_log_form(tasks, medications, formdata=None)
        _fill(form, visit, report)
    reports.record_view(current_user, patient.id, "care plan for a visit", visit.id, now)
    return render_template(
        "visits/visit.html",
        visit=visit,
        patient=patient,
        home=loaded.home,
        tasks=tasks,
        medications=medications,
        precautions=precautions,
        report=report,
        payment=loaded.payment,
        form=form,
        editable=editable,
        is_aide=is_aide,
        unsafe=report is not None and report.safety_flag,
        may_cancel=visit.status in ("open", "booked") and visit.starts_at > now,
        may_check_in=is_aide and visit.status == "booked" and now >= check_in_opens,
        check_in_opens=(
            _opens_text(check_in_opens, visit.request.timezone)
            if is_aide and visit.status == "booked" and now < check_in_opens
            else None
        ),
        may_check_out=is_aide and visit.status == "checked_in",
    ), status


def _opens_text(moment, zone: str) -> str:
    """ "08:45 on Mon 30 Nov" in the patient's zone."""
    local = to_local(moment, zone)
    return f"{clock_text(local)} on {short_day_text(local)}"


def _fill(form, visit, report) -> None:
    if report is None:
        return
    tasks, medications = visit_log.current_entries(visit)
    form.pain_before.data = str(report.pain_before) if report.pain_before is not None else None
    form.pain_after.data = str(report.pain_after) if report.pain_after is not None else None
    form.notes.data = report.notes
    for item_id in form.task_ids:
        log = tasks.get(item_id)
        if log is not None:
            status, reason, note, sets = form.task_fields(item_id)
            status.data, reason.data, note.data, sets.data = (
                log.status,
                log.reason or "",
                log.reason_note,
                log.sets_done,
            )
    zone = visit.request.timezone
    for medication_id in form.medication_ids:
        log = medications.get(medication_id)
        if log is not None:
            outcome, given_at = form.medication_fields(medication_id)
            outcome.data = log.outcome
            if log.given_at is not None:
                given_at.data = to_local(log.given_at, zone).time()


def _back_to_visit(visit_id: int, done: AlreadyDone):
    """A second tap of the same button: say so and show the visit."""
    db.session.rollback()
    flash(done.message, "info")
    return redirect(url_for("visits.visit_page", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>")
@login_required
def visit_page(visit_id: int):
    """For the booked aide: the address, what to avoid, each exercise card, the log."""
    now = utcnow()
    read = bedside.load(visit_id)
    visit = policy.visit_for(current_user, visit_id, now)
    if visit.patient_id == current_user.id and visit.status in ("completed", "checked_in"):
        return redirect(url_for("visits.summary", visit_id=visit.id))
    return _page(visit, now, read=read)


@bp.route("/visits/<int:visit_id>/check-in", methods=["POST"])
@login_required
def check_in(visit_id: int):
    """Start the visit."""
    now = utcnow()
    visit = policy.visit_for(current_user, visit_id, now)
    try:
        services.check_in(current_user, visit, now)
    except AlreadyDone as done:
        return _back_to_visit(visit_id, done)
    db.session.commit()
    flash("Checked in. Ask about pain before you start.", "success")
    return redirect(url_for("visits.visit_page", visit_id=visit.id, _anchor="log"))


@bp.route("/visits/<int:visit_id>/log", methods=["POST"])
@login_required
def save_log(visit_id: int):
    """Record pain, each task, medications and notes; optionally check out."""
    now = utcnow()
    visit = policy.visit_for(current_user, visit_id, now)
    if visit.aide_id != current_user.id:
        raise NotFound(scheduling.NO_VISIT)
    tasks = list(visit.request.tasks)
    medications = bedside.due_medications(visit)
    form = visit_log_form(tasks, medications)
    if not form.validate_on_submit():
        db.session.rollback()  # nothing to keep; the page's audit row goes in on its own
        return _page(visit, now, form=form, status=422)
    try:
        report = visit_log.save_log(
            current_user,
            visit,
            pain_before=form.pain_before.level,
            pain_after=form.pain_after.level,
            tasks=_task_entries(form),
            medications=_medication_entries(form),
            notes=form.notes.data,
            now=now,
        )
        if form.save_and_check_out.data:
            services.check_out(current_user, visit, now)
    except DomainError as error:
        db.session.rollback()
        if error.status_code == 404:
            raise
        form.notes.errors = [*form.notes.errors, error.message]
        return _page(visit, now, form=form, status=error.status_code)
    notification_events.visit_log_saved(
        current_user, visit, report, visit_log.medication_logs(visit), now
    )
    db.session.commit()
    if report.safety_flag:
        flash(
            "Stop the exercises now. Pain is high or rising: the patient should contact their "
            "physical therapist before doing them again. The visit is flagged, and the patient "
            "and their care coordinators are told.",
            "error",
        )
    elif form.save_and_check_out.data:
        flash("Checked out. The visit is complete and the patient can read the summary.", "success")
    else:
        flash("Saved.", "success")
    return redirect(url_for("visits.visit_page", visit_id=visit.id, _anchor="log"))


def _task_entries(form) -> dict[int, TaskEntry]:
    entries = {}
    for item_id in form.task_ids:
        status, reason, note, sets = form.task_fields(item_id)
        if status.data:
            entries[item_id] = TaskEntry(status.data, reason.data or None, note.data, sets.data)
    return entries


def _medication_entries(form) -> dict[int, MedicationEntry]:
    entries = {}
    for medication_id in form.medication_ids:
        outcome, given_at = form.medication_fields(medication_id)
        if outcome.data:
            entries[medication_id] = MedicationEntry(outcome.data, given_at.data)
    return entries


@bp.route("/visits/<int:visit_id>/check-out", methods=["POST"])
@login_required
def check_out(visit_id: int):
    """End the visit."""
    now = utcnow()
    visit = policy.visit_for(current_user, visit_id, now)
    try:
        services.check_out(current_user, visit, now)
    except AlreadyDone as done:
        return _back_to_visit(visit_id, done)
    db.session.commit()
    flash("Checked out. The visit is complete and the patient can read the summary.", "success")
    return redirect(url_for("visits.visit_page", visit_id=visit.id))


@bp.route("/visits/<int:visit_id>/summary")
@login_required
def summary(visit_id: int):
    """What was done, skipped and why, pain, medications and notes."""
    now = utcnow()
    loaded = services.load_visit(visit_id, review=True)
    visit = policy.visit_summary_for(current_user, visit_id, now)
    reports.record_view(current_user, visit.patient_id, "visit summary", visit.id, now)
    return render_template(
        "visits/summary.html",
        visit=visit,
        data=reports.summary(visit, report=loaded.report),
        payment=loaded.payment,
        may_review=policy.may_review_visit(current_user, visit)
        and visit.status == "completed"
        and loaded.review is None,
    )


@bp.route("/audit")
@login_required
def audit():
    """The patient's own list of who looked at their health data."""
    if not current_user.is_patient:
        abort(404)
    before = request.args.get("before")
    before_id = parse_int(before, low=1, high=2_147_483_647) if before else None
    events, next_before = reports.audit_log(current_user, before_id)
    return render_template(
        "visits/audit.html", events=events, next_before=next_before, paged=bool(before)
    )
