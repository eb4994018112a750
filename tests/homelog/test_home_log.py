"""Writing down a session done at home: who may, what is kept, and what is refused."""

import re
from datetime import timedelta

import pytest

from tests.homelog.conftest import leave_circle, session_form
from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog
from webapp.visits.models import AuditEvent


def new_url(patient):
    return f"/patients/{patient.id}/home-log/new"


def test_patient_writes_down_an_evening_session(patient, patient_client, routine, store):
    response = patient_client.post(new_url(patient), data=session_form(routine))
    assert response.status_code == 302
    session = store.one(HomeSession, patient_id=patient.id)
    assert response.location.endswith(f"/patients/{patient.id}/home-log/{session.id}")
    assert (session.part_of_day, session.pain_before, session.pain_after) == ("evening", 4, 3)
    assert session.recorded_by_id == patient.id and not session.safety_flag
    tasks = {log.exercise_slug: log for log in store.all(HomeTaskLog, session_id=session.id)}
    assert tasks["thomas-stretch"].status == "done"
    assert (tasks["cold-pack"].status, tasks["cold-pack"].reason) == ("skipped", "pain")
    dose = store.one(HomeMedicationLog, session_id=session.id)
    assert (dose.name, dose.outcome) == ("Ibuprofen", "given") and dose.given_at is not None

    page = patient_client.get(response.location, follow_redirects=False).text
    assert "Evening session at home" in page
    assert "Skipped: pain (Too sore to lie on the pack.)" in page
    assert "Stop the exercises" not in page
    listing = patient_client.get(f"/patients/{patient.id}/home-log").text
    assert "1 of 2 exercises done" in listing and "1 of 1 doses given" in listing
    assert store.count(AuditEvent) == 0  # the patient reading their own log is not audited


def test_the_form_starts_at_now_and_lists_what_is_due_then(patient, patient_client, routine):
    page = patient_client.get(new_url(patient) + "?part=evening").text
    assert re.search(r'<input checked[^>]*name="part_of_day"[^>]*value="evening"', page)
    assert "Thomas stretch" in page
    assert "<legend>Ibuprofen 400 mg" in page
    assert "<legend>Vitamin D" not in page  # a morning dose
    assert "<legend>Vitamin D" in patient_client.get(new_url(patient) + "?part=morning").text


def test_a_coordinator_writes_one_down_and_each_view_is_audited(
    patient, coordinator, coordinator_client, routine, store
):
    assert coordinator_client.get(new_url(patient)).status_code == 200
    response = coordinator_client.post(new_url(patient), data=session_form(routine))
    assert response.status_code == 302
    session = store.one(HomeSession, patient_id=patient.id)
    assert session.recorded_by_id == coordinator.id
    page = coordinator_client.get(response.location).text
    assert "Written down by</dt><dd>Daniel Coordinator" in page
    assert "at Rosa Patient's home" in page  # Daniel is in another zone: both times shown
    coordinator_client.get(f"/patients/{patient.id}/home-log")
    seen = [(e.viewer_id, e.what) for e in store.all(AuditEvent, patient_id=patient.id)]
    assert seen == [
        (coordinator.id, "routine and medications"),
        (coordinator.id, "home exercise session"),
        (coordinator.id, "home exercise log"),
    ]


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [("3", "7", True), ("2", "5", True), ("8", None, True), ("6", "6", False), (None, None, False)],
)
def test_high_or_rising_pain_stops_the_exercises(
    patient, patient_client, routine, store, before, after, flagged
):
    form = session_form(routine, pain_before=before, pain_after=after)
    response = patient_client.post(new_url(patient), data=form, follow_redirects=True)
    assert response.status_code == 200
    assert store.one(HomeSession, patient_id=patient.id).safety_flag is flagged
    said = (
        "Stop the exercises" in response.text and "contact the physical therapist" in response.text
    )
    assert said is flagged


def test_a_double_tap_makes_one_session(patient, patient_client, routine, store):
    form = session_form(routine)
    first = patient_client.post(new_url(patient), data=form)
    second = patient_client.post(new_url(patient), data=form, follow_redirects=True)
    assert store.count(HomeSession) == 1 and store.count(HomeTaskLog) == 2
    assert first.location.endswith(f"/home-log/{store.one(HomeSession).id}")
    assert "This session was already saved" in second.text
    # A different part of the day is a different session.
    assert patient_client.post(new_url(patient), data=session_form(routine, part="midday"))
    assert store.count(HomeSession) == 2


def other_patients_ids(app, make_user):
    """A routine item and a medication of someone else."""
    from webapp.care import services as care
    from webapp.care.models import Medication
    from webapp.extensions import db

    with app.app_context():
        other = make_user("patient", name="Someone Else")
        item = care.add_exercise(db.session.get(type(other), other.id), "thomas-stretch")
        medication = Medication(patient_id=other.id, name="Other pill", dose="1", times_of_day=31)
        db.session.add(medication)
        db.session.commit()
        return item.id, medication.id


