"""Rosa's routine and medications, her circle (a coordinator and a viewer), and a home-session
form filled in the way the page would send it."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from webapp.care.models import Medication, RoutineItem
from webapp.circle.models import CircleMember
from webapp.database import utcnow
from webapp.extensions import db

ALL_DAY = ["morning", "midday", "afternoon", "evening", "bedtime"]


@pytest.fixture
def routine(app, patient, patient_client, store):
    """Thomas stretch and cold pack; Ibuprofen due all day, Vitamin D in the morning only."""
    from webapp.care import services as care

    with app.app_context():
        owner = db.session.get(type(patient), patient.id)
        for slug in ("thomas-stretch", "cold-pack"):
            care.add_exercise(owner, slug)
        db.session.commit()
    for name, times in (("Ibuprofen", ALL_DAY), ("Vitamin D", ["morning"])):
        response = patient_client.post(
            f"/patients/{patient.id}/medications",
            data={"name": name, "dose": "400 mg", "times_of_day": times},
        )
        assert response.status_code == 302, response.text
    items = {item.exercise_slug: item for item in store.all(RoutineItem, patient_id=patient.id)}
    medications = {m.name: m for m in store.all(Medication, patient_id=patient.id)}
    return {"items": items, "medications": medications}


def join_circle(app, patient, member, role):
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role=role))
        db.session.commit()


def leave_circle(app, patient, member):
    with app.app_context():
        db.session.execute(
            delete(CircleMember).where(
                CircleMember.patient_id == patient.id, CircleMember.member_id == member.id
            )
        )
        db.session.commit()


@pytest.fixture
def coordinator(app, patient, make_user):
    member = make_user("family", name="Daniel Coordinator", timezone="America/Los_Angeles")
    join_circle(app, patient, member, "coordinator")
    return member


@pytest.fixture
def coordinator_client(app, coordinator, login):
    return login(app.test_client(), coordinator)


@pytest.fixture
def viewer_client(app, patient, make_user, login):
    member = make_user("family", name="Vic Viewer")
    join_circle(app, patient, member, "viewer")
    return login(app.test_client(), member)


@pytest.fixture
def outsider_client(app, make_user, login):
    return login(app.test_client(), make_user("family", name="Otto Outsider"))


def local_stamp(ago=timedelta(hours=1), zone="America/New_York"):
    """(date, time) strings of a moment some time ago, on the clock at the patient's home."""
    moment = (utcnow() - ago).astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M")


def session_form(routine, *, part="evening", ago=timedelta(hours=1), **changes):
    """A filled-in form: Thomas stretch done, cold pack skipped for pain, Ibuprofen given."""
    thomas = routine["items"]["thomas-stretch"].id
    cold = routine["items"]["cold-pack"].id
    ibuprofen = routine["medications"]["Ibuprofen"].id
    day, clock = local_stamp(ago)
    data = {
        "part_of_day": part,
        "done_on": day,
        "done_time": clock,
        "pain_before": "4",
        "pain_after": "3",
        f"task_{thomas}_status": "done",
        f"task_{cold}_status": "skipped",
        f"task_{cold}_reason": "pain",
        f"task_{cold}_note": "Too sore to lie on the pack.",
        f"medication_{ibuprofen}_outcome": "given",
        f"medication_{ibuprofen}_given_at": clock,
        "notes": "Went well apart from the cold pack.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
