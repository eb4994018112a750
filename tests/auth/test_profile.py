"""A person keeps their name, phone and time zone up to date."""

import pytest

from tests.conftest import PASSWORD, field_error
from webapp.auth.models import User


def test_profile_is_saved(patient_client, patient, store):
    response = patient_client.post(
        "/auth/profile",
        data={"display_name": "Rosa M.", "phone": "+1 (555) 123-4567", "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    user = store.one(User, id=patient.id)
    assert (user.display_name, user.phone, user.timezone) == (
        "Rosa M.",
        "+1 (555) 123-4567",
        "Asia/Tokyo",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Not/AZone"}, "timezone"),
        ({"timezone": "asia/tokyo"}, "timezone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "1" * 40}, "phone"),
        ({"display_name": "   "}, "display_name"),
    ],
)
def test_bad_profile_changes_nothing(patient_client, patient, store, changes, field):
    data = {"display_name": "Rosa M.", "phone": "", "timezone": "Asia/Tokyo", **changes}
    response = patient_client.post("/auth/profile", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)
    user = store.one(User, id=patient.id)
    assert (user.display_name, user.timezone) == ("Rosa Patient", "America/New_York")


NEW_PASSWORD = "a brand new sentence for spring"


def _change_email(client, email, current=PASSWORD):
    return client.post(
        "/auth/profile/email",
        data={"change_email-email": email, "change_email-current_password": current},
    )


def _change_password(client, new=NEW_PASSWORD, current=PASSWORD, confirm=None):
    return client.post(
        "/auth/profile/password",
        data={
            "change_password-current_password": current,
            "change_password-password": new,
            "change_password-confirm": new if confirm is None else confirm,
        },
    )


def test_email_changes_with_the_current_password(patient_client, patient, store, client):
    response = _change_email(patient_client, "  Rosa.New@Example.com ")
    assert response.status_code == 302
    assert store.one(User, id=patient.id).email == "rosa.new@example.com"
    login = client.post("/auth/login", data={"email": "rosa.new@example.com", "password": PASSWORD})
    assert login.status_code == 302


def test_a_wrong_current_password_changes_no_email(patient_client, patient, store):
    response = _change_email(patient_client, "rosa.new@example.com", current="not my password")
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "change_email-current_password")
    assert error and "not your current password" in error
    assert store.one(User, id=patient.id).email == patient.email


@pytest.mark.parametrize(
    ("email", "message"),
    [("aide9@example.com", "Another account uses"), ("not-an-email", "valid email")],
)
def test_a_taken_or_bad_email_is_refused(patient_client, patient, make_user, store, email, message):
    make_user("aide", email="aide9@example.com")
    response = _change_email(patient_client, email.upper() if "@" in email else email)
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "change_email-email")
    assert store.one(User, id=patient.id).email == patient.email


def test_password_changes_and_other_devices_are_logged_out(app, patient_client, patient, login):
    laptop = login(app.test_client(), patient)
    response = _change_password(patient_client)
    assert response.status_code == 302
    assert patient_client.get("/dashboard").status_code == 200
    assert laptop.get("/dashboard").status_code == 302
    fresh = app.test_client()
    login(fresh, patient, password=NEW_PASSWORD)
    old = app.test_client().post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    assert old.status_code == 401


def test_the_old_cookie_of_this_device_stops_working_after_a_password_change(app, patient_client):
    copied = patient_client.get_cookie("session").value
    _change_password(patient_client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard").status_code == 302
    assert patient_client.get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"current": "not my password"}, "change_password-current_password", "not your current"),
        ({"new": "short"}, "change_password-password", "at least 12"),
        ({"new": "password1234"}, "change_password-password", "first ones attackers try"),
        ({"confirm": "something else entirely"}, "change_password-confirm", "differ"),
    ],
)
def test_bad_password_changes_change_nothing(
    app, patient_client, patient, login, changes, field, message
):
    response = _change_password(patient_client, **changes)
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    login(app.test_client(), patient)  # the old password still works


def test_guessing_the_current_password_is_throttled(patient_client):
    for _ in range(5):
        assert (
            _change_email(patient_client, "x@example.com", current="guess" * 3).status_code == 422
        )
    assert _change_email(patient_client, "x@example.com").status_code == 429


def test_changing_email_or_password_tells_the_owner_by_email(
    patient_client, patient, smtp, deliver
):
    from tests.mail import text_of

    assert _change_password(patient_client).status_code == 302
    assert _change_email(patient_client, "rosa.new@example.com", NEW_PASSWORD).status_code == 302
    deliver()
    to_old = smtp.messages(to=patient.email)
    assert [str(m["Subject"]) for m in to_old] == [
        "HomeStretch: Your password was changed",
        "HomeStretch: Your email address was changed",
    ]
    assert "on the profile page of a logged-in device" in text_of(to_old[0])
    assert "rosa.new@example.com instead of this address" in text_of(to_old[1])
    assert smtp.messages(to="rosa.new@example.com") == []


def test_a_refused_change_sends_no_email(patient_client, smtp, deliver):
    assert _change_password(patient_client, current="not my password").status_code == 422
    assert _change_email(patient_client, "x@example.com", "not my password").status_code == 422
    assert deliver() == 0 and smtp.messages() == []
