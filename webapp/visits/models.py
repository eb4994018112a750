"""What happened at a visit: check-in/out, each task, pain, medications, notes, and who saw it."""

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

TASK_STATUSES = (("done", "Done"), ("partly", "Partly done"), ("skipped", "Skipped"))
SKIP_REASONS = (
    ("patient_declined", "Patient declined"),
    ("pain", "Pain"),
    ("no_equipment", "No equipment"),
    ("other", "Other"),
)
MEDICATION_OUTCOMES = (("given", "Given"), ("refused", "Refused"), ("missed", "Missed"))


def _in(column: str, pairs) -> str:
    return f"{column} IN (" + ", ".join(f"'{key}'" for key, _ in pairs) + ")"


class VisitReport(db.Model):
    """One per visit once the aide checks in: times, pain before/after, notes, safety flag."""

    __tablename__ = "visit_report"
    __table_args__ = (
        CheckConstraint("pain_before IS NULL OR pain_before BETWEEN 0 AND 10", name="pain_before"),
        CheckConstraint("pain_after IS NULL OR pain_after BETWEEN 0 AND 10", name="pain_after"),
        CheckConstraint(
            "checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"
        ),
    )

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    #: For the patient and family: how it went.
    notes: Mapped[str | None] = mapped_column(Text)
    #: Set when pain reached 7+ or rose by 3+: the exercises stop, the therapist is told.
    safety_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TaskLog(db.Model):
    """How one routine task went at a visit."""

    __tablename__ = "task_log"
    __table_args__ = (
        UniqueConstraint("visit_id", "routine_item_id", name="uq_task_log_visit_item"),
        CheckConstraint(_in("status", TASK_STATUSES), name="status_known"),
        CheckConstraint(f"reason IS NULL OR {_in('reason', SKIP_REASONS)}", name="reason_known"),
        CheckConstraint("status = 'done' OR reason IS NOT NULL", name="reason_when_not_done"),
        CheckConstraint("sets_done IS NULL OR sets_done BETWEEN 0 AND 20", name="sets_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    routine_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("routine_item.id", ondelete="SET NULL")
    )
    #: The card it was, kept even if the routine item is later removed.
    exercise_slug: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    reason_note: Mapped[str | None] = mapped_column(Text)
    sets_done: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MedicationLog(db.Model):
    """Whether a medication due in the visit window was given, refused or missed."""

    __tablename__ = "medication_log"
    __table_args__ = (
        UniqueConstraint("visit_id", "medication_id", name="uq_medication_log_visit_medication"),
        CheckConstraint(_in("outcome", MEDICATION_OUTCOMES), name="outcome_known"),
        CheckConstraint("outcome != 'given' OR given_at IS NOT NULL", name="given_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    medication_id: Mapped[int | None] = mapped_column(
        ForeignKey("medication.id", ondelete="SET NULL")
    )
    #: Name and dose as they were at the visit, kept if the medication later changes.
    name: Mapped[str] = mapped_column(String(200))
    dose: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class VisitLogEdit(db.Model):
    """A change to a completed visit's log: the old and new value are both kept."""

    __tablename__ = "visit_log_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: e.g. "pain_after", "task:thomas-stretch", "medication:Ibuprofen".
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User] = relationship(foreign_keys=[editor_id])


class AuditEvent(db.Model):
    """Someone other than the patient looked at the patient's health data (never the values).

    One row per viewer, patient, thing seen and visit in each clock hour (UTC): opening the same
    page again within that hour adds to `views` and moves `last_at` instead of adding a row.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_patient_id_at", "patient_id", "at"),
        CheckConstraint("views >= 1", name="views_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    viewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: What was seen, in words: "care plan for a visit", "visit summary".
    what: Mapped[str] = mapped_column(String(100))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"))
    #: The first view in the hour.
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: How many times it was opened in that hour.
    views: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The latest of those views (the same as `at` after one view).
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    viewer: Mapped[User] = relationship(foreign_keys=[viewer_id])
