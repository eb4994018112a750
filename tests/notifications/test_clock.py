"""The worker's scheduled pass: reminders, uncovered visits, late arrivals, no-shows and late
home doses, each sent once per person however often (and by however many workers) it runs."""

import threading
from datetime import timedelta

import time_machine

from tests.mail import links_in, text_of
from webapp.circle.models import CircleMember
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.clock import run_pass
from webapp.notifications.models import Notification
from webapp.scheduling.models import Visit


def _coordinator(app, patient, make_user, role="coordinator", email="cora@example.com"):
    member = make_user("family", email=email, name=email.split("@")[0].title())
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role=role))
        db.session.commit()
    return member


def _pass(app, at):
    with app.app_context():
        return run_pass(at)


def _kinds_for(store, person) -> list[str]:
    return sorted(n.kind for n in store.all(Notification, recipient_id=person.id))


def _booked_visit(patient, aide_client, post_request, store, days_ahead=3):
    request = post_request(patient, days_ahead=days_ahead, start="09:00", end="10:00")
    visit = store.one(Visit, request_id=request.id)
    assert aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    return store.one(Visit, id=visit.id)


def test_reminder_a_day_ahead_reaches_aide_and_patient_once(
    app,
    patient,
    verified_aide,
    verified_aide_client,
    make_user,
    post_request,
    store,
    smtp,
    deliver,
):
    coordinator = _coordinator(app, patient, make_user)
    visit = _booked_visit(patient, verified_aide_client, post_request, store)

    assert _pass(app, visit.starts_at - timedelta(hours=25)).reminders == 0
    assert _pass(app, visit.starts_at - timedelta(hours=23)).reminders == 2
    assert _pass(app, visit.starts_at - timedelta(hours=22)).reminders == 0  # once only

    assert "visit_reminder" in _kinds_for(store, verified_aide)
    assert "visit_reminder" in _kinds_for(store, patient)
    assert "visit_reminder" not in _kinds_for(store, coordinator)
    deliver(visit.starts_at - timedelta(hours=22))
    aide_mail = [m for m in smtp.messages(to=verified_aide.email) if "tomorrow" in m["Subject"]]
    assert len(aide_mail) == 1
    assert aide_mail[0]["Subject"] == "HomeStretch: A visit tomorrow"
    assert f"visit with {patient.display_name}" in text_of(aide_mail[0])
    link = links_in(aide_mail[0])[0]
    assert link.endswith(f"/visits/{visit.id}")
    assert patient.email in {address for m in smtp.messages() for address in [m["To"]]}


def test_open_visit_two_days_ahead_alerts_coordinators_unless_family_covers(
    app, patient, make_user, post_request, store, login
):
    coordinator = _coordinator(app, patient, make_user)
    viewer = _coordinator(app, patient, make_user, role="viewer", email="vic@example.com")
    request = post_request(patient, days_ahead=2, start="09:00", end="10:00")
    visit = store.one(Visit, request_id=request.id)

    assert _pass(app, visit.starts_at - timedelta(hours=49)).uncovered == 0
    assert _pass(app, visit.starts_at - timedelta(hours=47)).uncovered == 1
    assert _pass(app, visit.starts_at - timedelta(hours=46)).uncovered == 0
    alert = store.one(Notification, kind="visit_uncovered")
    assert alert.recipient_id == coordinator.id
    assert _kinds_for(store, viewer) == [] and _kinds_for(store, patient) == []
    assert login(app.test_client(), coordinator).get(alert.link).status_code == 200


def test_nobody_coordinating_means_the_patient_hears_of_the_gap(app, patient, post_request, store):
    request = post_request(patient, days_ahead=2)
    visit = store.one(Visit, request_id=request.id)
    _pass(app, visit.starts_at - timedelta(hours=40))
    assert _kinds_for(store, patient) == ["visit_uncovered"]


