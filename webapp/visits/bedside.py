"""What the aide sees at the bedside: the request's exercises, the medications due during the
visit (on the patient's local clock) and the activities to avoid, read with the visit."""

from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, select, true

from webapp.care.models import TIMES_OF_DAY, Medication, Precaution, RoutineItem
from webapp.care.services import PLAN_PARTS, split_plan, with_medications_and_precautions
from webapp.extensions import db
from webapp.marketplace.models import request_task
from webapp.scheduling.models import Visit
from webapp.visits.services import LoadedVisit, _visit_query

#: Local wall-clock hours of each time of day, to find medications due during a visit.
TIME_WINDOWS = {
    "morning": (time(5), time(11)),
    "midday": (time(11), time(14)),
    "afternoon": (time(14), time(17)),
    "evening": (time(17), time(21)),
    "bedtime": (time(21), time(23, 59, 59)),
}
TIME_KEYS = [key for key, _ in TIMES_OF_DAY]
#: The patient's medications by name (built once; the patient's id is bound).
_MEDICATIONS = (
    select(Medication)
    .where(Medication.patient_id == bindparam("patient_id"))
    .order_by(Medication.name, Medication.id)
)


class Bedside(NamedTuple):
    """What the visit page shows of the care plan: the request's exercises, the medications due
    during the visit and the activities to avoid."""

    tasks: list[RoutineItem]
    medications: list[Medication]
    precautions: list[Precaution]


#: The tasks, medications and activities to avoid as split_plan gives them.
PlanRows = tuple[list, list, list]


@cache
def _visit_at_bedside():
    """load_visit's statement (with the home) and the visit's part of the care plan, as
    care.services reads a whole plan: each row holds the visit's records and one of the
    plan's (a task of the request, a medication or an activity to avoid), or Nones."""
    query = (
        _visit_query(home=True, review=False)
        .add_columns(RoutineItem, Medication, Precaution)
        .join(PLAN_PARTS, true())
        .outerjoin(
            request_task,
            and_(PLAN_PARTS.c.part == 1, request_task.c.request_id == Visit.request_id),
        )
        .outerjoin(RoutineItem, RoutineItem.id == request_task.c.routine_item_id)
    )
    return with_medications_and_precautions(query, patient_id=Visit.patient_id).order_by(
        PLAN_PARTS.c.part,
        request_task.c.routine_item_id,
        Medication.name,
        Medication.id,
        Precaution.id,
    )


def load(visit_id: int) -> tuple[LoadedVisit, PlanRows] | None:
    """What the visit page reads: the visit as services.load_visit(home=True) reads it, and
    its part of the care plan for shown(), in one statement; None when there is no such
    visit. Nothing here is shown before the access check (policy.visit_for) passes."""
    rows = db.session.execute(_visit_at_bedside(), {"visit_id": visit_id}).all()
    if not rows:
        return None
    visit, report, payment, home = rows[0][:4]
    return LoadedVisit(visit, report, payment, home=home), split_plan(row[4:] for row in rows)


def shown(visit: Visit, plan: PlanRows) -> Bedside:
    """The visit's tasks, the medications due during it and the patient's activities to avoid,
    from the plan load() read with the visit."""
    tasks, medications, precautions = plan
    return Bedside(tasks, _due(visit, medications), precautions)


def due_medications(visit: Visit) -> list[Medication]:
    """The patient's medications due during the visit window, if the request includes them."""
    if not visit.request.includes_medications:
        return []
    return _due(visit, db.session.scalars(_MEDICATIONS, {"patient_id": visit.patient_id}))


def _due(visit: Visit, medications) -> list[Medication]:
    """Those of the medications due during the visit window, if the request includes them.

    The window is compared on the patient's local calendar, day by day, so a visit from 23:30
    to 00:30 still finds the bedtime dose."""
    if not visit.request.includes_medications:
        return []
    zone = ZoneInfo(visit.request.timezone)
    start = visit.starts_at.astimezone(zone)
    end = visit.ends_at.astimezone(zone)
    days = [start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)]
    # The times of day (as bits of Medication.times_of_day) whose window the visit overlaps.
    due_times = sum(
        1 << index
        for index, key in enumerate(TIME_KEYS)
        if any(_overlaps(start, end, day, TIME_WINDOWS[key], zone) for day in days)
    )
    return [medication for medication in medications if medication.times_of_day & due_times]


def _overlaps(
    start: datetime, end: datetime, day: date, window: tuple[time, time], zone: ZoneInfo
) -> bool:
    low, high = (datetime.combine(day, part, tzinfo=zone) for part in window)
    return start < high and end > low
