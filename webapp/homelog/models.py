"""Sessions of the routine done at home without an aide, logged by the patient or a coordinator."""

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
from webapp.care.models import TIMES_OF_DAY
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.visits.models import MEDICATION_OUTCOMES, SKIP_REASONS, TASK_STATUSES, _in


class HomeSession(db.Model):
    """One go at the routine at home: when, which part of the day, pain before and after."""

    __tablename__ = "home_session"
    __table_args__ = (
        CheckConstraint("pain_before IS NULL OR pain_before BETWEEN 0 AND 10", name="pain_before"),
        CheckConstraint("pain_after IS NULL OR pain_after BETWEEN 0 AND 10", name="pain_after"),
        CheckConstraint(_in("part_of_day", TIMES_OF_DAY), name="part_known"),
        Index("ix_home_session_patient_done_at", "patient_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: The patient or the coordinator who wrote it down (None once their account is deleted).
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: When the session was done (UTC); the part of the day it counts for.
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
    part_of_day: Mapped[str] = mapped_column(String(16))
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    #: Pain reached 7+ or rose by 3+: the exercises stop, the session is flagged.
    safety_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    tasks: Mapped[list["HomeTaskLog"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="HomeTaskLog.id"
    )
    medications: Mapped[list["HomeMedicationLog"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="HomeMedicationLog.id"
    )


class HomeTaskLog(db.Model):
    """How one routine exercise went in a home session."""

    __tablename__ = "home_task_log"
    __table_args__ = (
        UniqueConstraint("session_id", "routine_item_id", name="uq_home_task_log_session_item"),
        CheckConstraint(_in("status", TASK_STATUSES), name="status_known"),
        CheckConstraint(f"reason IS NULL OR {_in('reason', SKIP_REASONS)}", name="reason_known"),
        CheckConstraint("status = 'done' OR reason IS NOT NULL", name="reason_when_not_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("home_session.id", ondelete="CASCADE"), index=True
    )
    routine_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("routine_item.id", ondelete="SET NULL")
    )
    #: The card it was, kept even if the routine item is later removed.
    exercise_slug: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    reason_note: Mapped[str | None] = mapped_column(Text)

    session: Mapped[HomeSession] = relationship(back_populates="tasks")


class HomeMedicationLog(db.Model):
    """Whether a dose due in the session's part of the day was given, refused or missed."""

    __tablename__ = "home_medication_log"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "medication_id", name="uq_home_medication_log_session_medication"
        ),
        CheckConstraint(_in("outcome", MEDICATION_OUTCOMES), name="outcome_known"),
        CheckConstraint("outcome != 'given' OR given_at IS NOT NULL", name="given_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("home_session.id", ondelete="CASCADE"), index=True
    )
    medication_id: Mapped[int | None] = mapped_column(
        ForeignKey("medication.id", ondelete="SET NULL")
    )
    #: Name and dose as they were, kept if the medication later changes.
    name: Mapped[str] = mapped_column(String(200))
    dose: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[HomeSession] = relationship(back_populates="medications")
