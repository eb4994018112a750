"""Routine, medication and precaution pages, plus the public exercise catalogue."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.care import bp, services
from webapp.care.catalogue import EXERCISES, get_exercise
from webapp.care.forms import (
    AddExerciseForm,
    BuiltinPrecautionForm,
    ConfirmForm,
    MedicationForm,
    PrecautionForm,
    RoutineItemForm,
)
from webapp.care.models import TIMES_OF_DAY, bits_to_list
from webapp.database import utcnow
from webapp.errors import Conflict, DomainError
from webapp.extensions import db
from webapp.forms import form_fields

TIME_KEYS = [key for key, _ in TIMES_OF_DAY]
MEDICATION_FIELDS = "care/_medication_fields.html"
PRECAUTION_FIELDS = "care/_precaution_fields.html"


class _PatientRowLink:
    """url_for(endpoint, patient_id=..., **{arg: id}) for every row of one patient's list:
    built once per page, each row's id put in its place."""

    _MARK = 2_147_483_647

    def __init__(self, endpoint: str, arg: str, patient_id: int):
        mark = str(self._MARK)
        address = url_for(endpoint, patient_id=patient_id, **{arg: self._MARK})
        self.head, _, self.tail = address.rpartition(mark)

    def __call__(self, row_id: int) -> str:
        return f"{self.head}{int(row_id)}{self.tail}"


def _routine_page(patient, *, status=200, **forms):
    """Render the routine page; a form passed in (refused, with its errors) is drawn as sent.

    Only the forms passed in are built: the others' empty fields are drawn once per app, and
    every form on the page carries the one CSRF token of the confirm form.
    """
    items, medications, precautions = services.care_plan(patient)
    in_routine = {item.exercise_slug for item in items}
    medication_form = forms.get("medication_form")
    precaution_form = forms.get("precaution_form")
    can_edit = policy.may_edit_care_plan(current_user, patient)
    context = {
        "patient": patient,
        "can_edit": can_edit,
        "items": items,
        "medications": medications,
        "precautions": precautions,
        "missing_builtins": services.missing_builtin_precautions(precautions),
        "available": [exercise for exercise in EXERCISES if exercise.slug not in in_routine],
        "add_form": forms.get("add_form"),
        "medication_form": medication_form,
        "medication_fields": form_fields(MEDICATION_FIELDS, MedicationForm, medication_form),
        "precaution_form": precaution_form,
        "precaution_fields": form_fields(PRECAUTION_FIELDS, PrecautionForm, precaution_form),
        "confirm_form": ConfirmForm(formdata=None),
    }
    if can_edit:
        context |= {
            "edit_item_link": _PatientRowLink("care.edit_routine_item", "item_id", patient.id),
            "remove_item_link": _PatientRowLink("care.remove_routine_item", "item_id", patient.id),
            "edit_medication_link": _PatientRowLink(
                "care.edit_medication", "medication_id", patient.id
            ),
            "remove_medication_link": _PatientRowLink(
                "care.remove_medication", "medication_id", patient.id
            ),
            "edit_precaution_link": _PatientRowLink(
                "care.edit_precaution", "precaution_id", patient.id
            ),
            "remove_precaution_link": _PatientRowLink(
                "care.remove_precaution", "precaution_id", patient.id
            ),
        }
    return render_template("care/routine.html", **context), status


def _record_view(patient, what: str) -> None:
    """A coordinator reading the care plan is written to the patient's audit log."""
    from webapp.visits import reports  # imported here: visits builds on care

    reports.record_view(current_user, patient.id, what, None, utcnow())


def _back(patient, anchor: str):
    return redirect(url_for("care.routine", patient_id=patient.id, _anchor=anchor))


@bp.route("/routine")
@login_required
def my_routine():
    """A patient's shortcut to their own routine."""
    if not current_user.is_patient:
        abort(404)
    return redirect(url_for("care.routine", patient_id=current_user.id))


