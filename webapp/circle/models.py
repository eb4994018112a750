"""Care circle members and the invitations that bring them in."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

#: (value, label, what the role may do), in the order the patient sees them.
CIRCLE_ROLES = (
    (
        "coordinator",
        "Coordinator",
        "Sees the routine, medications, activities to avoid, requests, visits and summaries; "
        "posts and cancels requests for you.",
    ),
    ("viewer", "Viewer", "Sees the calendar and visit summaries only."),
)
ROLE_LABELS = {value: label for value, label, _ in CIRCLE_ROLES}


class CircleMember(db.Model):
    """A family member or friend in a patient's care circle, with their role."""

    __tablename__ = "circle_member"
    __table_args__ = (
        UniqueConstraint("patient_id", "member_id", name="uq_circle_member_once"),
        CheckConstraint("role IN ('coordinator', 'viewer')", name="role_known"),
        CheckConstraint("patient_id <> member_id", name="not_own_circle"),
        Index("ix_circle_member_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    member: Mapped[User] = relationship(foreign_keys=[member_id])

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class CircleInvitation(db.Model):
    """A single-use link a patient sends to bring someone into their circle."""

    __tablename__ = "circle_invitation"
    __table_args__ = (
        CheckConstraint("role IN ('coordinator', 'viewer')", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        #: At most one invitation waiting for an answer per patient and address.
        Index(
            "uq_circle_invitation_pending",
            "patient_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL AND withdrawn_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL AND withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the link's random token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def is_pending(self, now: datetime) -> bool:
        """Still waiting for an answer: not used, not withdrawn, not expired."""
        return self.accepted_at is None and self.withdrawn_at is None and now < self.expires_at
