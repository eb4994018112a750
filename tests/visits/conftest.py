"""A booked visit that is about to start, with tasks and a medication due."""

from datetime import timedelta

import pytest

from webapp.care.models import Medication, RoutineItem
from webapp.database import utcnow
from webapp.extensions import db
from webapp.scheduling.models import Visit

ALL_DAY = ["morning", "midday", "afternoon", "evening", "bedtime"]


@pytest.fixture(autouse=True)
def _in_the_morning(daytime):
    """Every visit test runs at 09:00 New York time, before anyone logs in, so the visit that
    starts in 10 minutes has its morning dose due whenever the suite runs."""


@pytest.fixture
def visit_setup(
    app, patient, patient_client, verified_aide, verified_aide_client, post_request, store
):
    """Rosa's Thomas stretch, runner's lunge and straight-leg raise with Ibuprofen due, booked
    by Vera; the visit starts in 10 minutes and lasts an hour."""
    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ALL_DAY},
    )
    request = post_request(
        patient, tasks=("thomas-stretch", "runners-lunge", "straight-leg-raise"), medications=True
    )
    visit = store.one(Visit, request_id=request.id)
    assert verified_aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    move_visit(app, visit.id, minutes_from_now=10)
    items = {item.exercise_slug: item for item in store.all(RoutineItem, patient_id=patient.id)}
    medication = store.one(Medication, patient_id=patient.id)
    return {"visit": store.one(Visit, id=visit.id), "items": items, "medication": medication}


def move_visit(app, visit_id, minutes_from_now, length_minutes=60):
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        visit.starts_at = utcnow() + timedelta(minutes=minutes_from_now)
        visit.ends_at = visit.starts_at + timedelta(minutes=length_minutes)
        db.session.commit()


def log_form(setup, **changes):
    items, medication = setup["items"], setup["medication"]
    thomas, lunge, raise_ = (
        items["thomas-stretch"].id,
        items["runners-lunge"].id,
        items["straight-leg-raise"].id,
    )
    data = {
        "pain_before": "4",
        "pain_after": "2",
        f"task_{thomas}_status": "done",
        f"task_{thomas}_sets": "3",
        f"task_{lunge}_status": "skipped",
        f"task_{lunge}_reason": "no_equipment",
        f"task_{lunge}_note": "No cushion for the knee today.",
        f"task_{raise_}_status": "done",
        f"medication_{medication.id}_outcome": "given",
        f"medication_{medication.id}_given_at": "09:20",
        "notes": "Good session. Rosa walked to the kitchen with the frame.",
        "save": "Save",
    }
    data.update(changes)
    return data
