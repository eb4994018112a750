"""What an aide's dashboard lists: their next visits, read in two queries (the visits with what
the list shows of their requests and patients, then the requests' tasks), plain columns by
statements built once."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from webapp.auth.models import User
from webapp.care.models import RoutineItem
from webapp.extensions import db
from webapp.main.patient_home import ShownRequest
from webapp.marketplace.models import AssistanceRequest, request_task
from webapp.scheduling.models import Visit

#: Visits the dashboard lists, soonest first.
UPCOMING = 5


@dataclass(frozen=True, slots=True)
class AideVisitShown:
    """One of the aide's next visits as the dashboard lists it."""

    id: int
    starts_at: datetime
    ends_at: datetime
    patient_name: str
    request: ShownRequest


_UPCOMING = (
    select(
        Visit.id,
        Visit.starts_at,
        Visit.ends_at,
        User.display_name,
        Visit.request_id,
        AssistanceRequest.timezone,
        AssistanceRequest.includes_medications,
    )
    .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
    .join(User, User.id == Visit.patient_id)
    .where(
        Visit.aide_id == bindparam("aide_id"),
        Visit.status.in_(("booked", "checked_in")),
        Visit.ends_at > bindparam("now"),
    )
    .order_by(Visit.starts_at)
    .limit(UPCOMING)
)
#: The tasks (rows with an exercise_slug) of some requests, in the order they were added.
_TASKS = (
    select(request_task.c.request_id, RoutineItem.exercise_slug)
    .select_from(request_task)
    .join(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
    .where(request_task.c.request_id.in_(bindparam("request_ids", expanding=True)))
    .order_by(RoutineItem.id)
)


def upcoming(aide: User, now: datetime) -> list[AideVisitShown]:
    """The aide's next booked or running visits, soonest first."""
    rows = db.session.execute(_UPCOMING, {"aide_id": aide.id, "now": now}).all()
    if not rows:
        return []
    tasks: dict[int, list] = {row.request_id: [] for row in rows}
    for task in db.session.execute(_TASKS, {"request_ids": list(tasks)}):
        tasks[task.request_id].append(task)
    return [
        AideVisitShown(
            visit_id,
            starts_at,
            ends_at,
            patient_name,
            ShownRequest(timezone, includes_medications, tasks[request_id]),
        )
        for (
            visit_id,
            starts_at,
            ends_at,
            patient_name,
            request_id,
            timezone,
            includes_medications,
        ) in rows
    ]
