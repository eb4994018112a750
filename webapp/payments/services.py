"""Holding a visit's price on the patient's card: when the visit is booked, or once it comes
within six days (card holds expire after about seven); and again as soon as a failed hold can
succeed. Collecting the hold, letting it go and refunds are in webapp.payments.charges.

The promise: a visit is charged at most once, for at most what was held, and only through a
transition its current state allows (NEXT_STATUSES). How it holds, here and in charges:

* one VisitPayment per visit (a unique visit_id), and every call that moves money carries an
  idempotency key named after the visit and the step ("visit-12-authorize", "visit-12-capture"),
  so a retry, a double tap or a rolled-back transaction gets Stripe's first answer back, not a
  second charge; whoever tries a hold (a booking, the worker, a webhook) uses the same key;
* changes to one payment are serialised: on PostgreSQL the visit's (or payment's) row is locked
  before anything is read for the change; on SQLite the request or worker pass holds the write
  lock from its start (webapp.database.begin_write);
* each function first checks the state and does nothing when the step is already done, so
  calling it twice is a no-op.

Services flush only; the route or the worker commits. Declines are not raised: the payment is
returned with status "failed" and a failure_reason, so the caller can commit that and tell the
patient's side.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.payments import gateway as stripe_gateway
from webapp.payments.gateway import CardDeclined, PaymentError, PaymentServiceDown
from webapp.payments.models import (
    AIDE_NOT_PAYABLE,
    NEXT_STATUSES,
    PaymentProfile,
    PayoutAccount,
    VisitPayment,
)
from webapp.scheduling.models import HELD, Visit

#: Card holds expire after about seven days, so a visit is authorized within six of its start.
AUTHORIZE_AHEAD = timedelta(days=6)

NO_CARD = "No card is saved for visits. Save a card to keep this visit."


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


def lock_visit(visit: Visit) -> None:
    """On PostgreSQL, hold the visit's row so two changes to its payment take turns."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())


def authorize(visit: Visit, now: datetime) -> VisitPayment | None:
    """Hold the visit's price on the patient's saved card (None offline).

    Within six days of the start the card is authorized now; further out the payment waits
    as "pending" for the worker (authorize_due). A decline leaves it "failed" with the reason.
    A visit booked again after its hold was let go gets a fresh hold.
    """
    gateway = stripe_gateway.for_app()
    if gateway is None:
        return None
    lock_visit(visit)
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
