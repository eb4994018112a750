"""Rosa's record as the privacy tests need it: a completed visit with pain scores and a review,
a future visit Vera booked, an open one nobody has booked yet, and Dan in her care circle."""

import pytest
from sqlalchemy import func, select

from tests.visits import conftest as visits
from tests.visits.conftest import log_form, move_visit
from webapp.extensions import db
from webapp.scheduling.models import Visit

#: The booked visit about to start, from the visit tests.
visit_setup = visits.visit_setup


@pytest.fixture(autouse=True)
def _in_the_morning(daytime):
    """At 09:00 New York time, before anyone logs in: the visit about to start has its morning
    dose due whenever the suite runs."""


@pytest.fixture
def history(
    app, patient, patient_client, verified_aide, verified_aide_client, visit_setup, post_request,
    store,
):  # fmt: skip
    """Everything above; returns the visits by what they are."""
    completed = visit_setup["visit"]
    assert verified_aide_client.get(f"/visits/{completed.id}").status_code == 200  # audited
    verified_aide_client.post(f"/visits/{completed.id}/check-in", data={})
    move_visit(app, completed.id, minutes_from_now=-50)  # check-out waits for the start
    response = verified_aide_client.post(
        f"/visits/{completed.id}/log",
        data=log_form(visit_setup, save=None, save_and_check_out="Save and check out"),
    )
    assert response.status_code == 302
    response = patient_client.post(
        f"/visits/{completed.id}/review", data={"rating": "5", "comment": "Kind and careful."}
    )
    assert response.status_code == 302
    patient_client.get(response.headers["Location"])  # read the thank-you message
    booked_request = post_request(patient, days_ahead=9)
    booked = store.one(Visit, request_id=booked_request.id)
    assert verified_aide_client.post(f"/visits/{booked.id}/book", data={}).status_code == 302
    open_request = post_request(patient, days_ahead=12, tasks=("cold-pack",))
    still_open = store.one(Visit, request_id=open_request.id)
    return {
        "completed": store.one(Visit, id=completed.id),
        "booked": store.one(Visit, id=booked.id),
        "open": still_open,
    }


@pytest.fixture
def circle_member(app, patient, family):
    """Dan joins Rosa's care circle as a coordinator."""
    from webapp.auth.models import User
    from webapp.circle import services as circle
    from webapp.database import utcnow

    with app.app_context():
        rosa = db.session.get(User, patient.id)
        dan = db.session.get(User, family.id)
        _, token = circle.invite(rosa, email=family.email, role="coordinator", now=utcnow())
        circle.accept(token, dan, utcnow())
        db.session.commit()
    return family


def row_counts(app) -> dict[str, int]:
    """How many rows every table holds."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


__all__ = ["move_visit", "row_counts"]


@pytest.fixture
def family_side(app, patient, circle_member):
    """Dan logged one of Rosa's home sessions (pain 3 -> 2), covers next Tuesday evening and
    covered one last week, and both subscribe to Rosa's calendar."""
    from datetime import time, timedelta

    from webapp.calendar.models import CalendarFeed
    from webapp.coverage.models import DayPart, FamilyCover
    from webapp.database import utcnow
    from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog

    now = utcnow()
    with app.app_context():
        session = HomeSession(
            patient_id=patient.id,
            recorded_by_id=circle_member.id,
            done_at=now - timedelta(days=1),
            part_of_day="morning",
            pain_before=3,
            pain_after=2,
            notes="Did it with Dan holding the band.",
            tasks=[HomeTaskLog(exercise_slug="thomas-stretch", status="done")],
            medications=[
                HomeMedicationLog(
                    name="Ibuprofen",
                    dose="400 mg",
                    outcome="given",
                    given_at=now - timedelta(days=1),
                )
            ],
        )
        db.session.add(session)
        db.session.add(
            DayPart(patient_id=patient.id, part="evening", starts_at=time(18), ends_at=time(20))
        )
        ahead = FamilyCover(
            patient_id=patient.id,
            member_id=circle_member.id,
            part_of_day="evening",
            window_starts_at=now + timedelta(days=5),
            window_ends_at=now + timedelta(days=5, hours=2),
        )
        past = FamilyCover(
            patient_id=patient.id,
            member_id=circle_member.id,
            part_of_day="evening",
            window_starts_at=now - timedelta(days=5),
            window_ends_at=now - timedelta(days=5, hours=-2),
        )
        feeds = [
            CalendarFeed(owner_id=owner, patient_id=patient.id, token_hash=f"{owner:064x}")
            for owner in (patient.id, circle_member.id)
        ]
        db.session.add_all([ahead, past, *feeds])
        db.session.commit()
        return {"session": session.id, "ahead": ahead.id, "past": past.id}
