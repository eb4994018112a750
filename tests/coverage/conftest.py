"""Fixtures for coverage: a routine with helper exercises and medications, a care circle."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from webapp.care.models import ALL_WEEKDAYS, TIMES_OF_DAY, Medication, RoutineItem, list_to_bits
from webapp.circle.models import CircleMember
from webapp.coverage.models import DayPart
from webapp.extensions import db
from webapp.scheduling.models import Visit

PARTS = [key for key, _ in TIMES_OF_DAY]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def next_monday(weeks_ahead: int = 1) -> date:
    """A Monday safely in the future, so every window in its week is still to come."""
    today = date.today()
    return today + timedelta(days=7 - today.weekday() + 7 * (weeks_ahead - 1))


@pytest.fixture
def add_item(app):
    """add_item(patient, slug, parts=("morning",), days=None (every day), helper=True)."""

    def add(patient, slug, parts=("morning",), days=None, helper=True):
        with app.app_context():
            db.session.add(
                RoutineItem(
                    patient_id=patient.id,
                    exercise_slug=slug,
                    sets=2,
                    reps=10,
                    times_per_day=1,
                    weekdays=ALL_WEEKDAYS if days is None else list_to_bits(days, DAYS),
                    times_of_day=list_to_bits(parts, PARTS),
                    needs_helper=helper,
                )
            )
            db.session.commit()

    return add


@pytest.fixture
def add_medication(app):
    """add_medication(patient, name, parts=("evening",))."""

    def add(patient, name="Naproxen", parts=("evening",)):
        with app.app_context():
            db.session.add(
                Medication(
                    patient_id=patient.id,
                    name=name,
                    dose="250 mg",
                    times_of_day=list_to_bits(parts, PARTS),
                )
            )
            db.session.commit()

    return add


@pytest.fixture
def set_part(app):
    """set_part(patient, "morning", "07:00", "09:00"): a DayPart row."""

    def add(patient, part, start, end):
        with app.app_context():
            db.session.add(
                DayPart(
                    patient_id=patient.id,
                    part=part,
                    starts_at=time.fromisoformat(start),
                    ends_at=time.fromisoformat(end),
                )
            )
            db.session.commit()

    return add


@pytest.fixture
def join_circle(app):
    """join_circle(patient, member, role="coordinator")."""

    def join(patient, member, role="coordinator"):
        with app.app_context():
            db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role=role))
            db.session.commit()

    return join


@pytest.fixture
def coordinator(make_user, patient, join_circle):
    member = make_user("family", name="Dana Coordinator")
    join_circle(patient, member, "coordinator")
    return member


@pytest.fixture
def coordinator_client(app, coordinator, login):
    return login(app.test_client(), coordinator)


@pytest.fixture
def viewer(make_user, patient, join_circle):
    member = make_user("family", name="Vic Viewer")
    join_circle(patient, member, "viewer")
    return member


@pytest.fixture
def viewer_client(app, viewer, login):
    return login(app.test_client(), viewer)


@pytest.fixture
def aide_visit(app, post_request, store):
    """aide_visit(patient, aide, day, "08:30", "09:30", status="booked") -> the visit id."""

    def make(patient, aide, day, start, end, status="booked"):
        request = post_request(patient, first_date=day, start=start, end=end)
        visit = store.one(Visit, request_id=request.id)
        with app.app_context():
            record = db.session.get(Visit, visit.id)
            record.status, record.aide_id = status, aide.id
            record.booked_at = datetime.now(UTC)
            db.session.commit()
        return visit.id

    return make
