"""A new person creates an account: the form, then the link emailed to their address.

The page after the form is the same whether or not the address already has an account; only
the owner of the address learns which (by email).
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import PASSWORD, field_error
from webapp.auth.models import PendingSignup, User
from webapp.care.models import Precaution
from webapp.database import utcnow
from webapp.notifications.models import OutboxEmail

GOOD = {
    "display_name": "Ana Silva",
    "email": "ana@example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "role": "patient",
    "timezone": "Europe/Lisbon",
    "health_data_consent": "y",
}


def confirm(client, link, password=PASSWORD):
    """Open the emailed link, type the password chosen at sign-up and press the button."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"password": password})


def sign_up(client, mailbox, data=GOOD, url="/auth/signup"):
    """Fill the form, follow the link in the email, create the account."""
    sent = client.post(url, data=data)
    assert sent.headers["Location"] == "/auth/signup/check-email"
    return confirm(client, mailbox.link(data["email"].strip().lower()), data["password"])


def test_signing_up_creates_nothing_until_the_emailed_link_is_followed(client, store, mailbox):
    response = client.post("/auth/signup", data=GOOD)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Check your email" in page
    assert "<strong>ana@example.com</strong>" in page
    assert "within\n    24 hours" in page
    assert store.count(User) == 0
    [email] = mailbox.messages("ana@example.com")
    assert email["Subject"] == "HomeStretch: Confirm your email address"
    assert "works once, for 24 hours" in mailbox.text("ana@example.com")
    assert re.fullmatch(r"/auth/signup/confirm/[\w-]{43}", mailbox.link("ana@example.com"))
    stored = store.one(PendingSignup)
    assert stored.password_hash.startswith("scrypt:") and PASSWORD not in stored.password_hash
    assert mailbox.link("ana@example.com").rsplit("/", 1)[1] not in stored.token_hash


def test_patient_confirms_and_lands_on_an_empty_routine(client, store, mailbox):
    response = sign_up(client, mailbox)
    assert response.status_code == 302
    assert "/routine" in response.headers["Location"]
    page = client.get(response.headers["Location"]).text
    assert "Welcome to HomeStretch, Ana Silva." in page
    assert "No exercises yet" in page
    user = store.one(User, email="ana@example.com")
    assert user.role == "patient" and user.timezone == "Europe/Lisbon"
    assert user.password_hash.startswith("scrypt:")
    assert store.count(PendingSignup) == 0
    logged_in = client.post("/auth/logout", data={})
    assert logged_in.status_code == 302
    again = client.post("/auth/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert again.headers["Location"] == "/dashboard"


def test_the_confirmation_page_says_what_will_be_created_and_a_scanner_opening_it_creates_nothing(
    client, store, mailbox
):
    client.post("/auth/signup", data=GOOD)
    page = client.get(mailbox.link("ana@example.com"))
    assert "Ana Silva" in page.text and "I am recovering and want help" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert store.count(User) == 0


def test_new_patient_starts_with_the_five_activities_to_avoid(client, store, mailbox):
    sign_up(client, mailbox)
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
def test_aides_and_family_sign_up_to_the_dashboard(client, store, mailbox, role):
    data = {key: value for key, value in GOOD.items() if key != "health_data_consent"}
    response = sign_up(client, mailbox, {**data, "role": role})
    assert response.headers["Location"].endswith("/dashboard")
    user = store.one(User, email="ana@example.com")
    assert user.role == role
    assert store.count(Precaution, patient_id=user.id) == 0
    assert user.health_data_consent_at is None


def test_a_patient_signing_up_records_their_consent(client, store, mailbox):
    sign_up(client, mailbox)
    user = store.one(User, email="ana@example.com")
    assert user.health_data_consent_at is not None
    page = client.get("/auth/profile").text
    agreed = user.health_data_consent_at.astimezone(ZoneInfo("Europe/Lisbon"))
    assert f"You agreed on {agreed:%a} {agreed.day} {agreed:%b %Y}" in page


def test_the_next_page_is_kept_through_the_email(client, mailbox):
    response = sign_up(client, mailbox, url="/auth/signup?next=/aides")
    assert response.headers["Location"] == "/aides"


def _anonymous(page: str, address: str) -> str:
    """The page with the address and the per-browser form tokens blanked out."""
    page = page.replace(address, "ADDRESS")
    return re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', '"CSRF"', page)


def test_a_taken_address_gets_the_same_page_and_its_owner_an_email(app, make_user, store, mailbox):
    owner = make_user("family", email="ana@example.com", name="Ana Owner")
    taken_client, new_client = app.test_client(), app.test_client()
    taken = taken_client.post("/auth/signup", data={**GOOD, "email": "  ANA@Example.COM "})
    new = new_client.post("/auth/signup", data={**GOOD, "email": "bea@example.com"})
    assert (taken.status_code, taken.headers["Location"]) == (
        new.status_code,
        new.headers["Location"],
    )
    taken_page = taken_client.get("/auth/signup/check-email")
    new_page = new_client.get("/auth/signup/check-email")
    assert taken_page.status_code == new_page.status_code == 200
    assert _anonymous(taken_page.text, "ana@example.com") == _anonymous(
        new_page.text, "bea@example.com"
    )

    assert store.one(User, email="ana@example.com").password_hash == owner.password_hash
    assert store.one(User, email="ana@example.com").display_name == "Ana Owner"
    [notice] = mailbox.messages("ana@example.com")
    assert notice["Subject"] == "HomeStretch: Someone tried to sign up with your address"
    text = mailbox.text("ana@example.com")
    assert "Someone tried to create a HomeStretch account with this address" in text
    assert mailbox.link("ana@example.com") == "/auth/password/forgot"
    assert "/auth/signup/confirm/" not in text


def test_the_link_works_once(client, store, mailbox):
    sign_up(client, mailbox)
    link = mailbox.link("ana@example.com")
    other = client.application.test_client()
    for response in (other.get(link), other.post(link, data={})):
        assert response.status_code == 404
        assert "This link has expired or was already used." in response.text
        assert 'href="/auth/signup"' in response.text
    assert store.count(User) == 1


def test_a_link_older_than_a_day_creates_nothing(client, store, mailbox):
    client.post("/auth/signup", data=GOOD)
    link = mailbox.link("ana@example.com")
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1)):
        assert client.get(link).status_code == 404
        assert client.post(link, data={}).status_code == 404
    assert store.count(User) == 0


