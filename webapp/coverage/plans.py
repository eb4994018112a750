"""What a patient's care windows are made of (parts of the day, helper exercises, due
medications), read for many patients in one statement, and the windows they give."""

from dataclasses import dataclass
from datetime import date, time
from functools import cache

from sqlalchemy import (
    Integer,
    String,
    Time,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from webapp.auth.models import User
from webapp.care.catalogue import get_exercise
from webapp.care.models import Medication, RoutineItem
from webapp.coverage.models import DayPart
from webapp.coverage.windows import CareWindow, PartTimes, expand_windows, part_times
from webapp.database import read_columns
from webapp.extensions import db


@dataclass(frozen=True)
class Plan:
    """What the windows of a patient are made of: part times, helper items, medications."""

    times: dict[str, PartTimes]
    items: list
    medications: list


@dataclass(frozen=True)
class _HelperItem:
    """A routine exercise marked "needs a helper": what care windows read of it."""

    id: int
    exercise_slug: str
    weekdays: int
    times_of_day: int
    needs_helper: bool = True

    @property
    def exercise(self):
        return get_exercise(self.exercise_slug)


@dataclass(frozen=True)
class _DueMedication:
    """A medication: when in the day a dose is due is all a care window needs."""

    id: int
    times_of_day: int


@dataclass(frozen=True)
class _PartRow:
    part: str
    starts_at: time
    ends_at: time


#: The kinds of rows a plan is read as.
PLAN_KINDS = ("part", "item", "medication")


def _plan_columns(*columns):
    """A plan row's columns as the plans' own statement lays them out."""
    return columns


def plan_selects(patient_ids, layout=_plan_columns):
    """The SELECTs of the patients' plans for a UNION ALL: their part times, helper items and
    medications. Each gives (patient_id, kind, id, name, starts_at, ends_at, weekdays,
    times_of_day), laid out by `layout` (a function of those eight columns) where a larger
    UNION ALL needs them elsewhere; what a kind lacks is a typed NULL."""

    def none(kind):
        return cast(null(), kind)

    parts = select(
        *layout(
            DayPart.patient_id,
            literal_column("'part'").label("kind"),
            DayPart.id,
            DayPart.part.label("name"),
            DayPart.starts_at,
            DayPart.ends_at,
            none(Integer).label("weekdays"),
            none(Integer).label("times_of_day"),
        )
    ).where(DayPart.patient_id.in_(patient_ids))
    items = select(
        *layout(
            RoutineItem.patient_id,
            literal_column("'item'"),
            RoutineItem.id,
            RoutineItem.exercise_slug,
            none(Time),
            none(Time),
            RoutineItem.weekdays,
            RoutineItem.times_of_day,
        )
    ).where(RoutineItem.patient_id.in_(patient_ids), RoutineItem.needs_helper.is_(True))
    medications = select(
        *layout(
            Medication.patient_id,
            literal_column("'medication'"),
            Medication.id,
            none(String),
            none(Time),
            none(Time),
            none(Integer),
            Medication.times_of_day,
        )
    ).where(Medication.patient_id.in_(patient_ids))
    return parts, items, medications


@cache
def _plans_statement():
    """Part times, helper items and medications of the patients `patient_ids`: built once."""
    return union_all(*plan_selects(bindparam("patient_ids", expanding=True)))


def plans_of(patient_ids: list[int]) -> dict[int, Plan]:
    """One query for every patient's part times, helper items and medications (UNION ALL)."""
    statement = _plans_statement()
    return plans_from_rows(
        patient_ids, read_columns(db.session, statement, {"patient_ids": list(patient_ids)})
    )


def plans_from_rows(patient_ids: list[int], rows) -> dict[int, Plan]:
    """Each patient's plan from rows of (patient_id, kind, id, name, starts_at, ends_at,
    weekdays, times_of_day), as plan_selects reads them."""
    found: dict[int, dict[str, list]] = {
        patient_id: {"part": [], "item": [], "medication": []} for patient_id in patient_ids
    }
    for patient_id, kind, row_id, name, starts_at, ends_at, weekdays, times_of_day in rows:
        if kind == "part":
            found[patient_id]["part"].append(_PartRow(name, starts_at, ends_at))
        elif kind == "item":
            found[patient_id]["item"].append(_HelperItem(row_id, name, weekdays, times_of_day))
        else:
            found[patient_id]["medication"].append(_DueMedication(row_id, times_of_day))
    return {
        patient_id: Plan(
            part_times(kinds["part"]),
            sorted(kinds["item"], key=lambda item: item.id),
            sorted(kinds["medication"], key=lambda medication: medication.id),
        )
        for patient_id, kinds in found.items()
    }


def plan_of(patient: User) -> Plan:
    """The patient's part times, helper items and medications (one query)."""
    return plans_of([patient.id])[patient.id]


def windows_of(
    patient: User,
    plan: Plan,
    first_day: date,
    days: int,
    sparse_before: date | None = None,
    keep_days: frozenset[date] = frozenset(),
) -> list[CareWindow]:
    """The patient's care windows (see expand_windows: days before `sparse_before` only when
    in `keep_days`)."""
    return expand_windows(
        patient_id=patient.id,
        timezone=patient.timezone,
        first_day=first_day,
        days=days,
        times=plan.times,
        items=plan.items,
        medications=plan.medications,
        sparse_before=sparse_before,
        keep_days=keep_days,
    )
