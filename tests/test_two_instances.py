"""Two app servers on one database agree: on who is logged in, on bookings, on failed logins.

HomeStretch keeps no state in an app server, so behind a load balancer each request may land
on a different one. These tests build two apps with create_app on the suite's database.
"""

import multiprocessing

import pytest

from tests.conftest import PASSWORD, Client, _config_dict
from webapp import create_app
from webapp.extensions import db
from webapp.scheduling.models import Visit

WRONG = "not the password at all"


@pytest.fixture
def other_app(app, database_url):
    """A second HomeStretch app server on the same database as `app`."""
    second = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    second.test_client_class = Client
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def _same_browser(source, target_app):
    """A client of another app server carrying the cookies `source` holds."""
    client = target_app.test_client()
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            client.set_cookie(name, cookie.value)
    return client


def test_a_session_started_on_one_server_is_honoured_and_ended_on_both(
    app, other_app, patient, login
):
    on_a = login(app.test_client(), patient)
    on_b = _same_browser(on_a, other_app)
    assert "Hello, Rosa Patient" in on_b.get("/dashboard").get_data(as_text=True)
    on_a.post("/auth/logout", data={})
    assert on_a.get("/dashboard").status_code == 302
    response = on_b.get("/dashboard")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_remembered_session_ends_on_both_servers(app, other_app, patient):
    on_a = app.test_client()
    on_a.post("/auth/login", data={"email": patient.email, "password": PASSWORD, "remember": "y"})
    remembered = other_app.test_client()
    remembered.set_cookie("remember_token", on_a.get_cookie("remember_token").value)
    assert remembered.get("/dashboard").status_code == 200
    on_a.post("/auth/logout", data={})
    fresh_start = other_app.test_client()  # a browser restarted with only the remember cookie
    fresh_start.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    assert fresh_start.get("/dashboard").status_code == 302


def test_a_booking_made_on_one_server_is_seen_on_the_other(
    app, other_app, make_aide, login, patient, post_request, store
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    booker = login(app.test_client(), make_aide("Vera Verified"))
    rival_on_b = login(other_app.test_client(), make_aide("Olga Other"))
    assert f'id="visit-{visit.id}"' in rival_on_b.get("/board").get_data(as_text=True)

    assert booker.post(f"/visits/{visit.id}/book", data={}).status_code == 302

    assert f'id="visit-{visit.id}"' not in rival_on_b.get("/board").get_data(as_text=True)
    late = rival_on_b.post(f"/visits/{visit.id}/book", data={})
    assert late.status_code == 409
    booker_on_b = _same_browser(booker, other_app)
    assert "1 Elm Street" in booker_on_b.get(f"/visits/{visit.id}").get_data(as_text=True)


def test_failed_logins_on_both_servers_add_up(app, other_app, patient):
    on_a, on_b = app.test_client(), other_app.test_client()
    for client in (on_a, on_b, on_a):
        assert _attempt(client, patient.email, WRONG) == 401
    # Two more from a separate process, as another gunicorn worker would receive them.
    assert _attempts_from_another_process(other_app, patient.email, [WRONG, WRONG]) == [401, 401]
    assert _attempt(on_a, patient.email, PASSWORD) == 429
    assert _attempt(on_b, patient.email, PASSWORD) == 429
    assert _attempts_from_another_process(other_app, patient.email, [PASSWORD]) == [429]


def _attempt(client, email, password) -> int:
    return client.post("/auth/login", data={"email": email, "password": password}).status_code


def _attempts_from_another_process(server, email, passwords) -> list[int]:
    """Log-in attempts made by a forked OS process with its own app and its own memory."""
    url = server.config["SQLALCHEMY_DATABASE_URI"]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_attempts_in_this_process, (url, email, passwords))


def _attempts_in_this_process(database_url, email, passwords) -> list[int]:
    server = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    server.test_client_class = Client
    client = server.test_client()
    return [_attempt(client, email, password) for password in passwords]