BAD_INPUT = {
    "no part of the day": ({"part_of_day": "noon"}, "Not a valid choice"),
    "in the future": ({"ago": -timedelta(hours=2)}, "That time has not come yet"),
    "too long ago": ({"ago": timedelta(days=15)}, "up to 14 days back"),
    "pain 11": ({"pain_after": "11"}, "Pain is a whole number from 0 (none) to 10 (worst)."),
    "not fully done without a reason": ({"cold_reason": ""}, "Say why it was not fully done."),
    "a dose not due then": ({"vitamin_d": "refused"}, "Vitamin D is not due in the evening"),
    "given without a time": ({"given_at": ""}, "Enter the time it was given."),
    "someone else's exercise": ({"foreign_item": "done"}, "That exercise is not in"),
    "someone else's medication": ({"foreign_medication": "given"}, "That medication is not on"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_says_why_and_writes_nothing(
    app, patient, patient_client, routine, store, make_user, case
):
    change, message = BAD_INPUT[case]
    change = dict(change)
    form = session_form(routine, ago=change.pop("ago", timedelta(hours=1)))
    cold = routine["items"]["cold-pack"].id
    ibuprofen = routine["medications"]["Ibuprofen"].id
    renames = {
        "cold_reason": f"task_{cold}_reason",
        "vitamin_d": f"medication_{routine['medications']['Vitamin D'].id}_outcome",
        "given_at": f"medication_{ibuprofen}_given_at",
    }
    if {"foreign_item", "foreign_medication"} & set(change):
        item_id, medication_id = other_patients_ids(app, make_user)
        renames |= {
            "foreign_item": f"task_{item_id}_status",
            "foreign_medication": f"medication_{medication_id}_outcome",
        }
    form |= {renames.get(key, key): value for key, value in change.items()}
    response = patient_client.post(new_url(patient), data=form)
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert store.count(HomeSession) == store.count(HomeTaskLog) == 0
    assert store.count(HomeMedicationLog) == 0


def without_token(page):
    """The page without its per-session CSRF token."""
    return re.sub(r'(content|value)="[A-Za-z0-9_.-]{40,}"', "", page)


def test_viewers_and_outsiders_get_the_same_not_found_page(
    patient, patient_client, routine, viewer_client, outsider_client, store
):
    patient_client.post(new_url(patient), data=session_form(routine))
    session_id = store.one(HomeSession).id
    base = f"/patients/{patient.id}/home-log"
    for path in (base, f"{base}/new", f"{base}/{session_id}"):
        seen = viewer_client.get(path)
        unseen = outsider_client.get(path)
        assert seen.status_code == unseen.status_code == 404
        assert without_token(seen.text) == without_token(unseen.text)
        assert "Rosa" not in seen.text
    missing = patient_client.get(f"{base}/{session_id + 1000}")
    assert missing.status_code == 404
    for client in (viewer_client, outsider_client):
        assert (
            client.post(f"{base}/new", data=session_form(routine, part="midday")).status_code == 404
        )
    assert store.count(HomeSession) == 1 and store.count(AuditEvent) == 0


def test_a_removed_coordinators_open_tab_saves_nothing(
    app, patient, coordinator, coordinator_client, routine, store
):
    assert coordinator_client.get(new_url(patient)).status_code == 200
    leave_circle(app, patient, coordinator)
    response = coordinator_client.post(new_url(patient), data=session_form(routine))
    assert response.status_code == 404
    assert "We could not find that page." in response.text
    assert store.count(HomeSession) == 0


def test_flagged_sessions_are_there_for_the_dashboard(app, patient, patient_client, routine):
    from webapp.auth.models import User
    from webapp.database import utcnow
    from webapp.extensions import db
    from webapp.homelog.services import flagged_sessions

    calm = session_form(routine, part="morning", ago=timedelta(hours=3))
    sore = session_form(routine, pain_before="3", pain_after="6")
    for form in (calm, sore):
        assert patient_client.post(new_url(patient), data=form).status_code == 302
    with app.app_context():
        owner = db.session.get(User, patient.id)
        flagged = flagged_sessions(owner, utcnow() - timedelta(days=14))
        assert [(s.part_of_day, s.pain_after) for s in flagged] == [("evening", 6)]


def test_the_dashboard_alerts_the_patient_to_a_sore_session_at_home(
    patient, patient_client, routine, store
):
    calm = session_form(routine, part="morning", ago=timedelta(hours=3))
    assert patient_client.post(new_url(patient), data=calm).status_code == 302
    assert "at home on" not in patient_client.get("/dashboard").text
    sore = session_form(routine, pain_before="3", pain_after="6")
    assert patient_client.post(new_url(patient), data=sore).status_code == 302
    flagged = store.one(HomeSession, patient_id=patient.id, safety_flag=True)
    dashboard = patient_client.get("/dashboard").text
    assert dashboard.count("Exercises stopped because of pain</strong> at home on") == 1
    assert f'href="/patients/{patient.id}/home-log/{flagged.id}">Open the session' in dashboard


@pytest.mark.parametrize(
    ("clock", "part"),
    [("09:00", "morning"), ("06:00", "morning"), ("12:30", "midday"), ("19:00", "evening"),
     ("23:30", "bedtime"), ("05:10", "morning"), ("11:10", "midday")],
)  # fmt: skip
def test_the_form_starts_at_the_part_of_the_day_it_is_at_home(app, patient, clock, part):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from webapp.auth.models import User
    from webapp.coverage.models import DayPart
    from webapp.extensions import db
    from webapp.homelog.services import part_at

    with app.app_context():
        # Rosa's mornings are early: 05:00-06:30, the rest of her day keeps the usual hours.
        db.session.add(
            DayPart(patient_id=patient.id, part="morning", starts_at=time(5), ends_at=time(6, 30))
        )
        db.session.commit()
        owner = db.session.get(User, patient.id)
        hour, minute = map(int, clock.split(":"))
        moment = datetime(2026, 11, 25, hour, minute, tzinfo=ZoneInfo("America/New_York"))
        assert part_at(owner, moment) == part