@bp.route("/patients/<int:patient_id>/routine")
@login_required
def routine(patient_id: int):
    """The whole care plan on one page: exercises, medications, activities to avoid."""
    patient = policy.patient_for(current_user, patient_id)
    _record_view(patient, "routine and medications")
    return _routine_page(patient)


@bp.route("/patients/<int:patient_id>/routine/print")
@login_required
def routine_print(patient_id: int):
    """One clean sheet for the fridge."""
    patient = policy.patient_for(current_user, patient_id)
    _record_view(patient, "printable routine")
    plan = services.care_plan(patient)
    return render_template(
        "care/routine_print.html",
        patient=patient,
        items=plan.items,
        medications=plan.medications,
        precautions=plan.precautions,
    )


@bp.route("/patients/<int:patient_id>/routine/items", methods=["POST"])
@login_required
def add_routine_item(patient_id: int):
    """Add a catalogue exercise to the routine."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    form = AddExerciseForm()
    if not form.validate_on_submit():
        return _routine_page(patient, status=422, add_form=form)
    try:
        item = services.add_exercise(patient, form.exercise.data)
    except Conflict as error:  # a double tap on "Add": the first one already did it
        db.session.rollback()
        flash(error.message, "info")
        return _back(patient, "exercises")
    db.session.commit()
    flash(
        f"{item.exercise.name} added. Check the numbers match what your therapist gave you.",
        "success",
    )
    return redirect(url_for("care.edit_routine_item", patient_id=patient.id, item_id=item.id))


@bp.route("/patients/<int:patient_id>/routine/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_routine_item(patient_id: int, item_id: int):
    """Set sets, reps, holds and the schedule for one exercise."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    item = services.get_routine_item(patient, item_id)
    form = RoutineItemForm(obj=item)
    if not form.is_submitted():
        form.weekdays.data = item.weekday_names
        form.times_of_day.data = bits_to_list(item.times_of_day, TIME_KEYS)
    if form.validate_on_submit():
        try:
            services.update_routine_item(
                item,
                sets=form.sets.data,
                reps=form.reps.data,
                hold_seconds=form.hold_seconds.data,
                minutes=form.minutes.data,
                times_per_day=form.times_per_day.data,
                weekdays=form.weekdays.data,
                times_of_day=form.times_of_day.data,
                needs_helper=form.needs_helper.data,
                notes=form.notes.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.reps.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{item.exercise.name} saved.", "success")
            return _back(patient, f"item-{item.id}")
    status = 422 if form.errors else 200
    return render_template("care/routine_item.html", patient=patient, item=item, form=form), status


@bp.route("/patients/<int:patient_id>/routine/items/<int:item_id>/delete", methods=["POST"])
@login_required
def remove_routine_item(patient_id: int, item_id: int):
    """Take an exercise out of the routine."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    item = services.get_routine_item(patient, item_id)
    if ConfirmForm().validate_on_submit():
        name = item.exercise.name
        services.remove_routine_item(item)
        db.session.commit()
        flash(f"{name} removed from your routine.", "info")
    return _back(patient, "exercises")


@bp.route("/patients/<int:patient_id>/medications", methods=["POST"])
@login_required
def add_medication(patient_id: int):
    """Add a medication."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    form = MedicationForm()
    if not form.validate_on_submit():
        return _routine_page(patient, status=422, medication_form=form)
    medication = services.save_medication(
        patient,
        name=form.name.data,
        dose=form.dose.data,
        instructions=form.instructions.data,
        times_of_day=form.times_of_day.data,
    )
    db.session.commit()
    flash(f"{medication.name} added.", "success")
    return _back(patient, "medications")


@bp.route("/patients/<int:patient_id>/medications/<int:medication_id>", methods=["GET", "POST"])
@login_required
def edit_medication(patient_id: int, medication_id: int):
    """Change a medication's dose, instructions or times."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    medication = services.get_medication(patient, medication_id)
    form = MedicationForm(obj=medication)
    if not form.is_submitted():
        form.times_of_day.data = bits_to_list(medication.times_of_day, TIME_KEYS)
    if form.validate_on_submit():
        services.save_medication(
            patient,
            name=form.name.data,
            dose=form.dose.data,
            instructions=form.instructions.data,
            times_of_day=form.times_of_day.data,
            medication=medication,
        )
        db.session.commit()
        flash(f"{medication.name} saved.", "success")
        return _back(patient, "medications")
    status = 422 if form.errors else 200
    return render_template(
        "care/medication.html", patient=patient, medication=medication, form=form
    ), status


@bp.route("/patients/<int:patient_id>/medications/<int:medication_id>/delete", methods=["POST"])
@login_required
def remove_medication(patient_id: int, medication_id: int):
    """Take a medication off the list."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    medication = services.get_medication(patient, medication_id)
    if ConfirmForm().validate_on_submit():
        name = medication.name
        services.remove_medication(medication)
        db.session.commit()
        flash(f"{name} removed.", "info")
    return _back(patient, "medications")


@bp.route("/patients/<int:patient_id>/precautions", methods=["POST"])
@login_required
def add_precaution(patient_id: int):
    """Add an activity to avoid."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    form = PrecautionForm()
    if form.validate_on_submit():
        try:
            services.save_precaution(patient, activity=form.activity.data, tip=form.tip.data)
        except DomainError as error:
            db.session.rollback()
            form.activity.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Added “{form.activity.data}” to the activities to avoid.", "success")
            return _back(patient, "precautions")
    return _routine_page(patient, status=422, precaution_form=form)


@bp.route("/patients/<int:patient_id>/precautions/standard", methods=["POST"])
@login_required
def restore_precaution(patient_id: int):
    """Put a standard activity to avoid back on the list."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    form = BuiltinPrecautionForm()
    if form.validate_on_submit():
        precaution = services.restore_builtin_precaution(patient, form.key.data)
        db.session.commit()
        flash(f"“{precaution.activity}” is back on the list.", "success")
    return _back(patient, "precautions")


@bp.route("/patients/<int:patient_id>/precautions/<int:precaution_id>", methods=["GET", "POST"])
@login_required
def edit_precaution(patient_id: int, precaution_id: int):
    """Reword an activity to avoid or its tip."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    precaution = services.get_precaution(patient, precaution_id)
    form = PrecautionForm(obj=precaution)
    if form.validate_on_submit():
        try:
            services.save_precaution(
                patient, activity=form.activity.data, tip=form.tip.data, precaution=precaution
            )
        except DomainError as error:
            db.session.rollback()
            form.activity.errors.append(error.message)
        else:
            db.session.commit()
            flash("Saved.", "success")
            return _back(patient, "precautions")
    status = 422 if form.errors else 200
    return render_template(
        "care/precaution.html", patient=patient, precaution=precaution, form=form
    ), status


@bp.route("/patients/<int:patient_id>/precautions/<int:precaution_id>/delete", methods=["POST"])
@login_required
def remove_precaution(patient_id: int, precaution_id: int):
    """Take an activity off the list."""
    patient = policy.patient_for(current_user, patient_id, edit=True)
    precaution = services.get_precaution(patient, precaution_id)
    if ConfirmForm().validate_on_submit():
        activity = precaution.activity
        services.remove_precaution(precaution)
        db.session.commit()
        flash(f"“{activity}” removed from the activities to avoid.", "info")
    return _back(patient, "precautions")


@bp.route("/exercises")
def catalogue():
    """The built-in exercise cards, for anyone to read."""
    return render_template("care/catalogue.html", exercises=EXERCISES)


@bp.route("/exercises/<slug>")
def exercise(slug: str):
    """One exercise card."""
    card = get_exercise(slug)
    if card is None:
        abort(404)
    return render_template("care/exercise.html", exercise=card)
