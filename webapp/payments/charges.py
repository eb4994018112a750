"""Collecting a visit's hold at check-out (or the late-cancellation fee from it), letting it
go when the visit does not happen, and refunds. The promise and how it holds (one payment per
visit, idempotency keys, the row locked, state checked first) are those of
webapp.payments.services, which makes the holds.

Services flush only; the route or the worker commits. A capture that fails is not raised: the
payment is returned "capture_failed" with the reason, and admins see it listed.
"""

import math
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from webapp.auth.models import User
from webapp.errors import AlreadyDone, Conflict, InvalidInput
from webapp.extensions import db
from webapp.money import format_money
from webapp.payments import gateway as stripe_gateway
from webapp.payments import services
from webapp.payments.gateway import CardDeclined, PaymentError, PaymentServiceDown
from webapp.payments.models import NEXT_STATUSES, REFUNDABLE, PaymentRefund, VisitPayment
from webapp.scheduling.models import Visit

#: A visit checked out early is charged for the time spent, rounded up to this many minutes.
BILLING_STEP_MINUTES = 15


def late_cancel_fee_for(amount_cents: int) -> int:
    """What a late cancellation by the patient costs (LATE_CANCEL_FEE_PERCENT of the visit)."""
    return services.percent_of(amount_cents, int(current_app.config["LATE_CANCEL_FEE_PERCENT"]))


def billed_minutes(booked_minutes: int, minutes_spent: int | None) -> int:
    """The booked length, or the time actually spent rounded up to 15 minutes if less."""
    if minutes_spent is None or minutes_spent >= booked_minutes:
        return booked_minutes
    step = BILLING_STEP_MINUTES
    return min(booked_minutes, max(step, math.ceil(max(minutes_spent, 0) / step) * step))


def capture(visit: Visit, minutes_spent: int | None, now: datetime) -> VisitPayment | None:
    """Collect the hold at check-out: the booked time, or the time spent (rounded up to 15
    minutes) when the visit ended early. A hold that was never made is tried first."""
    if stripe_gateway.for_app() is None:
        return None
    services.lock_visit(visit)
    payment = services.payment_for(visit)
    if payment is None or payment.status in ("pending", "failed"):
        payment = services.authorize(visit, now)  # a hold that was never made (or was declined)
    if payment is None or payment.status not in ("authorized", "capture_failed"):
        return payment
    minutes = billed_minutes(visit.duration_minutes, minutes_spent)
    amount = min(
        payment.amount_cents, services.price_for_minutes(visit.request.rate_cents, minutes)
    )
    payment.minutes_billed = minutes if minutes < visit.duration_minutes else None
    return _collect(payment, amount, f"visit-{visit.id}-capture-{payment.payment_intent_id}", now)


def charge_late_cancel_fee(visit: Visit, now: datetime) -> VisitPayment | None:
    """A patient's cancellation within 24 hours: collect the late-cancellation fee from the
    hold (the rest is let go)."""
    if stripe_gateway.for_app() is None:
        return None
    services.lock_visit(visit)
    payment = services.payment_for(visit)
    if payment is None or payment.status not in ("authorized", "capture_failed"):
        return payment
    payment.late_cancel_fee = True
    amount = late_cancel_fee_for(payment.amount_cents)
    if amount <= 0:
        return release(visit, now)
    key = f"visit-{visit.id}-late-cancel-fee-{payment.payment_intent_id}"
    return _collect(payment, amount, key, now)


def release(visit: Visit, now: datetime) -> VisitPayment | None:
    """Let the hold go (an early cancellation, the aide cancelled or did not come)."""
    gateway = stripe_gateway.for_app()
    if gateway is None:
        return None
    services.lock_visit(visit)
    payment = services.payment_for(visit)
    if payment is None or "released" not in NEXT_STATUSES[payment.status]:
        return payment
    if payment.payment_intent_id and payment.status in ("authorized", "capture_failed"):
        try:
            intent_id = payment.payment_intent_id
            gateway.cancel(intent_id, key=f"visit-{visit.id}-release-{intent_id}")
        except (PaymentServiceDown, CardDeclined):
            raise
        except PaymentError as refused:
            # Already cancelled or expired on Stripe's side: nothing is held either way.
            current_app.logger.info("release of %s: %s", payment.payment_intent_id, refused)
    services.move(payment, "released")
    payment.released_at = now
    db.session.flush()
    return payment


def refund(
    payment: VisitPayment,
    amount_cents: int,
    reason: str,
    admin: User,
    now: datetime,
    submission_key: str,
) -> PaymentRefund:
    """Give back part or all of what was collected (never more than collected less refunded),
    taking it back from the aide's transfer and the platform fee alike."""
    gateway = stripe_gateway.for_app()
    if gateway is None:
        raise Conflict("Card payments are not switched on.")
    _lock_payment(payment)
    replay = db.session.scalar(
        select(PaymentRefund).where(
            PaymentRefund.payment_id == payment.id,
            PaymentRefund.submission_key == submission_key,
        )
    )
    if replay is not None:
        raise AlreadyDone("That refund was already made.")
    if payment.status not in REFUNDABLE or not payment.payment_intent_id:
        raise Conflict("Only money that was collected can be refunded.")
    if amount_cents <= 0:
        raise InvalidInput("Enter an amount above zero.")
    if amount_cents > payment.refundable_cents:
        raise InvalidInput(
            f"You can refund at most {format_money(payment.refundable_cents, payment.currency)}."
        )
    refund_id = gateway.refund(
        payment.payment_intent_id,
        amount=amount_cents,
        key=f"payment-{payment.id}-refund-{submission_key}",
    )
    record = PaymentRefund(
        payment_id=payment.id,
        amount_cents=amount_cents,
        currency=payment.currency,
        reason=reason,
        admin_id=admin.id,
        stripe_refund_id=refund_id,
        submission_key=submission_key,
        created_at=now,
    )
    db.session.add(record)
    record_refunded(payment, payment.refunded_cents + amount_cents)
    db.session.flush()
    return record


def record_refunded(payment: VisitPayment, refunded_cents: int) -> bool:
    """Note that this much has been refunded in all (never less than already noted)."""
    total = min(max(payment.refunded_cents, refunded_cents), payment.captured_cents)
    if total <= 0:
        return False
    status = "refunded" if total >= payment.captured_cents else "partially_refunded"
    if not services.move(payment, status):
        return False
    payment.refunded_cents = total
    return True


def _collect(payment: VisitPayment, amount: int, key: str, now: datetime) -> VisitPayment:
    gateway = stripe_gateway.for_app()
    fee = services.fee_for(amount)
    try:
        intent = gateway.capture(payment.payment_intent_id, amount=amount, fee=fee, key=key)
    except PaymentError as failed:
        services.move(payment, "capture_failed")
        payment.failure_reason = failed.message
        payment.failed_at = now
        db.session.flush()
        return payment
    services.move(payment, "captured")
    payment.captured_cents = amount
    payment.fee_cents = fee
    payment.charge_id = intent.charge_id or payment.charge_id
    payment.captured_at = now
    payment.failure_reason = None
    db.session.flush()
    return payment


def _lock_payment(payment: VisitPayment) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(VisitPayment.id).where(VisitPayment.id == payment.id).with_for_update()
        )
        db.session.refresh(payment)
