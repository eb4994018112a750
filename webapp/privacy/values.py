"""How the export writes values: moments in UTC, money in cents, other people by name only."""

from datetime import UTC, date, datetime, time

from webapp.auth.models import User
from webapp.care.catalogue import get_exercise


def iso(moment: datetime | date | time | None) -> str | None:
    """ISO 8601; datetimes in UTC with a Z."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(moment, time):
        return moment.isoformat(timespec="minutes")
    return moment.isoformat()


def money(cents: int, currency: str) -> dict:
    """Integer cents with the currency code."""
    return {"amount_cents": cents, "currency": currency}


def first_name(person: User | None) -> str | None:
    """What an aide knows to call a patient by; nothing for a deleted account."""
    if person is None or person.deleted_at is not None:
        return None
    parts = person.display_name.split()
    return parts[0] if parts else None


def name(person: User | None) -> str | None:
    """The display name of the other person on a record."""
    return person.display_name if person is not None else None


def exercise_name(slug: str) -> str:
    """The catalogue name of an exercise card."""
    exercise = get_exercise(slug)
    return exercise.name if exercise else slug