def test_no_check_in_alerts_at_30_minutes_then_becomes_a_no_show(
    app,
    patient,
    verified_aide,
    verified_aide_client,
    make_user,
    post_request,
    store,
    login,
    smtp,
    deliver,
):
    coordinator = _coordinator(app, patient, make_user)
    visit = _booked_visit(patient, verified_aide_client, post_request, store)

    assert _pass(app, visit.starts_at + timedelta(minutes=29)).late_arrivals == 0
    assert _pass(app, visit.starts_at + timedelta(minutes=31)).late_arrivals == 2
    assert _pass(app, visit.starts_at + timedelta(minutes=40)).late_arrivals == 0
    assert store.one(Visit, id=visit.id).status == "booked"
    assert _kinds_for(store, coordinator).count("visit_no_show") == 1

    assert _pass(app, visit.ends_at + timedelta(minutes=1)).no_shows == 3  # patient, Cora, aide
    assert store.one(Visit, id=visit.id).status == "no_show"
    assert _pass(app, visit.ends_at + timedelta(minutes=5)).no_shows == 0
    missed = [n for n in store.all(Notification) if n.title == "A visit was missed"]
    assert sorted(n.recipient_id for n in missed) == sorted(
        [patient.id, coordinator.id, verified_aide.id]
    )
    deliver(visit.ends_at + timedelta(minutes=6))
    subjects = smtp.subjects(to=coordinator.email)
    assert subjects.count("HomeStretch: The aide has not checked in") == 1
    assert subjects.count("HomeStretch: A visit was missed") == 1

    # It counts on the aide's public profile, and the aide can no longer check in.
    profile = login(app.test_client(), patient).get(f"/aides/{verified_aide.id}")
    assert "Missed visits" in profile.get_data(as_text=True)
    assert "<dd>1 " in profile.get_data(as_text=True).split("Missed visits")[1][:80]
    with time_machine.travel(visit.ends_at + timedelta(minutes=2)):
        aide_client = login(app.test_client(), verified_aide)
        response = aide_client.post(f"/visits/{visit.id}/check-in", data={})
        assert response.status_code == 404  # the visit is no longer theirs to open
        assert "Missed: nobody checked in" in aide_client.get("/my-visits").get_data(as_text=True)


def test_checking_in_late_is_not_a_no_show(
    app, patient, verified_aide, verified_aide_client, post_request, store, login
):
    visit = _booked_visit(patient, verified_aide_client, post_request, store)
    with time_machine.travel(visit.starts_at + timedelta(minutes=20)):
        aide_client = login(app.test_client(), verified_aide)
        assert aide_client.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302
    report = _pass(app, visit.ends_at + timedelta(minutes=10))
    assert report.late_arrivals == 0 and report.no_shows == 0
    assert store.one(Visit, id=visit.id).status == "checked_in"


def test_two_workers_running_the_same_pass_tell_each_person_once(
    app, patient, verified_aide, verified_aide_client, make_user, post_request, store
):
    _coordinator(app, patient, make_user)
    visits = [
        _booked_visit(patient, verified_aide_client, post_request, store, days_ahead=days)
        for days in (3, 4)
    ]
    open_request = post_request(patient, days_ahead=4, start="14:00", end="15:00")
    at = visits[0].starts_at + timedelta(minutes=45)  # the first is late, the second is a day off
    assert store.one(Visit, request_id=open_request.id).status == "open"
    errors = []

    def worker():
        try:
            with app.app_context():
                run_pass(at)
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    keys = [(n.recipient_id, n.dedupe_key) for n in store.all(Notification) if n.dedupe_key]
    assert len(keys) == len(set(keys))
    assert {key.split(":")[0] for _, key in keys} == {"not-arrived", "reminder", "uncovered"}


def test_the_worker_command_runs_the_pass_with_the_clock(
    app, patient, verified_aide, verified_aide_client, post_request, store, smtp
):
    visit = _booked_visit(patient, verified_aide_client, post_request, store)
    runner = app.test_cli_runner()
    with time_machine.travel(visit.starts_at - timedelta(hours=20), tick=False):
        result = runner.invoke(args=["worker"])
    assert result.exit_code == 0, result.output
    assert "Scheduled pass: 2 reminders" in result.output
    assert "Attempted 3 email(s)." in result.output  # the booking email waited too
    assert sorted(smtp.subjects()) == [
        "HomeStretch: A visit tomorrow",
        "HomeStretch: A visit tomorrow",
        "HomeStretch: A visit was booked",
    ]
    assert utcnow() < visit.starts_at  # the real clock never moved


