"""Pages where a patient posts and manages requests, and aides look at one before booking."""

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.care import services as care
from webapp.database import utcnow
from webapp.errors import DomainError, InvalidInput, NotFound
from webapp.extensions import db
from webapp.marketplace import bp
from webapp.marketplace import request_services as requests
from webapp.marketplace.request_forms import (
    RequestDetailsForm,
    RequestForm,
    SeriesForm,
    VisitActionForm,
)
from webapp.money import parse_cents
from webapp.notifications import events as notification_events
from webapp.payments import costs, ledger
from webapp.payments import lifecycle as payments
from webapp.payments.services import card_on_file, payments_enabled


def _patient_asking(patient_id: int | None):
    """Whose requests these are: the patient's own, or (with an id) one a coordinator helps."""
    if patient_id is not None:
        return policy.coordinated_patient_for(current_user, patient_id)
    if not policy.may_post_requests(current_user, current_user):
        abort(404)
    return current_user


@bp.route("/requests")
@bp.route("/patients/<int:patient_id>/requests")
@login_required
def my_requests(patient_id: int | None = None):
    """The patient's requests and how each slot is covered."""
    patient = _patient_asking(patient_id)
    posted = requests.patient_requests(patient)
    return render_template(
        "marketplace/requests/list.html",
        patient=patient,
        posted=posted,
        counts=requests.coverage_counts(posted),
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@bp.route("/patients/<int:patient_id>/requests/new", methods=["GET", "POST"])
@login_required
def new_request(patient_id: int | None = None):
    """Ask for help: which exercises, when, and what it pays."""
    patient = _patient_asking(patient_id)
    items = care.routine_items(patient)
    form = RequestForm()
    form.set_task_choices(items)
    form.set_aide_choices(requests.verified_aides())
    if not form.is_submitted():
        _prefill(form, patient, items)
        form.prefill_from(request.args)
    if form.validate_on_submit():
        try:
            payments.require_card(patient)
            posted = requests.post_request(
                current_user,
                patient,
                home=requests.Home(
                    form.street.data, form.city.data, form.postal_code.data, form.access_notes.data
                ),
                schedule=requests.Schedule(
                    first_date=form.first_date.data,
                    start_time=form.start_time.data,
                    end_time=form.end_time.data,
                    weekdays=[int(day) for day in form.weekdays.data]
                    if form.repeat.data == "weekly"
                    else None,
                    until_date=form.until_date.data if form.ends.data == "until" else None,
                    count=form.count.data if form.ends.data == "count" else None,
                ),
                task_ids=form.tasks.data,
                includes_medications=form.includes_medications.data,
                rate_cents=form.rate_cents,
                currency=form.currency.data,
                notes=form.notes.data,
                offered_to_id=int(form.offered_to.data) if form.offered_to.data else None,
                now=utcnow(),
                submission_key=form.submission_key.data or None,
            )
        except payments.CardNeeded as error:
            db.session.rollback()
            form.rate.errors = [*form.rate.errors, error.message]
        except InvalidInput as error:
            db.session.rollback()
            form.first_date.errors = [*form.first_date.errors, error.message]
        else:
            db.session.commit()
            flash("Your request is posted. Verified aides can now book it.", "success")
            return redirect(url_for("marketplace.request_detail", request_id=posted.id))
    status = 422 if form.errors else 200
    return render_template(
        "marketplace/requests/new.html",
        form=form,
        has_routine=bool(items),
        patient=patient,
        cost=_cost(form, patient),
        card_needed=payments_enabled() and card_on_file(patient) is None,
    ), status


def _cost(form: RequestForm, patient) -> costs.RequestCost | None:
    """What the request as typed so far would cost (None until the rate and times make sense)."""
    weekly = form.repeat.data == "weekly"
    return costs.estimate(
        rate_cents=parse_cents(form.rate.data) if isinstance(form.rate.data, str) else None,
        currency=form.currency.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        timezone=patient.timezone,
        first_date=form.first_date.data,
        weekdays=[int(day) for day in form.weekdays.data or [] if str(day).isdigit()]
        if weekly
        else None,
        until_date=form.until_date.data if form.ends.data == "until" else None,
        count=form.count.data if form.ends.data == "count" else None,
    )


def _prefill(form: RequestForm, patient, items) -> None:
    home = requests.get_home(patient)
    if home is not None:
        form.street.data, form.city.data = home.street, home.city
        form.postal_code.data, form.access_notes.data = home.postal_code, home.access_notes
    form.tasks.data = [item.id for item in items if item.needs_helper]
    form.rate.data = form.rate.data or "28.00"
    form.submission_key.data = secrets.token_urlsafe(24)


@bp.route("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    """The patient manages a request; an aide sees what it is before booking."""
    now = utcnow()
    posted = requests.get_request(request_id)
    visits = requests.request_visits(posted)
    if not policy.may_view_request(current_user, posted, now, visits=visits):
        raise NotFound(requests.NO_REQUEST)
    return render_template(
        "marketplace/requests/detail.html",
        posted=posted,
        visits=visits,
        payments=ledger.payments_by_visit(visits),
        now=now,
        home=requests.get_home(posted.patient),
        managing=policy.may_manage_request(current_user, posted),
        may_book=policy.may_book_visits(current_user),
        action_form=VisitActionForm(formdata=None),
        series_form=SeriesForm(formdata=None),
        conflicts=[],
    )


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id: int):
    """Change the tasks, rate or notes of a request."""
    posted = requests.get_request(request_id)
    if not policy.may_manage_request(current_user, posted):
        raise NotFound(requests.NO_REQUEST)
    form = RequestDetailsForm(obj=posted)
    form.set_task_choices(care.routine_items(posted.patient))
    if not form.is_submitted():
        form.tasks.data = [task.id for task in posted.tasks]
        form.rate.data = f"{posted.rate_cents / 100:.2f}"
    if form.validate_on_submit():
        try:
            requests.update_details(
                current_user,
                posted,
                task_ids=form.tasks.data,
                includes_medications=form.includes_medications.data,
                rate_cents=form.rate_cents,
                currency=form.currency.data,
                notes=form.notes.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.tasks.errors = [*form.tasks.errors, error.message]
        else:
            db.session.commit()
            flash("Request updated.", "success")
            return redirect(url_for("marketplace.request_detail", request_id=posted.id))
    status = 422 if form.errors else 200
    return render_template("marketplace/requests/edit.html", form=form, posted=posted), status


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@login_required
def cancel_request(request_id: int):
    """Withdraw a whole request."""
    posted = requests.get_request(request_id)
    if not policy.may_manage_request(current_user, posted):
        raise NotFound(requests.NO_REQUEST)
    cancelled = requests.cancel_request(current_user, posted, utcnow())
    notification_events.visits_cancelled_by_patient_side(current_user, cancelled, utcnow())
    db.session.commit()
    late = sum(1 for visit in cancelled if visit.aide_id)
    message = f"Request withdrawn: {len(cancelled)} upcoming visit(s) cancelled."
    if late:
        message += f" {late} had an aide booked; each aide is told and sees it on their visit list."
    flash(message, "info")
    if posted.patient_id != current_user.id:
        return redirect(url_for("marketplace.my_requests", patient_id=posted.patient_id))
    return redirect(url_for("marketplace.my_requests"))
