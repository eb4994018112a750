"""A patient's care plan: routine items from the catalogue, medications, things to avoid."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.care.catalogue import SLUGS, get_exercise
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALL_WEEKDAYS = 0b1111111
TIMES_OF_DAY = (
    ("morning", "Morning"),
    ("midday", "Midday"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening"),
    ("bedtime", "Bedtime"),
)
ALL_TIMES = 0b11111

# Dosage limits, shared by the forms and the database constraints.
LIMITS = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_seconds": (5, 600),
    "minutes": (1, 60),
    "times_per_day": (1, 12),
}


def bits_to_list(mask: int, names) -> list[str]:
    """The names whose bit is set in the mask, in order."""
    return [name for index, name in enumerate(names) if mask & (1 << index)]


def list_to_bits(values, names) -> int:
    """A mask with a bit set for each chosen name."""
    return sum(1 << names.index(value) for value in values if value in names)


def _range_check(column: str) -> CheckConstraint:
    low, high = LIMITS[column]
    return CheckConstraint(
        f"{column} IS NULL OR {column} BETWEEN {low} AND {high}", name=f"{column}_range"
    )


class RoutineItem(db.Model):
    """One catalogue exercise in a patient's routine, with their therapist's numbers."""

    __tablename__ = "routine_item"
    __table_args__ = (
        UniqueConstraint("patient_id", "exercise_slug", name="uq_routine_item_patient_exercise"),
        CheckConstraint(
            "exercise_slug IN (" + ", ".join(f"'{slug}'" for slug in SLUGS) + ")",
            name="exercise_known",
        ),
        _range_check("sets"),
        _range_check("reps"),
        _range_check("hold_seconds"),
        _range_check("minutes"),
        CheckConstraint("times_per_day BETWEEN 1 AND 12", name="times_per_day_range"),
        CheckConstraint(f"weekdays BETWEEN 1 AND {ALL_WEEKDAYS}", name="weekdays_range"),
        CheckConstraint(f"times_of_day BETWEEN 0 AND {ALL_TIMES}", name="times_of_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: Which catalogue card (see care/catalogue.py).
    exercise_slug: Mapped[str] = mapped_column(String(64))
    sets: Mapped[int | None] = mapped_column(Integer)
    #: Repetitions per set (per side where the card works one side at a time).
    reps: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    #: Duration of one session, e.g. a cold pack.
    minutes: Mapped[int | None] = mapped_column(Integer)
    times_per_day: Mapped[int] = mapped_column(Integer, default=1)
    #: Bit 0 = Monday ... bit 6 = Sunday.
    weekdays: Mapped[int] = mapped_column(Integer, default=ALL_WEEKDAYS)
    #: Bits follow TIMES_OF_DAY.
    times_of_day: Mapped[int] = mapped_column(Integer, default=0)
    needs_helper: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The therapist's own words for this patient, if any.
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[User] = relationship()

    @property
    def exercise(self):
        return get_exercise(self.exercise_slug)

    @property
    def weekday_names(self) -> list[str]:
        return bits_to_list(self.weekdays, WEEKDAYS)

    @property
    def time_names(self) -> list[str]:
        return bits_to_list(self.times_of_day, [label for _, label in TIMES_OF_DAY])


class Medication(db.Model):
    """A medication the patient takes at home, as prescribed."""

    __tablename__ = "medication"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint(f"times_of_day BETWEEN 0 AND {ALL_TIMES}", name="times_of_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: As written on the label, e.g. "400 mg" or "1 tablet".
    dose: Mapped[str] = mapped_column(String(100))
    instructions: Mapped[str | None] = mapped_column(Text)
    times_of_day: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def time_names(self) -> list[str]:
        return bits_to_list(self.times_of_day, [label for _, label in TIMES_OF_DAY])


class Precaution(db.Model):
    """An activity the patient should avoid while recovering, with a tip for helpers."""

    __tablename__ = "precaution"
    __table_args__ = (
        CheckConstraint("length(activity) BETWEEN 1 AND 200", name="activity_length"),
        UniqueConstraint("patient_id", "builtin_key", name="uq_precaution_patient_builtin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    activity: Mapped[str] = mapped_column(String(200))
    #: What a helper should do instead, e.g. "use the lift".
    tip: Mapped[str | None] = mapped_column(Text)
    #: Set for the built-in ones from the seed, None for the patient's own.
    builtin_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
