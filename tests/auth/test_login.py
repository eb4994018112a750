"""Logging in and out, safely."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import PASSWORD
from webapp.auth.models import User, UserSession


def test_login_then_logout(client, patient):
    response = client.post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/dashboard")
    assert "Hello, Rosa Patient" in client.get("/dashboard").get_data(as_text=True)
    response = client.post("/auth/logout", data={})
    assert response.headers["Location"].endswith("/auth/login")
    assert client.get("/dashboard").status_code == 302


def test_email_is_matched_in_any_case(client, patient):
    response = client.post(
        "/auth/login", data={"email": patient.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_message(client, patient):
    wrong = client.post("/auth/login", data={"email": patient.email, "password": "nope" * 4})
    unknown = client.post("/auth/login", data={"email": "who@example.com", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_login_starts_a_fresh_session(client, patient):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_next_inside_the_app_is_followed(client, patient):
    response = client.post(
        "/auth/login?next=/auth/profile", data={"email": patient.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/auth/profile"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "////evil.com",
        "https:evil.com",
        "/\\evil.com",
        "https://evil.com/",
        "\\\\evil.com",
        "javascript:alert(1)",
        "/\r\nLocation: https://evil.com",
        "/\tevil.com",
    ],
)
def test_next_outside_the_app_lands_on_the_dashboard(client, patient, target):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": patient.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_pages_that_need_login_send_you_to_login_and_back(client, patient):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]


def test_successful_logins_do_not_count_against_the_limit(app, patient, login):
    for _ in range(8):
        client = app.test_client()
        login(client, patient)
        client.post("/auth/logout", data={})


def test_logout_needs_a_post_with_token(patient_client):
    assert patient_client.get("/auth/logout").status_code == 405
    assert patient_client.post("/auth/logout", data={}, csrf=False).status_code == 400
    assert patient_client.get("/dashboard").status_code == 200


def test_a_copied_session_cookie_opens_nothing_after_logout(app, patient_client):
    copied = patient_client.get_cookie("session").value
    patient_client.post("/auth/logout", data={})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    dashboard = thief.get("/dashboard")
    assert dashboard.status_code == 302
    assert "/auth/login" in dashboard.headers["Location"]
    assert thief.get("/auth/profile").status_code == 302


def test_a_copied_cookie_cannot_change_the_profile_after_logout(
    app, patient_client, patient, store
):
    copied = patient_client.get_cookie("session").value
    patient_client.post("/auth/logout", data={})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.post(
        "/auth/profile",
        data={"display_name": "Mallory", "phone": "", "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert store.one(User, id=patient.id).display_name == "Rosa Patient"


def test_remember_me_keeps_the_session_in_a_cookie_that_logout_ends(app, client, patient):
    client.post("/auth/login", data={"email": patient.email, "password": PASSWORD, "remember": "y"})
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    assert remembered.expires - datetime.now(UTC) > timedelta(days=29)
    # A browser restart drops the session cookie; the remember cookie alone logs back in.
    restarted = app.test_client()
    restarted.set_cookie("remember_token", remembered.value)
    assert restarted.get("/dashboard").status_code == 200
    client.post("/auth/logout", data={})
    assert client.get_cookie("remember_token") is None
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remembered.value)
    assert stolen.get("/dashboard").status_code == 302


def test_the_session_cookie_holds_a_token_the_database_stores_only_hashed(
    patient_client, patient, store
):
    with patient_client.session_transaction() as session:
        token = session["_user_id"]
    assert token != str(patient.id) and len(token) >= 40
    row = store.one(UserSession, user_id=patient.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
