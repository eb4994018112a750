"""A new person creates an account."""

from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PASSWORD, field_error
from webapp.auth.models import User
from webapp.care.models import Precaution

GOOD = {
    "display_name": "Ana Silva",
    "email": "ana@example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "role": "patient",
    "timezone": "Europe/Lisbon",
    "health_data_consent": "y",
}


def test_patient_signs_up_and_lands_on_an_empty_routine(client, store):
    response = client.post("/auth/signup", data=GOOD)
    assert response.status_code == 302
    assert "/routine" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome to HomeStretch, Ana Silva." in page
    assert "No exercises yet" in page
    user = store.one(User, email="ana@example.com")
    assert user.role == "patient" and user.timezone == "Europe/Lisbon"
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_new_patient_starts_with_the_five_activities_to_avoid(client, store):
    client.post("/auth/signup", data=GOOD)
    user = store.one(User, email="ana@example.com")
    activities = [p.activity for p in store.all(Precaution, patient_id=user.id)]
    assert activities == [
        "Running",
        "Excessive walking",
        "Prolonged sitting",
        "Going up and down stairs",
        "Walking up and down slopes",
    ]


@pytest.mark.parametrize("role", ["aide", "family"])
def test_aides_and_family_sign_up_to_the_dashboard(client, store, role):
    data = {key: value for key, value in GOOD.items() if key != "health_data_consent"}
    response = client.post("/auth/signup", data={**data, "role": role})
    assert response.headers["Location"].endswith("/dashboard")
    user = store.one(User, email="ana@example.com")
    assert user.role == role
    assert store.count(Precaution, patient_id=user.id) == 0
    assert user.health_data_consent_at is None


def test_a_patient_signing_up_records_their_consent(client, store):
    client.post("/auth/signup", data=GOOD)
    user = store.one(User, email="ana@example.com")
    assert user.health_data_consent_at is not None
    page = client.get("/auth/profile").get_data(as_text=True)
    agreed = user.health_data_consent_at.astimezone(ZoneInfo("Europe/Lisbon"))
    assert f"You agreed on {agreed:%a} {agreed.day} {agreed:%b %Y}" in page


def test_a_patient_who_does_not_agree_gets_no_account(client, store):
    data = {key: value for key, value in GOOD.items() if key != "health_data_consent"}
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "health_data_consent")
    assert error is not None and "tick the box" in error
    assert store.count(User) == 0


def test_the_consent_box_is_on_the_signup_page(client):
    page = client.get("/auth/signup").get_data(as_text=True)
    assert "I agree that HomeStretch stores my health data" in page
    assert 'name="health_data_consent"' in page


def test_nobody_signs_up_as_admin(client, store):
    response = client.post("/auth/signup", data={**GOOD, "role": "admin"})
    assert response.status_code == 422
    assert store.count(User) == 0


def test_email_taken_in_another_case_is_refused(client, make_user, store):
    make_user("patient", email="ana@example.com")
    response = client.post("/auth/signup", data={**GOOD, "email": "  ANA@Example.COM "})
    assert response.status_code == 422
    assert "already exists" in field_error(response.get_data(as_text=True), "email")
    assert store.count(User) == 1


def test_email_is_stored_lower_case(client, store):
    client.post("/auth/signup", data={**GOOD, "email": "Ana.Silva@Example.com"})
    assert store.one(User).email == "ana.silva@example.com"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Tell us what to call you."),
        ({"display_name": "x" * 201}, "display_name", "under 200 characters"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": ""}, "email", "Enter your email"),
        ({"password": "short", "confirm": "short"}, "password", "at least 12"),
        ({"password": "p" * 129, "confirm": "p" * 129}, "password", "at most 128"),
        (
            {"password": "password1234", "confirm": "password1234"},
            "password",
            "first ones attackers try",
        ),
        ({"confirm": PASSWORD + "x"}, "confirm", "The passwords differ."),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list"),
        ({"timezone": ""}, "timezone", "Choose your time zone"),
        ({"role": ""}, "role", "Choose how you will use"),
        ({"display_name": "Ana\x07"}, "display_name", "control characters"),
    ],
)
def test_bad_signups_show_a_field_error_and_create_nothing(client, store, changes, field, message):
    response = client.post("/auth/signup", data={**GOOD, **changes})
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), field)
    assert error is not None and message in error
    assert store.count(User) == 0


def test_a_128_character_pasted_password_is_fine(client, store):
    long_password = "a long pasted passphrase! " * 4 + "abcdefghijklmnopqrstuvwx"
    assert len(long_password) == 128
    client.post("/auth/signup", data={**GOOD, "password": long_password, "confirm": long_password})
    assert store.count(User) == 1


def test_html_in_the_name_is_shown_escaped(client):
    name = '<script>alert("hi")</script>'
    response = client.post(
        "/auth/signup", data={**GOOD, "display_name": name}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in page


def test_signup_without_csrf_token_is_refused(client, store):
    response = client.post("/auth/signup", data=GOOD, csrf=False)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert store.count(User) == 0


def test_signup_page_lists_time_zones_with_common_ones_first(client):
    page = client.get("/auth/signup").get_data(as_text=True)
    assert page.index('value="America/New_York"') < page.index('value="Africa/Abidjan"')
