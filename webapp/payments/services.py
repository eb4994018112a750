"""Charging for visits: a hold on the patient's card when a visit is booked (or once it comes
within six days), collected at check-out, let go when the visit does not happen; refunds.

The promise: a visit is charged at most once, for at most what was held, and only through a
transition its current state allows (NEXT_STATUSES). How it holds:

* one VisitPayment per visit (a unique visit_id), and every call that moves money carries an
  idempotency key named after the visit and the step ("visit-12-authorize", "visit-12-capture"),
  so a retry, a double tap or a rolled-back transaction gets Stripe's first answer back, not a
  second charge;
* changes to one payment are serialised: on PostgreSQL the visit's (or payment's) row is locked
  before anything is read for the change; on SQLite the request or worker pass holds the write
  lock from its start (webapp.database.begin_write);
* each function first checks the state and does nothing when the step is already done, so
  calling it twice is a no-op.

Services flush only; the route or the worker commits. Declines are not raised: the payment is
returned with status "failed" and a failure_reason, so the caller can commit that and tell the
patient's side.
"""

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from webapp.auth.models import User
from webapp.errors import AlreadyDone, Conflict, InvalidInput
from webapp.extensions import db
from webapp.money import format_money
from webapp.payments import gateway as stripe_gateway
from webapp.payments.gateway import CardDeclined, PaymentError, PaymentServiceDown
from webapp.payments.models import (
    NEXT_STATUSES,
    REFUNDABLE,
    PaymentProfile,
    PaymentRefund,
    PayoutAccount,
    VisitPayment,
)
from webapp.scheduling.models import HELD, Visit

#: Card holds expire after about seven days, so a visit is authorized within six of its start.
AUTHORIZE_AHEAD = timedelta(days=6)
#: A visit checked out early is charged for the time spent, rounded up to this many minutes.
BILLING_STEP_MINUTES = 15

NO_CARD = "No card is saved for visits. Save a card to keep this visit."
AIDE_NOT_PAYABLE = "The aide has not finished setting up payouts, so the card was not charged."


def payments_enabled() -> bool:
    """Whether Stripe keys are set; without them HomeStretch runs offline ("pay the aide")."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def price_for_minutes(rate_cents: int, minutes: int) -> int:
    """An hourly rate for so many minutes, in cents, rounded half up to the cent."""
    return (rate_cents * minutes + 30) // 60


def visit_price(visit: Visit) -> int:
    """What the booked visit costs: the request's hourly rate times its booked length."""
    return price_for_minutes(visit.request.rate_cents, visit.duration_minutes)


def percent_of(amount_cents: int, percent: int) -> int:
    """`percent` % of an amount, rounded half up to the cent."""
    return (amount_cents * percent + 50) // 100


def fee_for(amount_cents: int) -> int:
    """The platform's fee on an amount (PLATFORM_FEE_PERCENT)."""
    return percent_of(amount_cents, int(current_app.config["PLATFORM_FEE_PERCENT"]))


def late_cancel_fee_for(amount_cents: int) -> int:
    """What a late cancellation by the patient costs (LATE_CANCEL_FEE_PERCENT of the visit)."""
    return percent_of(amount_cents, int(current_app.config["LATE_CANCEL_FEE_PERCENT"]))


def billed_minutes(booked_minutes: int, minutes_spent: int | None) -> int:
    """The booked length, or the time actually spent rounded up to 15 minutes if less."""
    if minutes_spent is None or minutes_spent >= booked_minutes:
        return booked_minutes
    step = BILLING_STEP_MINUTES
    return min(booked_minutes, max(step, math.ceil(max(minutes_spent, 0) / step) * step))


def payout_account(aide: User) -> PayoutAccount | None:
    return db.session.scalar(select(PayoutAccount).where(PayoutAccount.aide_id == aide.id))


def may_book_paid(aide: User) -> bool:
    """Offline anyone may book; with Stripe only an aide whose payouts are enabled."""
    if not payments_enabled():
        return True
    account = payout_account(aide)
    return account is not None and account.payouts_enabled


def card_on_file(patient: User) -> PaymentProfile | None:
    """The patient's payment profile if a card is saved, else None."""
    profile = db.session.scalar(
        select(PaymentProfile).where(PaymentProfile.patient_id == patient.id)
    )
    return profile if profile is not None and profile.has_card else None


