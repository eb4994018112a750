"""A patient posts a request for help with their routine, edits it and withdraws it."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import field_error
from webapp.care.models import RoutineItem
from webapp.marketplace.models import AssistanceRequest, PatientHome
from webapp.scheduling.models import Visit


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


@pytest.fixture
def routine(patient_client, patient, store):
    for slug in ("thomas-stretch", "runners-lunge", "cold-pack"):
        patient_client.post(f"/patients/{patient.id}/routine/items", data={"exercise": slug})
    return store.all(RoutineItem, patient_id=patient.id)


def form(routine, **changes):
    data = {
        "tasks": [str(routine[0].id), str(routine[1].id)],
        "includes_medications": "y",
        "first_date": next_weekday(0).isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "repeat": "weekly",
        "weekdays": ["0", "2", "4"],
        "ends": "count",
        "until_date": "",
        "count": "12",
        "rate": "28.50",
        "currency": "USD",
        "offered_to": "",
        "street": "12 Oak Lane",
        "city": "Springfield",
        "postal_code": "12345",
        "access_notes": "Key box 4321",
        "notes": "Morning meds are on the kitchen table.",
    }
    data.update(changes)
    return data


def test_patient_posts_mon_wed_fri_stretches_and_meds(patient_client, patient, routine, store):
    response = patient_client.post("/requests/new", data=form(routine))
    assert response.status_code == 302, response.get_data(as_text=True)
    posted = store.one(AssistanceRequest, patient_id=patient.id)
    assert (posted.rate_cents, posted.currency, posted.repeat) == (2850, "USD", "weekly")
    visits = store.all(Visit, request_id=posted.id)
    assert len(visits) == 12
    local = [v.starts_at.astimezone(ZoneInfo("America/New_York")) for v in visits]
    assert {moment.weekday() for moment in local} == {0, 2, 4}
    assert {(moment.hour, moment.minute) for moment in local} == {(9, 0)}
    assert all(v.status == "open" and v.aide_id is None for v in visits)
    assert store.one(PatientHome, patient_id=patient.id).street == "12 Oak Lane"
    page = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thomas stretch, Runner&#39;s lunge stretch, Medications" in page
    assert "$28.50 per hour" in page
    assert page.count('class="card slot"') == 12


def test_one_off_request(patient_client, patient, routine, store):
    response = patient_client.post(
        "/requests/new", data=form(routine, repeat="once", weekdays=[], count="")
    )
    assert response.status_code == 302
    assert store.count(Visit) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "08:00"}, "first_date", "end time must be after"),
        ({"start_time": "06:00", "end_time": "19:00"}, "first_date", "at most 12 hours"),
        (
            {"first_date": (date.today() - timedelta(days=1)).isoformat(), "repeat": "once"},
            "first_date",
            "in the past",
        ),
        ({"count": "200"}, "count", "from 1 to 182"),
        (
            {"ends": "until", "until_date": (date.today() + timedelta(weeks=40)).isoformat()},
            "first_date",
            "at most 26 weeks",
        ),
        ({"rate": "0"}, "rate", "from $1.00 to $500.00"),
        ({"rate": "-5"}, "rate", "from $1.00 to $500.00"),
        ({"rate": "100000"}, "rate", "from $1.00 to $500.00"),
        ({"rate": "lots"}, "rate", "as a number"),
        ({"rate": "12.345"}, "rate", "as a number"),
        ({"currency": "BTC"}, "currency", "Not a valid choice"),
        ({"tasks": ["999999"]}, "tasks", "Pick from the choices"),
        ({"tasks": [], "includes_medications": ""}, "tasks", "at least one exercise"),
        ({"weekdays": []}, "weekdays", "at least one day"),
        ({"weekdays": ["9"]}, "weekdays", "Pick from the choices"),
        ({"street": ""}, "street", "street address"),
        ({"first_date": "not-a-date"}, "first_date", "Not a valid date"),
        ({"start_time": "25:00"}, "start_time", "Not a valid time"),
        ({"offered_to": "424242"}, "offered_to", "Not a valid choice"),
        ({"notes": "n" * 5001}, "notes", "under 5000"),
        ({"first_date": "9999-12-31", "repeat": "once"}, "first_date", "between the years"),
        (
            {"first_date": (date.today() + timedelta(days=400)).isoformat()},
            "first_date",
            "within the next year",
        ),
        ({"ends": "until", "until_date": "9999-12-31"}, "until_date", "between the years"),
    ],
)
def test_bad_requests_are_refused_and_create_nothing(
    patient_client, routine, store, changes, field, message
):
    response = patient_client.post("/requests/new", data=form(routine, **changes))
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), field)
    assert error is not None and message in error, response.get_data(as_text=True)[:3000]
    assert store.count(AssistanceRequest) == 0
    assert store.count(Visit) == 0


def test_someone_elses_routine_item_is_refused(
    app, patient_client, routine, make_user, login, store
):
    other = make_user("patient")
    other_client = login(app.test_client(), other)
    other_client.post(f"/patients/{other.id}/routine/items", data={"exercise": "cold-pack"})
    foreign = store.one(RoutineItem, patient_id=other.id)
    response = patient_client.post("/requests/new", data=form(routine, tasks=[str(foreign.id)]))
    assert response.status_code == 422
    assert store.count(AssistanceRequest) == 0


def test_only_patients_post_requests(aide_client, family_client):
    assert aide_client.get("/requests/new").status_code == 404
    assert family_client.post("/requests/new", data={}).status_code == 404


def test_editing_details_keeps_the_slots(patient_client, patient, routine, store):
    patient_client.post("/requests/new", data=form(routine))
    posted = store.one(AssistanceRequest)
    response = patient_client.post(
        f"/requests/{posted.id}/edit",
        data={"tasks": [str(routine[2].id)], "rate": "30", "currency": "USD", "notes": ""},
    )
    assert response.status_code == 302
    posted = store.one(AssistanceRequest)
    assert posted.rate_cents == 3000 and posted.includes_medications is False
    assert store.count(Visit, request_id=posted.id, status="open") == 12


def test_withdrawing_a_request_cancels_its_open_slots(patient_client, routine, store):
    patient_client.post("/requests/new", data=form(routine))
    posted = store.one(AssistanceRequest)
    response = patient_client.post(f"/requests/{posted.id}/cancel", data={})
    assert response.status_code == 302
    assert store.one(AssistanceRequest).status == "cancelled"
    assert store.count(Visit, status="cancelled") == 12


def test_other_people_cannot_see_or_change_a_patients_request(
    app, patient_client, routine, store, make_user, login, family_client
):
    patient_client.post("/requests/new", data=form(routine))
    posted = store.one(AssistanceRequest)
    stranger = login(app.test_client(), make_user("patient"))
    for client in (stranger, family_client):
        assert client.get(f"/requests/{posted.id}").status_code == 404
        assert client.post(f"/requests/{posted.id}/cancel", data={}).status_code == 404
        assert client.get(f"/requests/{posted.id}/edit").status_code == 404
    assert store.one(AssistanceRequest).status == "active"


def test_the_same_form_posted_twice_makes_one_request(patient_client, routine, store):
    page = patient_client.get("/requests/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    first = patient_client.post("/requests/new", data=form(routine, submission_key=key))
    again = patient_client.post("/requests/new", data=form(routine, submission_key=key))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert store.count(AssistanceRequest) == 1
    assert store.count(Visit) == 12


def test_pages_refuse_to_be_framed(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