def test_the_first_confirmed_sign_up_wins(app, store, mailbox):
    first, second = app.test_client(), app.test_client()
    first.post("/auth/signup", data=GOOD)
    first_link = mailbox.link("ana@example.com")
    second.post("/auth/signup", data={**GOOD, "display_name": "Ana Two", "role": "aide"})
    second_link = mailbox.link("ana@example.com")
    assert first_link != second_link

    assert confirm(second, second_link).headers["Location"] == "/dashboard"
    assert store.one(User).display_name == "Ana Two"
    assert first.post(first_link, data={"password": PASSWORD}).status_code == 404
    assert store.count(User) == 1 and store.count(PendingSignup) == 0


def test_an_address_gets_at_most_three_sign_up_emails_an_hour(app, store, mailbox):
    for _ in range(4):
        response = app.test_client().post("/auth/signup", data=GOOD)
        assert response.headers["Location"] == "/auth/signup/check-email"
    assert len(mailbox.messages("ana@example.com")) == 3


def test_send_again_sends_a_fresh_link_and_both_work_until_one_is_used(client, store, mailbox):
    client.post("/auth/signup", data=GOOD)
    first = mailbox.link("ana@example.com")
    again = client.post("/auth/signup/check-email", data={}, follow_redirects=True)
    assert "We sent the email again" in again.text
    second = mailbox.link("ana@example.com")
    assert len(mailbox.messages("ana@example.com")) == 2 and first != second
    confirm(client, first)
    assert store.count(User) == 1
    assert client.application.test_client().get(second).status_code == 404


def test_send_again_for_a_taken_address_tells_the_owner_again(app, make_user, mailbox):
    make_user("family", email="ana@example.com")
    client = app.test_client()
    client.post("/auth/signup", data=GOOD)
    again = client.post("/auth/signup/check-email", data={}, follow_redirects=True)
    assert "We sent the email again" in again.text
    subjects = [message["Subject"] for message in mailbox.messages("ana@example.com")]
    assert subjects == ["HomeStretch: Someone tried to sign up with your address"] * 2


def test_check_email_page_without_a_sign_up_goes_to_the_form(client):
    assert client.get("/auth/signup/check-email").headers["Location"] == "/auth/signup"
    assert client.post("/auth/signup/check-email", data={}).headers["Location"] == "/auth/signup"


@pytest.mark.parametrize(
    "token",
    ["forged-token-that-was-never-sent", "x" * 5000, "%00", "QX-invitation-link-token"],
)
def test_a_forged_confirmation_link_creates_nothing(client, store, token):
    response = client.post(f"/auth/signup/confirm/{token}", data={})
    assert response.status_code == 404
    assert "This link has expired or was already used." in response.text
    assert store.count(User) == 0