def _tomorrow_at(patient_zone: str, hour: int, minute: int = 0):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(patient_zone)
    day = datetime.now(zone).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def test_unlogged_home_dose_alerts_only_coordinators_who_opted_in(
    app, patient, patient_client, make_user, login, store, smtp, deliver
):
    from webapp.notifications.models import DoseWatch

    watcher = _coordinator(app, patient, make_user)
    other = _coordinator(app, patient, make_user, email="otto@example.com")
    viewer = _coordinator(app, patient, make_user, role="viewer", email="vic@example.com")
    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ["morning"]},
    )
    watcher_client = login(app.test_client(), watcher)
    page = watcher_client.get("/notifications/settings").get_data(as_text=True)
    assert f"Tell me when {patient.display_name}'s dose is not logged" in page
    response = watcher_client.post(
        "/notifications/settings", data={"email": ["home_dose_late"], "watch": [str(patient.id)]}
    )
    assert response.status_code == 302
    # A viewer cannot watch, and a forged id changes nothing.
    viewer_client = login(app.test_client(), viewer)
    assert viewer_client.post(
        "/notifications/settings", data={"watch": [str(patient.id)]}
    ).status_code in (400, 422)
    assert watcher_client.post(
        "/notifications/settings", data={"watch": [str(patient.id), "nine"]}
    ).status_code in (400, 422)
    assert [w.user_id for w in store.all(DoseWatch)] == [watcher.id]

    morning_ends = _tomorrow_at(patient.timezone, 10)  # the default morning is 08:00-10:00
    assert _pass(app, morning_ends + timedelta(minutes=59)).late_doses == 0
    assert _pass(app, morning_ends + timedelta(minutes=61)).late_doses == 1
    assert _pass(app, morning_ends + timedelta(minutes=90)).late_doses == 0
    alert = store.one(Notification, kind="home_dose_late")
    assert alert.recipient_id == watcher.id
    assert "morning doses (Ibuprofen), due by 10:00" in alert.body
    assert _kinds_for(store, other) == [] and _kinds_for(store, viewer) == []
    deliver(morning_ends + timedelta(minutes=91))
    (mail,) = smtp.messages(to=watcher.email)
    assert mail["Subject"] == "HomeStretch: A dose has not been logged"  # no medication name
    assert watcher_client.get(alert.link).status_code == 200


def test_a_dose_logged_at_home_raises_no_alert(
    app, patient, patient_client, make_user, login, store
):
    from webapp.care.models import Medication
    from webapp.homelog.models import HomeMedicationLog, HomeSession

    watcher = _coordinator(app, patient, make_user)
    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ["evening"]},
    )
    login(app.test_client(), watcher).post(
        "/notifications/settings", data={"watch": [str(patient.id)]}
    )
    evening_ends = _tomorrow_at(patient.timezone, 20)  # default evening 18:00-20:00
    medication = store.one(Medication, patient_id=patient.id)
    with app.app_context():
        session = HomeSession(
            patient_id=patient.id,
            recorded_by_id=patient.id,
            done_at=evening_ends - timedelta(minutes=30),
            part_of_day="evening",
        )
        session.medications.append(
            HomeMedicationLog(
                medication_id=medication.id,
                name="Ibuprofen",
                dose="400 mg",
                outcome="given",
                given_at=evening_ends - timedelta(minutes=30),
            )
        )
        db.session.add(session)
        db.session.commit()
    assert _pass(app, evening_ends + timedelta(hours=2)).late_doses == 0


def test_the_pass_deletes_links_expired_over_a_day_ago(app, client, make_user, store, smtp):
    from webapp.auth.models import PasswordReset, PendingSignup

    make_user("patient", email="bea@example.com")
    client.post("/auth/password/forgot", data={"email": "bea@example.com"})
    client.post(
        "/auth/signup",
        data={
            "display_name": "Ana",
            "email": "ana@example.com",
            "password": "a long enough sentence to pass",
            "confirm": "a long enough sentence to pass",
            "role": "family",
            "timezone": "Europe/London",
        },
    )
    assert store.count(PasswordReset) == 1 and store.count(PendingSignup) == 1
    _pass(app, utcnow() + timedelta(hours=23))  # expired, but not for a day yet
    assert store.count(PasswordReset) == 1 and store.count(PendingSignup) == 1
    _pass(app, utcnow() + timedelta(days=3))
    assert store.count(PasswordReset) == 0 and store.count(PendingSignup) == 0
