"""Sessions end for real: idle too long, logged out elsewhere, or the account deleted."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import PASSWORD
from webapp.auth.models import User, UserSession
from webapp.database import utcnow
from webapp.extensions import db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"


@pytest.fixture
def age_sessions(app):
    """Pretend the person's sessions were last used `idle` ago."""

    def age(user, idle: timedelta):
        with app.app_context():
            db.session.execute(
                update(UserSession)
                .where(UserSession.user_id == user.id)
                .values(last_seen_at=utcnow() - idle)
            )
            db.session.commit()

    return age


def _device(app, user, agent, address, remember=False):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    return client


def test_a_session_idle_for_twelve_hours_has_ended(patient_client, patient, age_sessions):
    age_sessions(patient, timedelta(hours=11))
    assert patient_client.get("/dashboard").status_code == 200
    age_sessions(patient, timedelta(hours=12, minutes=1))
    response = patient_client.get("/dashboard")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    page = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has ended. Please log in again." in page


def test_a_remembered_session_lasts_thirty_idle_days(app, patient, age_sessions):
    client = _device(app, patient, LAPTOP, "10.0.0.1", remember=True)
    age_sessions(patient, timedelta(days=29))
    assert client.get("/dashboard").status_code == 200
    age_sessions(patient, timedelta(days=30, minutes=1))
    assert client.get("/dashboard").status_code == 302


def test_using_the_session_keeps_last_seen_current_but_not_on_every_page(
    patient_client, patient, store, age_sessions
):
    first = store.one(UserSession, user_id=patient.id).last_seen_at
    patient_client.get("/dashboard")
    assert store.one(UserSession, user_id=patient.id).last_seen_at == first
    age_sessions(patient, timedelta(minutes=10))
    patient_client.get("/dashboard")
    assert utcnow() - store.one(UserSession, user_id=patient.id).last_seen_at < timedelta(minutes=1)


def test_a_deleted_account_opens_nothing(app, patient_client, patient):
    with app.app_context():
        db.session.get(User, patient.id).deleted_at = utcnow()
        db.session.commit()
    assert patient_client.get("/dashboard").status_code == 302


def test_the_profile_lists_each_device_and_marks_this_one(app, patient, store):
    phone = _device(app, patient, PHONE, "10.0.0.7")
    _device(app, patient, LAPTOP, "10.0.0.8")
    page = phone.get("/auth/profile").get_data(as_text=True)
    assert "Safari on iPhone" in page and "10.0.0.7" in page
    assert "Firefox on Windows" in page and "10.0.0.8" in page
    items = re.findall(r'<li class="session-list__item">(.*?)</li>', page, re.S)
    assert len(items) == 2
    this_device = [item for item in items if "(this device)" in item]
    assert len(this_device) == 1 and "Safari on iPhone" in this_device[0]


def test_ending_another_device_logs_only_that_one_out(app, patient, store):
    phone = _device(app, patient, PHONE, "10.0.0.7")
    laptop = _device(app, patient, LAPTOP, "10.0.0.8")
    laptop_row = store.one(UserSession, user_id=patient.id, ip_address="10.0.0.8")
    response = phone.post(f"/auth/sessions/{laptop_row.id}/end", data={})
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 200


def test_nobody_ends_someone_elses_session(app, patient, make_user, store):
    other = make_user("patient")
    _device(app, other, LAPTOP, "10.0.0.9")
    phone = _device(app, patient, PHONE, "10.0.0.7")
    row = store.one(UserSession, user_id=other.id)
    assert phone.post(f"/auth/sessions/{row.id}/end", data={}).status_code == 404
    assert store.one(UserSession, id=row.id).ended_at is None


def test_log_out_everywhere_ends_every_session_this_one_too(app, patient, store):
    phone = _device(app, patient, PHONE, "10.0.0.7")
    laptop = _device(app, patient, LAPTOP, "10.0.0.8", remember=True)
    response = phone.post("/auth/sessions/end-all", data={})
    assert response.headers["Location"].endswith("/auth/login")
    assert phone.get("/dashboard").status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert all(row.ended_at for row in store.all(UserSession, user_id=patient.id))


def test_logout_ends_the_session_row(patient_client, patient, store):
    patient_client.post("/auth/logout", data={})
    assert store.one(UserSession, user_id=patient.id).ended_at is not None


def test_the_profile_leaves_out_sessions_that_have_ended(app, patient, store):
    phone = _device(app, patient, PHONE, "10.0.0.7")
    laptop = _device(app, patient, LAPTOP, "10.0.0.8")
    laptop.post("/auth/logout", data={})
    _device(app, patient, "Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile", "10.0.0.9")
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.ip_address == "10.0.0.9")
            .values(last_seen_at=utcnow() - timedelta(hours=13))
        )
        db.session.commit()
    page = phone.get("/auth/profile").get_data(as_text=True)
    assert "Safari on iPhone" in page
    assert "Firefox on Windows" not in page and "Chrome on Android" not in page
