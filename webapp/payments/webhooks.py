"""Stripe's webhook events: each handled once, in any order, by one handler per type.

The promise: an event changes HomeStretch at most once, and never moves a payment backwards.
How it holds:

* the event's id is inserted (unique) in the same transaction as the handler's changes, so a
  second delivery finds it and does nothing; two deliveries at once take turns (SQLite: the
  request's write lock from BEGIN IMMEDIATE; PostgreSQL: the unique index makes the second
  insert wait for the first transaction and then fail, which is answered as a duplicate);
* a handler only applies a transition the payment's current status allows (NEXT_STATUSES),
  so a late "succeeded" after a refund, or a "canceled" after a capture, is a no-op;
* a handler that fails raises: nothing is stored, the route answers 500, and Stripe retries.
"""

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.payments import accounts
from webapp.payments.charges import record_refunded
from webapp.payments.models import Dispute, StripeEvent, VisitPayment
from webapp.payments.services import move


def handle(event: dict, now: datetime) -> bool:
    """Process a verified event once; False if it was already processed (a redelivery)."""
    event_id = str(event.get("id") or "")
    if not event_id:
        return False
    if db.session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)):
        return False
    created = _when(event.get("created")) or now
    record = StripeEvent(
        event_id=event_id, type=str(event.get("type"))[:100], created=created, received_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return False  # the same event, delivered concurrently, got in first
    handler = HANDLERS.get(record.type)
    data = (event.get("data") or {}).get("object") or {}
    if handler is not None:
        handler(data, created, now)
    else:
        current_app.logger.info("Stripe event %s (%s) ignored", event_id, record.type)
    record.processed_at = now
    db.session.flush()
    return True


def _payment_of(intent_id) -> VisitPayment | None:
    if not intent_id:
        return None
    payment = db.session.scalar(
        select(VisitPayment).where(VisitPayment.payment_intent_id == intent_id)
    )
    return _locked(payment)


def _payment_of_charge(charge: dict) -> VisitPayment | None:
    intent_id = charge.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    conditions = [VisitPayment.charge_id == charge.get("id")] if charge.get("id") else []
    if intent_id:
        conditions.append(VisitPayment.payment_intent_id == intent_id)
    if not conditions:
        return None
    return _locked(db.session.scalar(select(VisitPayment).where(or_(*conditions)).limit(1)))


def _locked(payment: VisitPayment | None) -> VisitPayment | None:
    """On PostgreSQL, hold the payment's row (a refund in flight commits first), read afresh."""
    if payment is not None and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(VisitPayment.id).where(VisitPayment.id == payment.id).with_for_update()
        )
        db.session.refresh(payment)
    return payment


def intent_succeeded(intent: dict, created: datetime, now: datetime) -> None:
    """The hold was collected (possibly on Stripe's dashboard)."""
    payment = _payment_of(intent.get("id"))
    if payment is None or not move(payment, "captured"):
        return
    received = int(intent.get("amount_received") or 0)
    payment.captured_cents = received or payment.captured_cents or payment.amount_cents
    payment.captured_at = payment.captured_at or now
    payment.failure_reason = None


def intent_failed(intent: dict, created: datetime, now: datetime) -> None:
    """The card was declined after the fact (an asynchronous failure)."""
    payment = _payment_of(intent.get("id"))
    if payment is None or not move(payment, "failed"):
        return
    error = intent.get("last_payment_error") or {}
    payment.failure_reason = (error.get("message") or "The card was declined.")[:300]
    payment.failed_at = now
    from webapp.notifications import events  # the alert, once per visit and attempt

    events.payments_failed([payment], now)


def intent_canceled(intent: dict, created: datetime, now: datetime) -> None:
    """The hold was let go (by us, by Stripe when it expired, or on the dashboard)."""
    payment = _payment_of(intent.get("id"))
    if payment is None or not move(payment, "released"):
        return
    payment.released_at = payment.released_at or now


def intent_capturable(intent: dict, created: datetime, now: datetime) -> None:
    """The card holds the amount (news of an authorization we may not have stored yet)."""
    payment = _payment_of(intent.get("id"))
    if payment is None or int(intent.get("amount_capturable") or 0) <= 0:
        return
    if move(payment, "authorized"):
        payment.authorized_at = payment.authorized_at or now
        payment.failure_reason = None


def checkout_completed(session: dict, created: datetime, now: datetime) -> None:
    accounts.card_setup_completed(session, now)


def setup_succeeded(intent: dict, created: datetime, now: datetime) -> None:
    accounts.setup_intent_succeeded(intent, now)


def account_updated(account: dict, created: datetime, now: datetime) -> None:
    accounts.account_updated(account, created, now)


def charge_refunded(charge: dict, created: datetime, now: datetime) -> None:
    """Money went back to the patient (through HomeStretch or on Stripe's dashboard)."""
    payment = _payment_of_charge(charge)
    if payment is None:
        return
    if payment.status == "authorized":
        # Collected and refunded on Stripe's side before we heard of the capture.
        payment.captured_cents = int(charge.get("amount_captured") or payment.amount_cents)
    payment.charge_id = payment.charge_id or charge.get("id")
    record_refunded(payment, int(charge.get("amount_refunded") or 0))


def dispute_created(dispute: dict, created: datetime, now: datetime) -> None:
    """A chargeback: keep it with its evidence deadline for the admin's list."""
    dispute_id = dispute.get("id")
    if not dispute_id or db.session.scalar(
        select(Dispute.id).where(Dispute.stripe_dispute_id == dispute_id)
    ):
        return
    charge_id = dispute.get("charge")
    intent_id = dispute.get("payment_intent")
    payment = _payment_of_charge({"id": charge_id, "payment_intent": intent_id})
    due = (dispute.get("evidence_details") or {}).get("due_by")
    db.session.add(
        Dispute(
            stripe_dispute_id=str(dispute_id)[:255],
            payment_id=payment.id if payment else None,
            charge_id=charge_id,
            payment_intent_id=intent_id,
            amount_cents=int(dispute.get("amount") or 0),
            currency=str(dispute.get("currency") or "usd").upper()[:3],
            reason=str(dispute.get("reason") or "general")[:64],
            status=str(dispute.get("status") or "needs_response")[:64],
            evidence_due_by=_when(due),
            created_at=_when(dispute.get("created")) or created,
            received_at=now,
        )
    )


HANDLERS = {
    "payment_intent.succeeded": intent_succeeded,
    "payment_intent.payment_failed": intent_failed,
    "payment_intent.canceled": intent_canceled,
    "payment_intent.amount_capturable_updated": intent_capturable,
    "checkout.session.completed": checkout_completed,
    "setup_intent.succeeded": setup_succeeded,
    "account.updated": account_updated,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_created,
}


def _when(value) -> datetime | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None
