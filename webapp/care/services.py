"""Care-plan rules: building and editing a patient's routine, medications and precautions."""

from typing import NamedTuple

from sqlalchemy import and_, bindparam, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.care.catalogue import BY_SLUG, DEFAULT_PRECAUTIONS
from webapp.care.models import (
    ALL_WEEKDAYS,
    TIMES_OF_DAY,
    WEEKDAYS,
    Medication,
    Precaution,
    RoutineItem,
    list_to_bits,
)
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.extensions import db

TIME_KEYS = [key for key, _ in TIMES_OF_DAY]
_BUILTIN = {key: (activity, tip) for key, activity, tip in DEFAULT_PRECAUTIONS}


def start_care_plan(patient: User) -> None:
    """Give a new patient the seed's five activities to avoid, ready to edit."""
    for key, activity, tip in DEFAULT_PRECAUTIONS:
        db.session.add(
            Precaution(patient_id=patient.id, activity=activity, tip=tip, builtin_key=key)
        )
    db.session.flush()


#: A patient's routine and medications, for the pages that need only one of them: built once,
#: the patient's id bound on each call (pages that show the whole plan read care_plan()).
_ROUTINE = select(RoutineItem).where(RoutineItem.patient_id == bindparam("patient_id"))
_MEDICATIONS = (
    select(Medication)
    .where(Medication.patient_id == bindparam("patient_id"))
    .order_by(Medication.name, Medication.id)
)
#: Where each catalogue exercise comes in the catalogue's order.
_CATALOGUE_ORDER = {slug: index for index, slug in enumerate(BY_SLUG)}
#: The whole care plan in one statement: three numbered rows, each outer-joined to one of
#: the lists, give one row per exercise, medication and activity to avoid (or one empty row
#: for an empty list), each row holding one record and two Nones.
#: (The visit page reads its part of the plan the same way: visits/visit_log.py.)
PLAN_PARTS = union_all(
    *(select(literal_column(str(part)).label("part")) for part in (1, 2, 3))
).subquery("plan_part")


def with_medications_and_precautions(query, patient_id=None):
    """A query over PLAN_PARTS with its parts 2 and 3: the medications and activities to avoid
    of the patient `patient_id` (a column of the query; by default bound as :patient_id)."""
    if patient_id is None:
        patient_id = bindparam("patient_id")
    return query.outerjoin(
        Medication, and_(PLAN_PARTS.c.part == 2, Medication.patient_id == patient_id)
    ).outerjoin(Precaution, and_(PLAN_PARTS.c.part == 3, Precaution.patient_id == patient_id))


def split_plan(rows) -> tuple[list, list, list]:
    """Rows of (exercise, medication, activity to avoid), each holding one record and two
    Nones (or three Nones for an empty list), as three lists in the rows' order."""
    items, medications, precautions = [], [], []
    for item, medication, precaution in rows:
        if item is not None:
            items.append(item)
        elif medication is not None:
            medications.append(medication)
        elif precaution is not None:
            precautions.append(precaution)
    return items, medications, precautions


_PLAN = with_medications_and_precautions(
    select(RoutineItem, Medication, Precaution)
    .select_from(PLAN_PARTS)
    .outerjoin(
        RoutineItem,
        and_(PLAN_PARTS.c.part == 1, RoutineItem.patient_id == bindparam("patient_id")),
    )
).order_by(PLAN_PARTS.c.part, Medication.name, Medication.id, Precaution.id)


class CarePlan(NamedTuple):
    """A patient's exercises (in the catalogue's order), medications (by name) and activities
    to avoid (in the order they were added)."""

    items: list[RoutineItem]
    medications: list[Medication]
    precautions: list[Precaution]


def care_plan(patient: User) -> CarePlan:
    """The patient's whole care plan, read in one statement (pages that show all three lists
    would otherwise run three)."""
    rows = db.session.execute(_PLAN, {"patient_id": patient.id})
    items, medications, precautions = split_plan(rows)
    items.sort(key=lambda item: _CATALOGUE_ORDER[item.exercise_slug])
    return CarePlan(items, medications, precautions)


def routine_items(patient: User) -> list[RoutineItem]:
    """The patient's exercises, in the catalogue's order."""
    items = db.session.scalars(_ROUTINE, {"patient_id": patient.id})
    return sorted(items, key=lambda item: _CATALOGUE_ORDER[item.exercise_slug])


def medications(patient: User) -> list[Medication]:
    """The patient's medications, by name."""
    return list(db.session.scalars(_MEDICATIONS, {"patient_id": patient.id}))


def _owned(model, patient: User, record_id: int, what: str):
    record = db.session.get(model, record_id)
    if record is None or record.patient_id != patient.id:
        raise NotFound(f"We could not find that {what}.")
    return record


def get_routine_item(patient: User, item_id: int) -> RoutineItem:
    """One of the patient's routine items, or NotFound."""
    return _owned(RoutineItem, patient, item_id, "exercise")


def get_medication(patient: User, medication_id: int) -> Medication:
    """One of the patient's medications, or NotFound."""
    return _owned(Medication, patient, medication_id, "medication")


