"""When each part of the patient's day happens, and which care windows family members cover."""

from datetime import datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.care.models import TIMES_OF_DAY
from webapp.circle.models import CircleMember
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.visits.models import _in


class DayPart(db.Model):
    """The clock times of one part of a patient's day (e.g. Morning 08:00-10:00), local time."""

    __tablename__ = "day_part"
    __table_args__ = (
        UniqueConstraint("patient_id", "part", name="uq_day_part_patient_part"),
        CheckConstraint(_in("part", TIMES_OF_DAY), name="part_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(16))
    #: Wall-clock times in the patient's time zone; a part of the day ends on the same day.
    starts_at: Mapped[time] = mapped_column(Time())
    ends_at: Mapped[time] = mapped_column(Time())


class FamilyCover(db.Model):
    """A family member's promise to be there for one care window ("I'll do it").

    At most one live cover per window: a partial unique index on (patient, window start) where
    the cover is not given back, so of two relatives tapping at once exactly one insert lands.
    A given-back cover keeps its row (released_at) so calendar feeds can show it as cancelled.
    """

    __tablename__ = "family_cover"
    __table_args__ = (
        CheckConstraint("window_ends_at > window_starts_at", name="ends_after_start"),
        CheckConstraint(_in("part_of_day", TIMES_OF_DAY), name="part_known"),
        Index(
            "uq_family_cover_live_window",
            "patient_id",
            "window_starts_at",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index("ix_family_cover_member_window", "member_id", "window_starts_at"),
        # Calendars and feeds read a patient's covers by time, given back ones too.
        Index("ix_family_cover_patient_window", "patient_id", "window_starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    part_of_day: Mapped[str] = mapped_column(String(16))
    window_starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Raised on every change, so calendar feeds can send a rising SEQUENCE.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    member: Mapped[User] = relationship(foreign_keys=[member_id])


#: Join condition: the cover's relative is (still) in the patient's care circle. A cover whose
#: member has left lapses with their membership.
MEMBER_IN_CIRCLE = and_(
    CircleMember.patient_id == FamilyCover.patient_id,
    CircleMember.member_id == FamilyCover.member_id,
)