def payment_for(visit: Visit) -> VisitPayment | None:
    """The visit's payment, read afresh (after a row lock it must not be a stale copy)."""
    return db.session.scalar(
        select(VisitPayment)
        .where(VisitPayment.visit_id == visit.id)
        .execution_options(populate_existing=True)
    )


def move(payment: VisitPayment, status: str) -> bool:
    """Change the status if the current one allows it; False (and nothing changed) if not."""
    if status not in NEXT_STATUSES[payment.status]:
        return False
    payment.status = status
    return True


def authorize(visit: Visit, now: datetime) -> VisitPayment | None:
    """Hold the visit's price on the patient's saved card (None offline).

    Within six days of the start the card is authorized now; further out the payment waits
    as "pending" for the worker (authorize_due). A decline leaves it "failed" with the reason.
    A visit booked again after its hold was let go gets a fresh hold.
    """
    gateway = stripe_gateway.for_app()
    if gateway is None:
        return None
    _lock_visit(visit)
    payment = payment_for(visit)
    if payment is None:
        if visit.status not in HELD or visit.aide_id is None:
            return None  # nobody holds the visit: nothing to pay for
        payment = _new_payment(visit)
    elif payment.status == "released" and visit.status == "booked":
        _start_again(payment, visit)
    if payment.status not in ("pending", "failed") or visit.status not in HELD:
        return payment
    if visit.starts_at - now > AUTHORIZE_AHEAD:
        return payment
    profile = card_on_file(visit.patient)
    if profile is None:
        return _fail(payment, NO_CARD, now)
    account = payout_account(visit.aide)
    if account is None or not account.payouts_enabled:
        return _fail(payment, AIDE_NOT_PAYABLE, now)
    suffix = f"-{payment.attempts + 1}" if payment.attempts else ""
    try:
        intent = gateway.authorize(
            amount=payment.amount_cents,
            currency=payment.currency,
            customer_id=profile.stripe_customer_id,
            payment_method_id=profile.default_payment_method_id,
            destination=account.stripe_account_id,
            fee=payment.fee_cents,
            key=f"visit-{visit.id}-authorize{suffix}",
            metadata={"visit_id": str(visit.id), "payment_id": str(payment.id)},
        )
    except CardDeclined as declined:
        payment.attempts += 1
        return _fail(payment, declined.message, now)
    except PaymentServiceDown as down:
        # Unchanged, so the next pass tries again. A declined hold keeps the reason the
        # patient's side must act on (and that decides when it is tried again).
        if payment.status == "pending":
            payment.failure_reason = down.message
        return payment
    except PaymentError as refused:
        payment.attempts += 1
        return _fail(payment, refused.message, now)
    payment.payment_intent_id = intent.id
    payment.charge_id = intent.charge_id
    payment.destination_account_id = account.stripe_account_id
    if intent.status != "requires_capture":
        payment.attempts += 1
        return _fail(payment, "The card needs the cardholder to confirm this payment.", now)
    move(payment, "authorized")
    payment.authorized_at = now
    payment.failure_reason = None
    db.session.flush()
    return payment


def capture(visit: Visit, minutes_spent: int | None, now: datetime) -> VisitPayment | None:
    """Collect the hold at check-out: the booked time, or the time spent (rounded up to 15
    minutes) when the visit ended early. A hold that was never made is tried first."""
    if stripe_gateway.for_app() is None:
        return None
    _lock_visit(visit)
    payment = payment_for(visit)
    if payment is None or payment.status in ("pending", "failed"):
        payment = authorize(visit, now)  # a hold that was never made (or was declined)
    if payment is None or payment.status not in ("authorized", "capture_failed"):
        return payment
    minutes = billed_minutes(visit.duration_minutes, minutes_spent)
    amount = min(payment.amount_cents, price_for_minutes(visit.request.rate_cents, minutes))
    payment.minutes_billed = minutes if minutes < visit.duration_minutes else None
    return _collect(payment, amount, f"visit-{visit.id}-capture-{payment.payment_intent_id}", now)


