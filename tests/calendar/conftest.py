"""Fixtures for the calendar: circles, booked visits and family covers, set up as stored rows."""

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import (  # noqa: F401  (the browser harness, for test_browser.py)
    axe_check,
    browser_context_args,
    browser_type_launch_args,
    live_server,
    screen,
)
from webapp.circle.models import CircleMember
from webapp.coverage.models import FamilyCover
from webapp.database import utcnow
from webapp.extensions import db
from webapp.scheduling.models import Visit


@pytest.fixture
def join_circle(app):
    """join_circle(patient, member, role="coordinator"): the member is in the patient's circle."""

    def join(patient, member, role="coordinator"):
        with app.app_context():
            db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role=role))
            db.session.commit()

    return join


@pytest.fixture
def visits_of(app):
    """visits_of(request) -> the request's visit ids in time order."""

    def ids(request):
        with app.app_context():
            return list(
                db.session.scalars(
                    db.select(Visit.id)
                    .where(Visit.request_id == request.id)
                    .order_by(Visit.starts_at)
                )
            )

    return ids


@pytest.fixture
def book(app):
    """book(visit_id, aide, status="booked", ago=timedelta(0)): the aide holds the visit,
    booked that long ago (so a later change is a later second)."""

    def hold(visit_id, aide, status="booked", ago=timedelta(0)):
        with app.app_context():
            visit = db.session.get(Visit, visit_id)
            visit.aide_id, visit.status = aide.id, status
            visit.booked_at = visit.updated_at = utcnow() - ago
            db.session.commit()

    return hold


@pytest.fixture
def cover(app):
    """cover(patient, member, starts_at, hours=1, part="morning", released=False) -> cover id."""

    def make(patient, member, starts_at, hours=1, part="morning", released=False):
        with app.app_context():
            row = FamilyCover(
                patient_id=patient.id,
                member_id=member.id,
                part_of_day=part,
                window_starts_at=starts_at,
                window_ends_at=starts_at + timedelta(hours=hours),
                released_at=utcnow() if released else None,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    return make


@pytest.fixture
def make_feed():
    """make_feed(client, calendar="patient-<id>" or "visits") -> the feed path, shown once."""

    def make(client, calendar):
        response = client.post("/calendar/feeds", data={"calendar": calendar})
        assert response.status_code == 201, response.get_data(as_text=True)
        match = re.search(r'value="http://localhost(/calendar/feed/[^"]+\.ics)"', response.text)
        assert match, "the feed link is shown once after making it"
        return match.group(1)

    return make


@pytest.fixture
def helper_routine(app):
    """helper_routine(patient): the Thomas stretch needs a helper every morning, with
    Naproxen 250 mg due then too; so every morning is a care window."""
    from webapp.care import services as care
    from webapp.care.models import Medication

    def make(patient):
        with app.app_context():
            owner = db.session.get(type(patient), patient.id)
            item = care.add_exercise(owner, "thomas-stretch")
            item.needs_helper, item.times_of_day = True, 0b00001
            db.session.add(
                Medication(patient_id=patient.id, name="Naproxen", dose="250 mg", times_of_day=1)
            )
            db.session.commit()

    return make


#: Health words no calendar entry may carry: exercise and medication names.
HEALTH_WORDS = ("Thomas stretch", "Naproxen", "250 mg", "Cold pack", "stretch", "medication")


def same_page(response) -> bytes:
    """The response body without the per-request CSRF tokens (they carry the second they were
    made, so two pages a second apart differ there), to compare two pages."""
    body = re.sub(rb'<meta name="csrf-token" content="[^"]*">', b"", response.get_data())
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token"', body)
