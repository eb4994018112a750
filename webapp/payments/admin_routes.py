"""The admin's payment pages: every payment with filters, refunds, disputes and deadlines."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import policy
from webapp.database import utcnow
from webapp.errors import AlreadyDone, InvalidInput
from webapp.extensions import db
from webapp.forms import form_fields, parse_int
from webapp.links import RowLink
from webapp.money import format_money
from webapp.payments import bp, ledger
from webapp.payments.charges import refund as refund_payment
from webapp.payments.forms import PaymentFilterForm, RefundForm
from webapp.payments.routes import _before


def _admin_only() -> None:
    if not policy.may_manage_all_payments(current_user):
        abort(404)


@bp.route("/admin/payments")
@login_required
def admin_payments():
    """Every visit payment, newest first, narrowed by status, dates and person."""
    _admin_only()
    form = None
    filters = ledger.PaymentFilters()
    if any(name in request.args for name in FILTER_FIELDS):
        form = PaymentFilterForm(request.args)
        if form.validate():
            filters = ledger.PaymentFilters(
                status=form.status.data or None,
                date_from=form.date_from.data,
                date_to=form.date_to.data,
                person=form.person.data or None,
            )
    payments, next_before = ledger.admin_payments(filters, _before())
    return render_template(
        "payments/admin_payments.html",
        filter_fields=_filter_fields(form),
        payments=payments,
        payment_link=RowLink("payments.admin_payment", "visit_id"),
        next_before=next_before,
        query={key: value for key, value in request.args.items() if key != "before"},
    ), (422 if form is not None and form.errors else 200)


#: The filters' fields in the query string (an older page of the unfiltered list has only
#: `before`).
FILTER_FIELDS = ("status", "date_from", "date_to", "person")


def _filter_fields(form: PaymentFilterForm | None) -> Markup:
    """The filter form's fields: as sent, with any errors, or empty (drawn once per app)."""
    return form_fields("payments/_payment_filters.html", PaymentFilterForm, form)


@bp.route("/admin/visits/<int:visit_id>/payment")
@login_required
def admin_payment(visit_id: int):
    """One visit's payment in full, with its refunds and the refund form."""
    _admin_only()
    return _payment_page(ledger.admin_payment(visit_id), RefundForm())


@bp.route("/admin/visits/<int:visit_id>/payment/refund", methods=["POST"])
@login_required
def refund(visit_id: int):
    """Give back part or all of a visit's payment, with a reason kept on the record."""
    _admin_only()
    payment = ledger.admin_payment(visit_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _payment_page(payment, form, status=422)
    try:
        record = refund_payment(
            payment,
            form.cents,
            form.reason.data,
            current_user,
            utcnow(),
            submission_key=form.submission_key.data,
        )
    except AlreadyDone as done:
        db.session.rollback()
        flash(done.message, "info")
        return redirect(url_for("payments.admin_payment", visit_id=visit_id))
    except InvalidInput as refused:
        db.session.rollback()
        form.amount.errors.append(refused.message)
        return _payment_page(ledger.admin_payment(visit_id), form, status=422)
    db.session.commit()
    flash(f"Refunded {format_money(record.amount_cents, record.currency)}.", "success")
    return redirect(url_for("payments.admin_payment", visit_id=visit_id))


def _payment_page(payment, form, status: int = 200):
    return render_template(
        "payments/admin_payment.html",
        payment=payment,
        refunds=ledger.refunds_of(payment),
        form=form,
    ), status


@bp.route("/admin/disputes")
@login_required
def disputes():
    """Chargebacks, the nearest evidence deadline first."""
    _admin_only()
    page = parse_int(request.args.get("page", "1"), low=1, high=10_000) or 1
    rows, more = ledger.disputes(page)
    return render_template(
        "payments/disputes.html", disputes=rows, page=page, more=more, now=utcnow()
    )
