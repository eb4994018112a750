"""Aide profiles, patients' homes, assistance requests and reviews."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.auth.models import User
from webapp.care.models import RoutineItem
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

#: The fixed list of things an aide can help with (value, label). Bit i = SKILLS[i].
SKILLS = (
    ("stretching", "Stretching assistance"),
    ("strengthening", "Strengthening exercise support"),
    ("medication", "Medication reminders"),
    ("cold_therapy", "Cold therapy"),
    ("self_massage", "Self-massage support"),
    ("mobility", "Mobility help (transfers, walking aids)"),
)
SKILL_KEYS = tuple(key for key, _ in SKILLS)
SKILL_LABELS = dict(SKILLS)
ALL_SKILLS = (1 << len(SKILLS)) - 1
#: Which skill a catalogue category needs.
CATEGORY_SKILL = {
    "stretch": "stretching",
    "strengthening": "strengthening",
    "cold_therapy": "cold_therapy",
    "self_massage": "self_massage",
}
CURRENCIES = ("USD", "CAD", "EUR", "GBP", "AUD")
#: Hourly rates, in cents: at least 1.00 and at most 500.00.
MIN_RATE_CENTS, MAX_RATE_CENTS = 100, 50_000


def skill_bit(key: str) -> int:
    return 1 << SKILL_KEYS.index(key)


class AideProfile(db.Model):
    """What a care aide offers, and whether an admin has vetted them."""

    __tablename__ = "aide_profile"
    __table_args__ = (
        CheckConstraint(f"skills BETWEEN 0 AND {ALL_SKILLS}", name="skills_known"),
        CheckConstraint(
            f"hourly_rate_cents BETWEEN {MIN_RATE_CENTS} AND {MAX_RATE_CENTS}", name="rate_range"
        ),
        CheckConstraint(
            "currency IN (" + ", ".join(f"'{c}'" for c in CURRENCIES) + ")", name="currency_known"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str | None] = mapped_column(Text)
    #: Bit mask over SKILLS.
    skills: Mapped[int] = mapped_column(Integer, default=0)
    hourly_rate_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: Postal codes or towns the aide travels to, comma-separated, as the aide wrote them.
    service_area: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[str] = mapped_column(String(200), default="English")
    #: Set by an admin once the background check is done; None means not verified.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    verification_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: Counters kept with the profile so the directory never adds up history on a view:
    #: the sum and number of review stars, visits completed, booked visits nobody checked in
    #: to, and the aide's own cancellations within LATE_CANCEL_HOURS. Each moves in the
    #: transaction that lands the review or visit (webapp.marketplace.aide_stats).
    rating_stars: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completed_visits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    missed_visits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    late_cancellations: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def skill_keys(self) -> list[str]:
        return [key for index, key in enumerate(SKILL_KEYS) if self.skills & (1 << index)]

    @property
    def skill_labels(self) -> list[str]:
        return [SKILL_LABELS[key] for key in self.skill_keys]


def area_key(text: str | None) -> str:
    """A town or postal code as the board matches it: lower case, single spaces, trimmed
    ("  Spring  Field " -> "spring field")."""
    return " ".join((text or "").lower().split())


def _area_key_of(column: str):
    """A column default computing the key from the row's own value (bulk inserts too)."""

    def default(context) -> str:
        return area_key(context.get_current_parameters().get(column))

    return default


class PatientHome(db.Model):
    """Where visits happen. Only an aide holding a visit sees the street address."""

    __tablename__ = "patient_home"
    __table_args__ = (
        #: The board's area filter matches these by equality or prefix.
        Index("ix_patient_home_town_key", "town_key"),
        Index("ix_patient_home_postal_key", "postal_key"),
    )

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    #: Door codes, parking, pets: shown with the address, to the booked aide only.
    access_notes: Mapped[str | None] = mapped_column(Text)
    #: area_key(city) and area_key(postal_code), kept in step by the validators below.
    town_key: Mapped[str] = mapped_column(String(100), default=_area_key_of("city"))
    postal_key: Mapped[str] = mapped_column(String(20), default=_area_key_of("postal_code"))

    @validates("city", "postal_code")
    def _keep_area_keys(self, name: str, value: str) -> str:
        if name == "city":
            self.town_key = area_key(value)
        else:
            self.postal_key = area_key(value)
        return value

    @property
    def area(self) -> str:
        """The part everyone may see: town and postal code."""
        return f"{self.city} {self.postal_code}".strip()


request_task = Table(
    "request_task",
    db.metadata,
    Column(
        "request_id",
        ForeignKey("assistance_request.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "routine_item_id",
        ForeignKey("routine_item.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class AssistanceRequest(db.Model):
    """A patient's call for help: which routine tasks, when (once or weekly), at what rate."""

    __tablename__ = "assistance_request"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="end_after_start"),
        CheckConstraint("repeat IN ('once', 'weekly')", name="repeat_known"),
        CheckConstraint("weekdays BETWEEN 0 AND 127", name="weekdays_range"),
        CheckConstraint(
            f"rate_cents BETWEEN {MIN_RATE_CENTS} AND {MAX_RATE_CENTS}", name="rate_range"
        ),
        CheckConstraint(
            "currency IN (" + ", ".join(f"'{c}'" for c in CURRENCIES) + ")", name="currency_known"
        ),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
        UniqueConstraint("patient_id", "submission_key", name="uq_request_patient_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The patient's zone when posted; the wall-clock times below are in it.
    timezone: Mapped[str] = mapped_column(String(64))
    first_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    repeat: Mapped[str] = mapped_column(String(8), default="once")
    #: For weekly requests: bit 0 = Monday ... bit 6 = Sunday.
    weekdays: Mapped[int] = mapped_column(Integer, default=0)
    until_date: Mapped[date | None] = mapped_column(Date)
    rate_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    includes_medications: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    #: Offered to this aide alone until offer_expires_at; then to every verified aide.
    offered_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: A random key the form carries, so a double tap or a replayed post makes one request.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    offered_to: Mapped[User | None] = relationship(foreign_keys=[offered_to_id])
    tasks: Mapped[list[RoutineItem]] = relationship(secondary=request_task)


class Review(db.Model):
    """A patient's rating of an aide after a completed visit; one per visit."""

    __tablename__ = "review"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    aide_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