def get_precaution(patient: User, precaution_id: int) -> Precaution:
    """One of the patient's activities to avoid, or NotFound."""
    return _owned(Precaution, patient, precaution_id, "activity")


def add_exercise(patient: User, slug: str) -> RoutineItem:
    """Add a catalogue exercise with its default dose; the patient then sets their own."""
    exercise = BY_SLUG.get(slug)
    if exercise is None:
        raise InvalidInput("That exercise is not in the catalogue.")
    existing = db.session.scalar(
        select(RoutineItem).where(
            RoutineItem.patient_id == patient.id, RoutineItem.exercise_slug == slug
        )
    )
    if existing is not None:
        raise Conflict(f"{exercise.name} is already in your routine.")
    dose = exercise.default
    item = RoutineItem(
        patient_id=patient.id,
        exercise_slug=slug,
        sets=dose.sets,
        reps=dose.reps,
        hold_seconds=dose.hold_seconds,
        minutes=dose.minutes,
        times_per_day=dose.times_per_day,
        weekdays=ALL_WEEKDAYS,
        times_of_day=0,
        needs_helper=False,
    )
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same exercise added twice at the same moment
        raise Conflict(f"{exercise.name} is already in your routine.") from error
    return item


def update_routine_item(
    item: RoutineItem,
    *,
    sets: int | None,
    reps: int | None,
    hold_seconds: int | None,
    minutes: int | None,
    times_per_day: int,
    weekdays: list[str],
    times_of_day: list[str],
    needs_helper: bool,
    notes: str | None,
) -> RoutineItem:
    """Set the therapist's numbers and schedule for one exercise."""
    if not any((sets, reps, hold_seconds, minutes)):
        raise InvalidInput("Enter at least one of sets, repetitions, hold or minutes.")
    day_bits = list_to_bits(weekdays, list(WEEKDAYS))
    if not day_bits:
        raise InvalidInput("Pick at least one day.")
    item.sets, item.reps, item.hold_seconds, item.minutes = sets, reps, hold_seconds, minutes
    item.times_per_day = times_per_day
    item.weekdays = day_bits
    item.times_of_day = list_to_bits(times_of_day, TIME_KEYS)
    item.needs_helper = needs_helper
    item.notes = notes
    db.session.flush()
    return item


def remove_routine_item(item: RoutineItem) -> None:
    """Take an exercise out of the routine."""
    db.session.delete(item)
    db.session.flush()


def save_medication(
    patient: User,
    *,
    name: str,
    dose: str,
    instructions: str | None,
    times_of_day: list[str],
    medication: Medication | None = None,
) -> Medication:
    """Add a medication, or change one the patient already has."""
    if medication is None:
        medication = Medication(patient_id=patient.id)
        db.session.add(medication)
    medication.name = name
    medication.dose = dose
    medication.instructions = instructions
    medication.times_of_day = list_to_bits(times_of_day, TIME_KEYS)
    db.session.flush()
    return medication


def remove_medication(medication: Medication) -> None:
    """Take a medication off the list."""
    db.session.delete(medication)
    db.session.flush()


def save_precaution(
    patient: User, *, activity: str, tip: str | None, precaution: Precaution | None = None
) -> Precaution:
    """Add an activity to avoid, or change one."""
    duplicate = db.session.scalar(
        select(Precaution).where(
            Precaution.patient_id == patient.id,
            db.func.lower(Precaution.activity) == activity.lower(),
        )
    )
    if duplicate is not None and duplicate is not precaution:
        raise Conflict(f"“{activity}” is already on the list.")
    if precaution is None:
        precaution = Precaution(patient_id=patient.id)
        db.session.add(precaution)
    precaution.activity = activity
    precaution.tip = tip
    db.session.flush()
    return precaution


def restore_builtin_precaution(patient: User, key: str) -> Precaution:
    """Put one of the seed's five activities to avoid back on the list."""
    if key not in _BUILTIN:
        raise InvalidInput("That is not one of the standard activities to avoid.")
    existing = db.session.scalar(
        select(Precaution).where(Precaution.patient_id == patient.id, Precaution.builtin_key == key)
    )
    if existing is not None:
        return existing
    activity, tip = _BUILTIN[key]
    precaution = Precaution(patient_id=patient.id, activity=activity, tip=tip, builtin_key=key)
    try:
        with db.session.begin_nested():  # a double tap: the other tap already put it back
            db.session.add(precaution)
    except IntegrityError:
        return db.session.scalar(
            select(Precaution).where(
                Precaution.patient_id == patient.id, Precaution.builtin_key == key
            )
        )
    return precaution


def missing_builtin_precautions(current: list[Precaution]) -> list[tuple[str, str]]:
    """The seed's activities to avoid that are not on the list (key, activity)."""
    present = {precaution.builtin_key for precaution in current}
    return [(key, activity) for key, activity, _ in DEFAULT_PRECAUTIONS if key not in present]


def remove_precaution(precaution: Precaution) -> None:
    """Take an activity off the list."""
    db.session.delete(precaution)
    db.session.flush()
