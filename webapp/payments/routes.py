"""Pages for the patient's side (the saved card, receipts) and for aides (payouts)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.database import begin_write, utcnow
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.forms import parse_int
from webapp.links import RowLink
from webapp.payments import accounts, bp, costs, ledger
from webapp.payments.forms import STATUS_LABELS, ButtonForm
from webapp.payments.services import payments_enabled, payout_account

MAX_ID = 2_147_483_647


@bp.app_template_global("card_payments_on")
def _card_payments_on() -> bool:
    """Templates (and macros imported without context) ask whether card payments are on."""
    return payments_enabled()


@bp.app_template_global("request_cost_rules")
def _request_cost_rules() -> dict:
    """The figures the request form's live cost note works with (payments/_cost.html)."""
    return costs.rules_for_pages()


@bp.app_template_global("payment_status_label")
@bp.app_template_filter("payment_status")
def _payment_status_label(status: str) -> str:
    """A payment's status in the words the pages use (a filter too: lists call it per row, and
    a filter costs Jinja less than a call)."""
    return STATUS_LABELS.get(status, status)


def _before() -> int | None:
    before = request.args.get("before")
    return parse_int(before, low=1, high=MAX_ID) if before else None


# The patient's card ------------------------------------------------------------------------


@bp.route("/patients/<int:patient_id>/payment-card")
@login_required
def card(patient_id: int):
    """The card saved for visits, and a button to save one on Stripe's page."""
    patient = policy.payments_patient_for(current_user, patient_id)
    profile = accounts.payment_profile(patient) if payments_enabled() else None
    return render_template(
        "payments/card.html", patient=patient, profile=profile, form=ButtonForm()
    )


@bp.route("/patients/<int:patient_id>/payment-card/setup", methods=["POST"])
@login_required
def start_card_setup(patient_id: int):
    """Send the person to Stripe's hosted page to save a card (no card field here)."""
    patient = policy.payments_patient_for(current_user, patient_id)
    accounts.require_gateway()
    if not ButtonForm().validate_on_submit():
        abort(400, "Your form expired. Please reload the page and try again.")
    back = url_for("payments.card_saved", patient_id=patient.id, _external=True)
    url = accounts.start_card_setup(
        patient,
        current_user,
        success_url=back + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=url_for("payments.card_setup_cancelled", patient_id=patient.id, _external=True),
        now=utcnow(),
    )
    db.session.commit()
    return redirect(url, code=303)


@bp.route("/patients/<int:patient_id>/payment-card/saved")
@login_required
def card_saved(patient_id: int):
    """Back from Stripe: read the saved card from Stripe itself and keep it."""
    begin_write(db.session)  # this GET writes: take the write lock before reading
    patient = policy.payments_patient_for(current_user, patient_id)
    accounts.require_gateway()
    session_id = request.args.get("session_id", "")
    if not (0 < len(session_id) <= 255) or not session_id.isascii():
        raise NotFound(accounts.NO_SETUP)
    profile = accounts.finish_card_setup(patient, session_id, utcnow())
    db.session.commit()
    flash(f"Card ending {profile.card_last4} saved for visits.", "success")
    return redirect(url_for("payments.card", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/payment-card/cancelled")
@login_required
def card_setup_cancelled(patient_id: int):
    """Back from Stripe without saving a card."""
    patient = policy.payments_patient_for(current_user, patient_id)
    accounts.require_gateway()
    flash("No card was saved.", "info")
    return redirect(url_for("payments.card", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/payments")
@login_required
def history(patient_id: int):
    """What each visit cost: held, paid, refunded; newest first."""
    patient = policy.payments_patient_for(current_user, patient_id)
    payments, next_before = ledger.payments_of_patient(patient, _before())
    return render_template(
        "payments/history.html",
        patient=patient,
        payments=payments,
        receipt_link=RowLink("payments.receipt", "visit_id"),
        next_before=next_before,
    )


@bp.route("/visits/<int:visit_id>/receipt")
@login_required
def receipt(visit_id: int):
    """The receipt of one visit, for the patient and their coordinators."""
    from webapp.scheduling.models import Visit

    visit = db.session.get(Visit, visit_id)
    if visit is None or not policy.may_manage_payments(current_user, visit.patient):
        raise NotFound("We could not find that receipt.")
    payment = ledger.payment_of_visit(visit)
    return render_template("payments/receipt.html", visit=visit, payment=payment)


# Aides' payouts ----------------------------------------------------------------------------


@bp.route("/payouts")
@login_required
def payouts():
    """The aide's payout set-up, and what they earned per visit and per month."""
    if not policy.may_see_payouts(current_user):
        abort(404)
    online = payments_enabled()
    account = payout_account(current_user) if online else None
    visits, next_before = ledger.earnings_per_visit(current_user, _before())
    months = ledger.earnings_per_month(current_user, current_user.timezone, utcnow())
    return render_template(
        "payments/payouts.html",
        account=account,
        visits=visits,
        next_before=next_before,
        months=months,
        # The set-up button, shown only until payouts are on.
        form=ButtonForm() if online and not (account and account.payouts_enabled) else None,
    )


@bp.route("/payouts/onboard", methods=["POST"])
@login_required
def start_onboarding():
    """Send the aide to Stripe's hosted onboarding."""
    if not policy.may_see_payouts(current_user):
        abort(404)
    accounts.require_gateway()
    if not ButtonForm().validate_on_submit():
        abort(400, "Your form expired. Please reload the page and try again.")
    url = accounts.start_onboarding(current_user, *_onboarding_urls(), now=utcnow())
    db.session.commit()
    return redirect(url, code=303)


@bp.route("/payouts/refresh")
@login_required
def onboarding_refresh():
    """Stripe's link expired or was used: a fresh one."""
    if not policy.may_see_payouts(current_user):
        abort(404)
    return redirect(accounts.onboarding_link(current_user, *_onboarding_urls()), code=303)


@bp.route("/payouts/return")
@login_required
def onboarding_return():
    """Back from Stripe's onboarding: ask Stripe how it stands."""
    if not policy.may_see_payouts(current_user):
        abort(404)
    begin_write(db.session)  # this GET writes: take the write lock before reading
    account = accounts.refresh_account(current_user, utcnow())
    db.session.commit()
    if account is not None and account.payouts_enabled:
        flash("Payouts are set up. You can book paid visits.", "success")
    else:
        flash("Stripe still needs a few details before you can be paid.", "info")
    return redirect(url_for("payments.payouts"))


def _onboarding_urls() -> tuple[str, str]:
    return (
        url_for("payments.onboarding_refresh", _external=True),
        url_for("payments.onboarding_return", _external=True),
    )
