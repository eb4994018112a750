"""Logging in and out, safely."""

import pytest

from tests.conftest import PASSWORD


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


def test_too_many_failures_for_one_account_are_slowed_down(client, patient):
    for _ in range(5):
        client.post("/auth/login", data={"email": patient.email, "password": "wrong" * 3})
    blocked = client.post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Another account from the same place is not locked out by those failures.
    other = client.post("/auth/login", data={"email": "else@example.com", "password": "x" * 12})
    assert other.status_code == 401


def test_too_many_failures_from_one_address_are_slowed_down(app, client):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 5 minutes"
    for number in range(3):
        client.post("/auth/login", data={"email": f"a{number}@example.com", "password": "x" * 12})
    assert (
        client.post(
            "/auth/login", data={"email": "z@example.com", "password": "x" * 12}
        ).status_code
        == 429
    )


def test_successful_logins_do_not_count_against_the_limit(app, patient, login):
    for _ in range(8):
        client = app.test_client()
        login(client, patient)
        client.post("/auth/logout", data={})


def test_logout_needs_a_post_with_token(patient_client):
    assert patient_client.get("/auth/logout").status_code == 405
    assert patient_client.post("/auth/logout", data={}, csrf=False).status_code == 400
    assert patient_client.get("/dashboard").status_code == 200
