"""Money for visits: saved cards, aides' payout accounts, one payment per visit, refunds,
disputes, and the Stripe events already handled. Amounts are integer cents with a currency."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

#: pending: booked more than 6 days ahead, not yet authorized (card holds expire after ~7 days).
#: authorized: the card holds the visit's price. failed: the card was declined.
#: capture_failed: the hold could not be collected. captured: the money was taken.
#: released: the hold was let go (early cancellation, aide cancelled, no-show).
PAYMENT_STATUSES = (
    "pending",
    "authorized",
    "failed",
    "capture_failed",
    "captured",
    "released",
    "partially_refunded",
    "refunded",
)
#: Why a hold was refused when Stripe cannot pay the aide yet (the card is not at fault).
AIDE_NOT_PAYABLE = "The aide has not finished setting up payouts, so the card was not charged."
#: Which status may follow which. Anything else (a repeat, or an event that arrives after a
#: later state was reached) is a no-op: that is how out-of-order webhooks stay harmless.
NEXT_STATUSES = {
    "pending": {"authorized", "failed", "released"},
    "failed": {"authorized", "failed", "released"},
    "authorized": {"captured", "capture_failed", "released", "partially_refunded", "refunded"},
    "capture_failed": {"captured", "released"},
    "captured": {"partially_refunded", "refunded"},
    "partially_refunded": {"partially_refunded", "refunded"},
    "refunded": set(),
    "released": set(),
}
#: Captured money that can still be refunded.
REFUNDABLE = ("captured", "partially_refunded")


def _known(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


class PaymentProfile(db.Model):
    """A patient's Stripe customer and the card saved for visits (by them or a coordinator)."""

    __tablename__ = "payment_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: The card visits are charged to; None until a card is saved through Checkout.
    default_payment_method_id: Mapped[str | None] = mapped_column(String(255))
    card_brand: Mapped[str | None] = mapped_column(String(32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    #: When Stripe created the setup that saved this card; news of an older setup is ignored.
    card_setup_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Who saved the card: the patient, or a coordinator paying for them.
    saved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    saved_by: Mapped[User | None] = relationship(foreign_keys=[saved_by_id])

    @property
    def has_card(self) -> bool:
        return self.default_payment_method_id is not None


class PayoutAccount(db.Model):
    """An aide's Stripe Express account; they are paid only once payouts are enabled."""

    __tablename__ = "payout_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    aide_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(String(255), unique=True)
    details_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    charges_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When Stripe said the flags above were so (an event's time); older news is ignored.
    stripe_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    aide: Mapped[User] = relationship()


class VisitPayment(db.Model):
    """What one visit costs the patient and how far collecting it has gone."""

    __tablename__ = "visit_payment"
    __table_args__ = (
        CheckConstraint(_known("status", PAYMENT_STATUSES), name="status_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("fee_cents >= 0 AND fee_cents <= amount_cents", name="fee_range"),
        CheckConstraint("captured_cents >= 0", name="captured_not_negative"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= captured_cents", name="refund_range"
        ),
        Index("ix_visit_payment_status_created_at", "status", "created_at"),
        Index("ix_visit_payment_patient_id_id", "patient_id", "id"),
        Index("ix_visit_payment_aide_id_id", "aide_id", "id"),
        # The admin's list narrowed by status, newest first; an aide's months of earnings.
        Index("ix_visit_payment_status_id", "status", "id"),
        Index("ix_visit_payment_aide_id_captured_at", "aide_id", "captured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The aide who held the visit when it was priced; they are paid the amount less the fee.
    aide_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: Set once Stripe has an intent for it; None while pending (or if the card was declined).
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: The charge behind the intent, for matching refunds and disputes.
    charge_id: Mapped[str | None] = mapped_column(String(255), index=True)
    #: The aide's Stripe account the money goes to.
    destination_account_id: Mapped[str | None] = mapped_column(String(255))
    #: The price of the booked visit (what the card holds).
    amount_cents: Mapped[int] = mapped_column(Integer)
    #: The platform fee on what was (or would be) captured.
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24), default="pending")
    captured_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: Minutes charged when checked out early (rounded up to 15); None for the booked time.
    minutes_billed: Mapped[int | None] = mapped_column(Integer)
    #: The capture was the late-cancellation fee, not the visit.
    late_cancel_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How many times authorizing was tried; each try has its own idempotency key.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    authorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    visit = relationship("Visit")
    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    aide: Mapped[User] = relationship(foreign_keys=[aide_id])
    refunds: Mapped[list["PaymentRefund"]] = relationship(
        back_populates="payment", order_by="PaymentRefund.id"
    )

    @property
    def waits_on_aide(self) -> bool:
        """The hold was refused because the aide's payouts are not set up, not for the card."""
        return self.status == "failed" and self.failure_reason == AIDE_NOT_PAYABLE

    @property
    def refundable_cents(self) -> int:
        return self.captured_cents - self.refunded_cents if self.status in REFUNDABLE else 0

    @property
    def earnings_cents(self) -> int:
        """What the aide keeps: captured less refunds, less the platform fee."""
        if self.captured_cents == 0:
            return 0
        return max(self.captured_cents - self.refunded_cents - self.fee_cents, 0)


class PaymentRefund(db.Model):
    """Money given back to the patient by an admin, with the reason they gave."""

    __tablename__ = "payment_refund"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "submission_key", name="uq_payment_refund_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("visit_payment.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    #: None for a refund made on Stripe's side (seen through charge.refunded).
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: A random key the refund form carries, so a double tap refunds once.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[VisitPayment] = relationship(back_populates="refunds")
    admin: Mapped[User | None] = relationship()


class Dispute(db.Model):
    """A chargeback the patient's bank opened; evidence must reach Stripe before due_by."""

    __tablename__ = "payment_dispute"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("visit_payment.id"), index=True)
    charge_id: Mapped[str | None] = mapped_column(String(255))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(64))
    evidence_due_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: When Stripe opened it.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[VisitPayment | None] = relationship()


class StripeEvent(db.Model):
    """A webhook event already handled: its id is stored in the handler's own transaction,
    so a second delivery (even a concurrent one) finds it and changes nothing."""

    __tablename__ = "stripe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    #: When Stripe created the event.
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
