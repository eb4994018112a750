"""In-app notifications and the outbox of emails that carry them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

#: (kind, what the person is told about), in the order the settings page lists them.
KINDS = (
    ("visit_booked", "An aide books a visit"),
    ("visit_cancelled", "A visit is cancelled"),
    ("visit_reminder", "A reminder the day before a visit"),
    ("visit_uncovered", "A visit two days away has no aide yet"),
    ("visit_no_show", "An aide has not arrived for a visit"),
    ("pain_flag", "Pain is high or rising at a visit or at home"),
    ("dose_missed", "A dose is refused or missed"),
    ("home_dose_late", "A home dose is not logged an hour after its time"),
    ("circle_changed", "Someone joins or leaves the care circle"),
    ("payment_problem", "A card payment fails"),
)

#: Separates an email's text from the line saying why it was sent (the link goes between).
WHY_MARK = "\n-- \n"

#: pending -> sending -> sent; sending -> pending (retry later) or failed (given up).
EMAIL_STATUSES = ("pending", "sending", "sent", "failed")


class Notification(db.Model):
    """Something that happened that a person should know about; the title names no health
    details, since it may show on a lock screen or in a mail list."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_unread", "recipient_id", "read_at", "created_at"),
        UniqueConstraint("recipient_id", "dedupe_key", name="uq_notification_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: A path inside HomeStretch ("/visits/12"); emails make it absolute with BASE_URL.
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set for notices the clock sends ("reminder-24h:visit:12"): at most one per person, even
    #: when two workers run the same pass.
    dedupe_key: Mapped[str | None] = mapped_column(String(80))

    recipient: Mapped[User] = relationship()


class OutboxEmail(db.Model):
    """One email to send, written in the same transaction as the event it reports. Account
    emails (password reset, sign-up) have no notification: they never show in the app."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in EMAIL_STATUSES) + ")",
            name="status_known",
        ),
        Index("ix_outbox_email_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    #: The page the email is about, a path inside HomeStretch; made absolute with BASE_URL.
    link: Mapped[str] = mapped_column(String(500))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    #: Fixed when the row is written, so a resent copy carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    notification: Mapped[Notification | None] = relationship()


class EmailOptOut(db.Model):
    """A person who wants no email for one kind of notification (it still shows in the app)."""

    __tablename__ = "email_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_email_opt_out_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))


class DoseWatch(db.Model):
    """A coordinator who asked to hear when a home dose of one patient is not logged an hour
    after the end of its part of the day (opt-in: it is off unless they turn it on)."""

    __tablename__ = "dose_watch"
    __table_args__ = (UniqueConstraint("user_id", "patient_id", name="uq_dose_watch_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: Doses due before this moment are never reported (no alerts for old history).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