def charge_late_cancel_fee(visit: Visit, now: datetime) -> VisitPayment | None:
    """A patient's cancellation within 24 hours: collect the late-cancellation fee from the
    hold (the rest is let go)."""
    if stripe_gateway.for_app() is None:
        return None
    _lock_visit(visit)
    payment = payment_for(visit)
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
    _lock_visit(visit)
    payment = payment_for(visit)
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
    move(payment, "released")
    payment.released_at = now
    db.session.flush()
    return payment


def authorize_due(
    now: datetime, *, patient_id: int | None = None, aide_id: int | None = None
) -> list[VisitPayment]:
    """Authorize the booked visits now within six days whose hold is due: never tried yet
    (pending); declined, or refused for want of a card, when a card was saved since; refused
    because the aide could not be paid, now that their payouts are enabled.

    The worker's pass runs it for everyone; saving a card runs it at once for that patient's
    visits (patient_id), and payouts being enabled for that aide's (aide_id). Whoever runs it,
    a visit's try carries the same idempotency key, so the two never hold a visit twice.
    Returns the payments it tried (the caller tells the patient's side about "failed" ones)."""
    if stripe_gateway.for_app() is None:
        return []
    query = (
        select(Visit)
        .join(VisitPayment, VisitPayment.visit_id == Visit.id)
        .outerjoin(PaymentProfile, PaymentProfile.patient_id == VisitPayment.patient_id)
        .outerjoin(PayoutAccount, PayoutAccount.aide_id == Visit.aide_id)
        .where(
            or_(
                VisitPayment.status == "pending",
                and_(
                    VisitPayment.status == "failed",
                    or_(
                        PaymentProfile.updated_at > VisitPayment.failed_at,
                        and_(
                            VisitPayment.failure_reason == AIDE_NOT_PAYABLE,
                            PayoutAccount.payouts_enabled.is_(True),
                        ),
                    ),
                ),
            ),
            Visit.status == "booked",
            Visit.starts_at > now,
            Visit.starts_at <= now + AUTHORIZE_AHEAD,
        )
    )
    if patient_id is not None:
        query = query.where(Visit.patient_id == patient_id)
    if aide_id is not None:
        query = query.where(Visit.aide_id == aide_id)
    visits = db.session.scalars(query.order_by(Visit.starts_at, Visit.id).limit(200)).all()
    return [payment for visit in visits if (payment := authorize(visit, now)) is not None]


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
    if not move(payment, status):
        return False
    payment.refunded_cents = total
    return True


def _collect(payment: VisitPayment, amount: int, key: str, now: datetime) -> VisitPayment:
    gateway = stripe_gateway.for_app()
    fee = fee_for(amount)
    try:
        intent = gateway.capture(payment.payment_intent_id, amount=amount, fee=fee, key=key)
    except PaymentError as failed:
        move(payment, "capture_failed")
        payment.failure_reason = failed.message
        payment.failed_at = now
        db.session.flush()
        return payment
    move(payment, "captured")
    payment.captured_cents = amount
    payment.fee_cents = fee
    payment.charge_id = intent.charge_id or payment.charge_id
    payment.captured_at = now
    payment.failure_reason = None
    db.session.flush()
    return payment


def _new_payment(visit: Visit) -> VisitPayment:
    amount = visit_price(visit)
    payment = VisitPayment(
        visit_id=visit.id,
        patient_id=visit.patient_id,
        aide_id=visit.aide_id,
        amount_cents=amount,
        fee_cents=fee_for(amount),
        currency=visit.request.currency,
        status="pending",
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _start_again(payment: VisitPayment, visit: Visit) -> None:
    """The slot was booked again after its hold was let go: a new hold, with a new key."""
    payment.status = "pending"
    payment.aide_id = visit.aide_id
    payment.payment_intent_id = None
    payment.charge_id = None
    payment.amount_cents = visit_price(visit)
    payment.fee_cents = fee_for(payment.amount_cents)
    payment.attempts += 1
    payment.released_at = None
    payment.authorized_at = None


def _fail(payment: VisitPayment, reason: str, now: datetime) -> VisitPayment:
    move(payment, "failed")
    payment.failure_reason = reason
    payment.failed_at = now
    db.session.flush()
    return payment


def _lock_visit(visit: Visit) -> None:
    """On PostgreSQL, hold the visit's row so two changes to its payment take turns."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())


def _lock_payment(payment: VisitPayment) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(VisitPayment.id).where(VisitPayment.id == payment.id).with_for_update()
        )
        db.session.refresh(payment)
