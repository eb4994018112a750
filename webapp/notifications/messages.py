"""The words of each notification, built from the event it reports (one place for all kinds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from webapp.timezones import to_local

if TYPE_CHECKING:
    from webapp.auth.models import User
    from webapp.scheduling.models import Visit


@dataclass(frozen=True)
class Message:
    """What to tell one person: a short title with no health details, the text, and a link."""

    kind: str
    title: str
    body: str
    link: str


def _when(visit: Visit) -> str:
    # The visit happens at the patient's home, so its time reads in the patient's zone.
    local = to_local(visit.starts_at, visit.request.timezone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local:%Z}"


def visit_cancelled_by_aide(aide: User, visit: Visit) -> Message:
    """An aide gave a booked visit back; it is open for other aides again."""
    return Message(
        kind="visit_cancelled",
        title="A visit was cancelled",
        body=f"{aide.display_name} cancelled the visit on {_when(visit)}; "
        "the slot is open again for other aides.",
        link=f"/requests/{visit.request_id}",
    )


def visits_booked(aide: User, visits: list[Visit]) -> Message:
    """An aide booked one visit, or a whole series (one message for the series)."""
    first = min(visits, key=lambda visit: visit.starts_at)
    if len(visits) == 1:
        body = f"{aide.display_name} booked the visit on {_when(first)}."
        title = "A visit was booked"
    else:
        body = (
            f"{aide.display_name} booked {len(visits)} visits of the series, "
            f"the first on {_when(first)}."
        )
        title = "A series of visits was booked"
    return Message(
        kind="visit_booked", title=title, body=body, link=f"/requests/{first.request_id}"
    )
