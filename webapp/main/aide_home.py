"""What an aide's dashboard lists: their next visits, read in two queries (the visits with
their requests and patients, then the requests' tasks) by a statement built once."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import Visit

#: Visits the dashboard lists, soonest first.
UPCOMING = 5

_UPCOMING = (
    select(Visit)
    .where(
        Visit.aide_id == bindparam("aide_id"),
        Visit.status.in_(("booked", "checked_in")),
        Visit.ends_at > bindparam("now"),
    )
    .options(
        joinedload(Visit.request).selectinload(AssistanceRequest.tasks),
        joinedload(Visit.patient),
    )
    .order_by(Visit.starts_at)
    .limit(UPCOMING)
)


def upcoming(aide: User, now: datetime) -> list[Visit]:
    """The aide's next booked or running visits, soonest first."""
    return list(db.session.scalars(_UPCOMING, {"aide_id": aide.id, "now": now}))
