"""A person who forgot their password gets a link by email and chooses a new one.

Asking reveals nothing about who has an account; the link works once, for an hour, and using
it logs out every device that was logged in.
"""

import re
from datetime import timedelta

import pytest
import time_machine

from tests.conftest import PASSWORD, field_error
from webapp.auth.models import LoginFailure, PasswordReset, PendingSignup, User, UserSession
from webapp.database import utcnow
from webapp.notifications.models import OutboxEmail

NEW_PASSWORD = "a fresh sentence after the holidays"
SENT = (
    "If an account uses that address, we sent it a link to choose a new password. "
    "It works for one hour."
)


@pytest.fixture
def rosa(make_user):
    return make_user("patient", email="rosa@example.com", name="Rosa Patient")


def forgot(client, email):
    return client.post("/auth/password/forgot", data={"email": email})


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(
        link, data={"password": password, "confirm": password if confirm is None else confirm}
    )


def can_log_in(app, email, password) -> bool:
    response = app.test_client().post("/auth/login", data={"email": email, "password": password})
    return response.status_code == 302


def _without_tokens(page: str) -> str:
    return re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', '"CSRF"', page)


def test_the_login_page_offers_a_way_back_in(client):
    page = client.get("/auth/login").text
    assert '<a href="/auth/password/forgot">Forgot your password?</a>' in page
    assert client.get("/auth/password/forgot").status_code == 200


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_an_email(
    app, rosa, store, mailbox
):
    known = forgot(app.test_client(), "Rosa@Example.com ")
    unknown = forgot(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert SENT in known.text
    assert _without_tokens(known.text) == _without_tokens(unknown.text)

    assert mailbox.messages("nobody@example.com") == []
    [email] = mailbox.messages("rosa@example.com")
    assert email["Subject"] == "HomeStretch: Choose a new password"
    assert "works once, for one hour" in mailbox.text("rosa@example.com")
    link = mailbox.link("rosa@example.com")
    assert re.fullmatch(r"/auth/password/reset/[\w-]{43}", link)
    # Only the token's hash is kept with the reset.
    reset = store.one(PasswordReset)
    assert reset.user_id == rosa.id and link.rsplit("/", 1)[1] not in reset.token_hash
    assert reset.expires_at - reset.created_at == timedelta(hours=1)


def test_following_the_link_sets_a_new_password_and_logs_in_here(app, client, rosa, mailbox):
    forgot(client, "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a new password" in page.text and "rosa@example.com" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"

    response = choose(client, link)
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Your new password is set." in dashboard.text
    assert not can_log_in(app, "rosa@example.com", PASSWORD)
    assert can_log_in(app, "rosa@example.com", NEW_PASSWORD)


def test_the_owner_is_told_by_email_that_the_password_changed(client, rosa, mailbox):
    forgot(client, "rosa@example.com")
    choose(client, mailbox.link("rosa@example.com"))
    notice = mailbox.newest("rosa@example.com")
    assert notice["Subject"] == "HomeStretch: Your password was changed"
    assert "Every device that was logged in has been logged out" in mailbox.text("rosa@example.com")
    assert mailbox.link("rosa@example.com") == "/auth/password/forgot"


def test_every_device_logged_in_before_is_logged_out(app, rosa, login, mailbox):
    phone = login(app.test_client(), rosa)
    laptop = app.test_client()
    laptop.post("/auth/login", data={"email": rosa.email, "password": PASSWORD, "remember": "y"})
    assert phone.get("/dashboard").status_code == 200

    stranger = app.test_client()
    forgot(stranger, "rosa@example.com")
    choose(stranger, mailbox.link("rosa@example.com"))

    for device in (phone, laptop):
        response = device.get("/dashboard")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    assert stranger.get("/dashboard").status_code == 200


def test_the_link_works_once_and_a_second_use_changes_nothing(app, client, rosa, store, mailbox):
    forgot(client, "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    choose(client, link)
    hash_after_first = store.one(User, id=rosa.id).password_hash

    other = app.test_client()
    for response in (other.get(link), choose(other, link, "yet another long sentence")):
        assert response.status_code == 404
        assert "This link has expired or was already used." in response.text
        assert 'href="/auth/password/forgot"' in response.text
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert store.one(User, id=rosa.id).password_hash == hash_after_first
    assert can_log_in(app, "rosa@example.com", NEW_PASSWORD)


def test_a_link_older_than_an_hour_fails(app, client, rosa, store, mailbox):
    forgot(client, "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        assert client.get(link).status_code == 404
        response = choose(client, link)
        assert response.status_code == 404
        assert "This link has expired or was already used." in response.text
    assert store.one(User, id=rosa.id).password_hash == rosa.password_hash
    assert can_log_in(app, "rosa@example.com", PASSWORD)


def test_using_one_link_voids_the_others(app, rosa, mailbox):
    forgot(app.test_client(), "rosa@example.com")
    first = mailbox.link("rosa@example.com")
    forgot(app.test_client(), "rosa@example.com")
    second = mailbox.link("rosa@example.com")
    assert first != second
    choose(app.test_client(), second)
    assert choose(app.test_client(), first, "yet another long sentence").status_code == 404
    assert can_log_in(app, "rosa@example.com", NEW_PASSWORD)


def test_changing_the_password_on_the_profile_voids_the_links(app, rosa, login, mailbox):
    forgot(app.test_client(), "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    client = login(app.test_client(), rosa)
    client.post(
        "/auth/profile/password",
        data={
            "change_password-current_password": PASSWORD,
            "change_password-password": NEW_PASSWORD,
            "change_password-confirm": NEW_PASSWORD,
        },
    )
    assert app.test_client().get(link).status_code == 404


def test_an_account_gets_at_most_three_reset_emails_an_hour(app, rosa, store, mailbox):
    for _ in range(5):
        response = forgot(app.test_client(), "rosa@example.com")
        assert response.status_code == 200 and SENT in response.text
    assert len(mailbox.messages("rosa@example.com")) == 3
    assert store.count(PasswordReset) == 3
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        forgot(app.test_client(), "rosa@example.com")
        assert len(mailbox.messages("rosa@example.com")) == 4


def test_asking_again_and_again_is_slowed_down_per_address(app, rosa, store):
    app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"] = "4 per hour"
    client = app.test_client()
    statuses = [forgot(client, "rosa@example.com").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # Another address from the same place is still answered.
    assert forgot(client, "dan@example.com").status_code == 200


def test_asking_for_many_addresses_from_one_place_is_slowed_down(app, rosa, store):
    app.config["PASSWORD_RESET_LIMIT_PER_IP"] = "3 per hour"
    client = app.test_client()
    statuses = [forgot(client, f"person{n}@example.com").status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    response = forgot(client, "rosa@example.com")
    assert response.status_code == 429
    assert store.count(PasswordReset) == 0


def test_a_reset_clears_the_failed_logins_counted_against_the_account(app, rosa, store, mailbox):
    guesser = app.test_client()
    for _ in range(3):
        guesser.post("/auth/login", data={"email": rosa.email, "password": "a wrong guess!"})
    assert store.count(LoginFailure) == 3
    forgot(app.test_client(), "rosa@example.com")
    choose(app.test_client(), mailbox.link("rosa@example.com"))
    assert store.count(LoginFailure) == 0


def test_a_deleted_account_gets_no_link(app, rosa, login, store, mailbox):
    client = login(app.test_client(), rosa)
    forgot(app.test_client(), "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert store.count(PasswordReset) == 0
    assert app.test_client().get(link).status_code == 404
    forgot(app.test_client(), "rosa@example.com")
    assert len(mailbox.messages("rosa@example.com")) == 1


def test_deleting_an_account_deletes_the_sign_ups_waiting_for_its_address(
    app, rosa, login, store, mailbox
):
    app.test_client().post(
        "/auth/signup",
        data={
            "display_name": "Someone Else",
            "email": "rosa@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "aide",
            "timezone": "UTC",
        },
    )
    assert store.count(PendingSignup) == 1
    client = login(app.test_client(), rosa)
    client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert store.count(PendingSignup) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "confirm": "short"}, "at least 12"),
        ({"password": "password1234", "confirm": "password1234"}, "first ones attackers try"),
        ({"password": "p" * 129, "confirm": "p" * 129}, "at most 128"),
        ({"confirm": "not the same sentence at all"}, "The passwords differ."),
        ({"password": "", "confirm": ""}, "Choose a new password."),
    ],
)
def test_a_bad_new_password_is_refused_and_the_link_still_works(
    app, client, rosa, store, mailbox, changes, message
):
    forgot(client, "rosa@example.com")
    link = mailbox.link("rosa@example.com")
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **changes}
    response = client.post(link, data=data)
    assert response.status_code == 422
    field = "confirm" if "differ" in message else "password"
    assert message in field_error(response.text, field)
    assert store.one(User, id=rosa.id).password_hash == rosa.password_hash
    assert store.one(PasswordReset).used_at is None
    assert choose(client, link).status_code == 302


@pytest.mark.parametrize(
    "email", ["", "   ", "not-an-address", "a" * 250 + "@example.com", "rosa@example.com\x07"]
)
def test_a_bad_address_gets_a_clear_message_and_sends_nothing(client, rosa, store, email):
    response = forgot(client, email)
    assert response.status_code == 422
    assert field_error(response.text, "email")
    assert store.count(PasswordReset) == 0 and store.count(OutboxEmail) == 0


@pytest.mark.parametrize(
    "token", ["forged-token-that-was-never-sent", "x" * 5000, "%00", "..%2F..%2Fetc"]
)
def test_a_forged_link_opens_nothing(client, rosa, store, token):
    link = f"/auth/password/reset/{token}"
    for response in (client.get(link), choose(client, link)):
        assert response.status_code == 404
    assert store.one(User, id=rosa.id).password_hash == rosa.password_hash


def test_a_sign_up_confirmation_link_resets_no_password(client, rosa, store, mailbox):
    client.post(
        "/auth/signup",
        data={
            "display_name": "Bea",
            "email": "bea@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "aide",
            "timezone": "UTC",
        },
    )
    token = mailbox.link("bea@example.com").rsplit("/", 1)[1]
    assert choose(client, f"/auth/password/reset/{token}").status_code == 404
    assert store.one(User, id=rosa.id).password_hash == rosa.password_hash


def test_someone_logged_in_here_as_another_person_is_logged_out_by_the_reset(
    app, rosa, make_user, login, store, mailbox
):
    dan = make_user("family", email="dan@example.com")
    shared = login(app.test_client(), dan)
    forgot(shared, "rosa@example.com")
    choose(shared, mailbox.link("rosa@example.com"))
    assert "Rosa Patient" in shared.get("/dashboard").text
    [dans_session] = store.all(UserSession, user_id=dan.id)
    assert dans_session.ended_at is not None


def test_following_the_link_while_logged_in_to_the_same_account_works(
    app, rosa, login, store, mailbox
):
    client = login(app.test_client(), rosa)
    forgot(client, "rosa@example.com")
    response = choose(client, mailbox.link("rosa@example.com"))
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert [row.ended_at is None for row in store.all(UserSession, user_id=rosa.id)] == [
        False,
        True,
    ]


def test_a_device_logged_out_by_a_reset_can_still_follow_a_new_link(app, rosa, login, mailbox):
    phone = login(app.test_client(), rosa)
    forgot(app.test_client(), "rosa@example.com")
    choose(app.test_client(), mailbox.link("rosa@example.com"))
    forgot(phone, "rosa@example.com")
    page = phone.get(mailbox.link("rosa@example.com"))
    assert page.status_code == 200 and "Choose a new password" in page.text
    assert (
        choose(phone, mailbox.link("rosa@example.com"), "the third sentence this week").status_code
        == 302
    )
    assert can_log_in(app, "rosa@example.com", "the third sentence this week")
