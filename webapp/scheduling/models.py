"""Visit slots: one per occurrence of a request, with an explicit state machine."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest

#: open -> booked -> checked_in -> completed; open/booked -> cancelled; booked -> no_show.
#: An aide's cancellation sends a booked visit back to open.
STATUSES = ("open", "booked", "checked_in", "completed", "cancelled", "no_show")
#: States in which the visit occupies its aide's time.
HELD = ("booked", "checked_in", "completed")
#: Cancelling within this many hours of the start is a late cancellation.
LATE_CANCEL_HOURS = 24


class Visit(db.Model):
    """One slot of help at the patient's home, stored in UTC."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"
        ),
        CheckConstraint(
            "(status = 'open' AND aide_id IS NULL) OR status = 'cancelled' "
            "OR (status IN ('booked', 'checked_in', 'completed', 'no_show') "
            "AND aide_id IS NOT NULL)",
            name="aide_matches_status",
        ),
        #: Open slots in the board's order (starts_at, id) with the columns it filters on, so
        #: the board walks this index alone and sorts nothing, even where many slots start at
        #: the same time (it also serves every status-and-time query).
        Index("ix_visit_board", "status", "starts_at", "id", "patient_id", "request_id"),
        Index("ix_visit_aide_id_starts_at", "aide_id", "starts_at"),
        #: A patient's visits by time (dashboard, calendar, coverage): without it SQLite walks
        #: everyone's visits of a status through the (status, starts_at) board index.
        Index("ix_visit_patient_id_starts_at", "patient_id", "starts_at"),
        #: A patient's visits of one status by time, with their request: the board's count in
        #: an area starts from the area's homes and reads each one's open slots from here
        #: alone. It also serves the foreign key (deleting a patient deletes their visits).
        Index("ix_visit_patient_id_status", "patient_id", "status", "starts_at", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    aide_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="open")
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The patient called it off within 24 hours of the start while an aide was booked.
    cancelled_late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Raised on every change (Core updates too), so calendar feeds can send a rising SEQUENCE.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    request: Mapped[AssistanceRequest] = relationship()
    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    aide: Mapped[User | None] = relationship(foreign_keys=[aide_id])

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class VisitCancellation(db.Model):
    """Who called off a visit and when; late aide cancellations show on their profile."""

    __tablename__ = "visit_cancellation"
    __table_args__ = (CheckConstraint("side IN ('aide', 'patient')", name="side_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    #: The aide who held the visit when it was called off (None if it was still open).
    aide_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    cancelled_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    side: Mapped[str] = mapped_column(String(8))
    #: Within LATE_CANCEL_HOURS of the start, with an aide booked.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
