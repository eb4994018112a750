"""Who hears about each event: the routes call these after the event's service succeeded."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from webapp.circle.services import members
from webapp.notifications import messages
from webapp.notifications.services import notify_all

if TYPE_CHECKING:
    from webapp.auth.models import User
    from webapp.scheduling.models import Visit


def _patient_side(patient: User) -> list[User]:
    """The patient and every coordinator of their circle (viewers are not emailed)."""
    coordinators = [m.member for m in members(patient) if m.role == "coordinator"]
    return [patient, *coordinators]


def visit_cancelled_by_aide(aide: User, visit: Visit, now: datetime) -> None:
    """An aide gave a visit back: tell the patient and their coordinators."""
    notify_all(_patient_side(visit.patient), messages.visit_cancelled_by_aide(aide, visit), now)


def visits_booked(aide: User, visits: list[Visit], now: datetime) -> None:
    """An aide booked a visit or a series: one message per booking, to the patient's side."""
    if visits:
        notify_all(_patient_side(visits[0].patient), messages.visits_booked(aide, visits), now)