def test_a_password_reset_link_does_not_confirm_a_sign_up(client, make_user, store, mailbox):
    make_user("family", email="bea@example.com")
    client.post("/auth/password/forgot", data={"email": "bea@example.com"})
    reset_token = mailbox.link("bea@example.com").rsplit("/", 1)[1]
    assert client.post(f"/auth/signup/confirm/{reset_token}", data={}).status_code == 404
    assert store.count(User) == 1


def test_an_address_taken_after_signing_up_gets_no_second_account(client, make_user, mailbox):
    client.post("/auth/signup", data=GOOD)
    link = mailbox.link("ana@example.com")
    make_user("aide", email="ana@example.com")
    response = confirm(client, link)
    assert response.status_code == 409
    assert "An account already uses this address" in response.text
    assert 'href="/auth/password/forgot"' in response.text


def test_a_patient_who_does_not_agree_gets_no_account(client, store):
    data = {key: value for key, value in GOOD.items() if key != "health_data_consent"}
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 422
    error = field_error(response.text, "health_data_consent")
    assert error is not None and "tick the box" in error
    assert store.count(User) == 0 and store.count(PendingSignup) == 0


def test_the_consent_box_is_on_the_signup_page(client):
    page = client.get("/auth/signup").text
    assert "I agree that HomeStretch stores my health data" in page
    assert 'name="health_data_consent"' in page


def test_nobody_signs_up_as_admin(client, store):
    response = client.post("/auth/signup", data={**GOOD, "role": "admin"})
    assert response.status_code == 422
    assert store.count(User) == 0 and store.count(PendingSignup) == 0


def test_email_is_stored_lower_case(client, store, mailbox):
    sign_up(client, mailbox, {**GOOD, "email": "Ana.Silva@Example.com"})
    assert store.one(User).email == "ana.silva@example.com"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Tell us what to call you."),
        ({"display_name": "x" * 201}, "display_name", "under 200 characters"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": ""}, "email", "Enter your email"),
        ({"email": "a" * 250 + "@example.com"}, "email", "too long"),
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
    error = field_error(response.text, field)
    assert error is not None and message in error
    assert store.count(User) == 0 and store.count(PendingSignup) == 0
    assert store.count(OutboxEmail) == 0


def test_a_128_character_pasted_password_is_fine(client, store, mailbox):
    long_password = "a long pasted passphrase! " * 4 + "abcdefghijklmnopqrstuvwx"
    assert len(long_password) == 128
    sign_up(client, mailbox, {**GOOD, "password": long_password, "confirm": long_password})
    assert store.count(User) == 1


def test_html_in_the_name_is_shown_escaped(client, mailbox):
    name = '<script>alert("hi")</script>'
    client.post("/auth/signup", data={**GOOD, "display_name": name})
    link = mailbox.link("ana@example.com")
    escaped = "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;"
    page = client.get(link).text
    assert "<script>alert" not in page and escaped in page
    page = client.post(link, data={"password": PASSWORD}, follow_redirects=True).text
    assert "<script>alert" not in page and escaped in page


def test_signup_without_csrf_token_is_refused(client, store):
    response = client.post("/auth/signup", data=GOOD, csrf=False)
    assert response.status_code == 400
    assert "form expired" in response.text
    assert store.count(User) == 0 and store.count(PendingSignup) == 0


def test_signing_up_again_and_again_from_one_address_is_slowed_down(app, client, store):
    app.config["SIGNUP_LIMIT_PER_IP"] = "2 per hour"
    for number in range(2):
        response = client.post("/auth/signup", data={**GOOD, "email": f"p{number}@example.com"})
        assert response.status_code == 302
    response = client.post("/auth/signup", data={**GOOD, "email": "p3@example.com"})
    assert response.status_code == 429
    assert store.count(PendingSignup) == 2


def test_signup_page_lists_time_zones_with_common_ones_first(client):
    page = client.get("/auth/signup").text
    assert page.index('value="America/New_York"') < page.index('value="Africa/Abidjan"')


def test_the_link_alone_does_not_create_an_account_without_the_password(client, store, mailbox):
    """Someone who signs up with another person's address cannot have that person press the
    button and so own an account whose password the first one knows."""
    client.post("/auth/signup", data=GOOD)
    link = mailbox.link("ana@example.com")
    for wrong in ({}, {"password": ""}, {"password": PASSWORD + "x"}):
        response = client.post(link, data=wrong)
        assert response.status_code == 422
        assert store.count(User) == 0
    assert "That is not the password chosen at sign-up" in response.text
    assert confirm(client, link).status_code == 302
    assert store.count(User) == 1
