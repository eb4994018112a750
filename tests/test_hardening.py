"""Odd input, other people's ids, caching, clock changes and early check-outs: each answered
plainly, with nothing changed and nothing given away."""

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from itsdangerous.timed import TimestampSigner

from tests.marketplace.test_requests import form as request_form
from tests.visits.conftest import move_visit
from webapp.auth.models import User
from webapp.care.models import RoutineItem
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.main.template_helpers import visit_time
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import Visit
from webapp.visits import services as visit_services
from webapp.visits.models import VisitReport

NUL_SAYS = "invisible character it cannot accept"
GARBLED_SAYS = "The form arrived garbled"


# Numbers: ASCII digits only -------------------------------------------------------------


@pytest.mark.parametrize("number", ["²", "\u0663", "1_0", "-1", "99999999999999999999", "x"])
def test_a_strange_board_page_number_shows_the_first_page(
    verified_aide_client, patient, post_request, number
):
    post_request(patient, start="07:15", end="08:15")
    response = verified_aide_client.get(f"/board?page={quote(number)}")
    assert response.status_code == 200
    assert "1 open visit." in response.get_data(as_text=True)
    assert "07:15–08:15" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", ["²", "\u0663", "99999999999999999999"])
def test_a_strange_directory_page_number_shows_the_first_page(verified_aide_client, number):
    assert verified_aide_client.get(f"/aides?page={quote(number)}").status_code == 200


@pytest.mark.parametrize("visit_id", ["²", "\u0663", "1_0", "", "12345678901"])
def test_a_series_booking_with_unreadable_visit_ids_books_nothing(
    verified_aide_client, patient, post_request, store, visit_id
):
    request = post_request(patient, weekdays=[0, 2], count=4)
    real = [str(visit.id) for visit in store.all(Visit, request_id=request.id)]
    response = verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": [*real, visit_id]}
    )
    assert response.status_code == 400
    assert "That list of visits could not be read" in response.get_data(as_text=True)
    assert {visit.status for visit in store.all(Visit, request_id=request.id)} == {"open"}


# NUL characters: one filter for every form ----------------------------------------------


def test_a_nul_in_the_login_email_is_refused_plainly(client, patient):
    response = client.post(
        "/auth/login", data={"email": patient.email + "\x00", "password": "whatever it is"}
    )
    assert response.status_code == 400
    assert NUL_SAYS in response.get_data(as_text=True)


def test_a_nul_in_a_hidden_field_of_a_request_posts_nothing(patient_client, patient, store):
    for slug in ("thomas-stretch", "cold-pack"):
        patient_client.post(f"/patients/{patient.id}/routine/items", data={"exercise": slug})
    data = request_form(store.all(RoutineItem, patient_id=patient.id), submission_key="k\x00ey")
    response = patient_client.post("/requests/new", data=data)
    assert response.status_code == 400
    assert NUL_SAYS in response.get_data(as_text=True)
    assert store.count(AssistanceRequest) == 0


@pytest.mark.parametrize("field", ["name", "dose"])
def test_a_nul_in_any_text_field_changes_nothing(patient_client, patient, store, field):
    data = {"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ["morning"]}
    data[field] += "\x00"
    response = patient_client.post(f"/patients/{patient.id}/medications", data=data)
    assert response.status_code == 400
    assert NUL_SAYS in response.get_data(as_text=True)
    from webapp.care.models import Medication

    assert store.count(Medication) == 0


def test_a_nul_in_a_search_is_refused(verified_aide_client):
    response = verified_aide_client.get("/board?area=Spring%00field")
    assert response.status_code == 400
    assert NUL_SAYS in response.get_data(as_text=True)


# Bytes that are not UTF-8 ---------------------------------------------------------------


def test_a_garbled_form_is_called_garbled_not_expired(patient_client, patient, store):
    token = quote(patient_client.csrf_token())
    body = f"csrf_token={token}&name=Ibu%FFprofen&dose=400+mg&times_of_day=morning"
    response = patient_client.post(
        f"/patients/{patient.id}/medications",
        data=body,
        content_type="application/x-www-form-urlencoded",
        csrf=False,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert GARBLED_SAYS in page and "expired" not in page
    from webapp.care.models import Medication

    assert store.count(Medication) == 0


def test_a_garbled_query_string_is_called_garbled(verified_aide_client):
    response = verified_aide_client.get("/board?area=%FF%FE")
    assert response.status_code == 400
    assert GARBLED_SAYS in response.get_data(as_text=True)


def test_a_form_that_merely_mentions_percent_signs_is_fine(patient_client, patient, store):
    response = patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen %FF", "dose": "100% of 400 mg", "times_of_day": ["morning"]},
    )
    assert response.status_code == 302
    from webapp.care.models import Medication

    assert store.one(Medication).name == "Ibuprofen %FF"


# Ids reveal nothing ---------------------------------------------------------------------


@pytest.fixture
def still_clock(monkeypatch):
    """Signed tokens on the page (the log-out form's CSRF token) carry the second they were
    made; hold the clock so two pages differ only in what they say."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)


def test_someone_elses_request_or_visit_answers_exactly_like_a_missing_one(
    app, patient, make_user, make_aide, login, post_request, store, still_clock
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    missing = 987_654
    routes = [
        ("get", "/requests/{}"),
        ("get", "/requests/{}/edit"),
        ("post", "/requests/{}/edit"),
        ("post", "/requests/{}/cancel"),
        ("post", "/visits/{}/cancel"),
        ("post", "/visits/{}/cancel-rest"),
    ]
    other_patient = login(app.test_client(), make_user("patient", name="Olga Other"))
    other_aide = login(app.test_client(), make_aide("Otto Other"))
    for outsider in (other_patient, other_aide):
        for method, path in routes:
            real_id = visit.id if path.startswith("/visits") else request.id
            theirs = getattr(outsider, method)(path.format(real_id), data={})
            nothing = getattr(outsider, method)(path.format(missing), data={})
            if path == "/requests/{}" and outsider is other_aide:
                assert theirs.status_code == 200  # on the board: aides may look before booking
                continue
            assert theirs.status_code == nothing.status_code == 404, path
            assert theirs.get_data() == nothing.get_data(), path
    assert store.one(Visit, id=visit.id).status == "open"
    assert store.one(AssistanceRequest, id=request.id).status == "active"


# Caching and HTTPS ----------------------------------------------------------------------


def test_pages_for_a_logged_in_person_are_never_stored(patient_client, patient):
    for path in ("/dashboard", f"/patients/{patient.id}/routine", "/requests", "/no-such-page"):
        response = patient_client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Pragma"] == "no-cache", path


def test_static_files_and_public_pages_stay_cacheable(client, patient_client):
    with patient_client.get("/static/css/app.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/about").headers.get("Cache-Control", "")


def test_https_deployments_tell_browsers_to_stay_on_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/about").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/about")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# A visit across the autumn clock change -------------------------------------------------


def test_a_visit_across_the_fall_back_hour_names_both_offsets(
    patient_client, patient, post_request, store
):
    request = post_request(patient, first_date=date(2027, 11, 7), start="01:30", end="02:30")
    visit = store.one(Visit, request_id=request.id)
    assert visit.duration_minutes == 120  # 01:30 on summer time to 02:30 on winter time
    page = patient_client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "Sun 7 Nov 2027, 01:30 EDT – 02:30 EST (2 h)" in page
    assert "01:30–02:30 EST" not in page


def test_an_ordinary_visit_keeps_its_short_label(patient, post_request, store, app):
    request = post_request(patient, first_date=date(2027, 11, 8), start="09:00", end="10:00")
    with app.app_context():
        visit = db.session.get(Visit, store.one(Visit, request_id=request.id).id)
        assert visit_time(visit) == "Mon 8 Nov 2027, 09:00–10:00 EST"


# Check-out waits for the start; an early one is marked short ----------------------------


@pytest.fixture
def booked(app, patient, verified_aide, verified_aide_client, post_request, store):
    """A one-hour visit a week ahead, booked by Vera."""
    visit = store.one(Visit, request_id=post_request(patient).id)
    assert verified_aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    return store.one(Visit, id=visit.id)


def _as_aide(app, visit, aide, action, minutes_after_start):
    """Run a visit service for the aide at a moment set relative to the planned start."""
    now = visit.starts_at + timedelta(minutes=minutes_after_start)
    visit_id, aide_id = visit.id, aide.id
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        aide = db.session.get(User, aide_id)
        try:
            return action(aide, visit, now)
        finally:
            db.session.commit()


def test_check_out_before_the_start_is_refused_and_changes_nothing(
    app, booked, verified_aide, store
):
    _as_aide(app, booked, verified_aide, visit_services.check_in, -11)
    with pytest.raises(Conflict, match="you can check out once it has started"):
        _as_aide(app, booked, verified_aide, visit_services.check_out, -10)
    assert store.one(Visit, id=booked.id).status == "checked_in"
    assert store.one(VisitReport, visit_id=booked.id).checked_out_at is None


def test_check_out_before_the_start_through_the_page(app, booked, verified_aide_client, store):
    move_visit(app, booked.id, minutes_from_now=11)
    assert verified_aide_client.post(f"/visits/{booked.id}/check-in", data={}).status_code == 302
    response = verified_aide_client.post(f"/visits/{booked.id}/check-out", data={})
    assert response.status_code == 409
    assert "you can check out once it has started" in response.get_data(as_text=True)
    assert store.one(Visit, id=booked.id).status == "checked_in"


def test_a_visit_left_early_is_marked_short_with_the_time_spent(
    app, booked, verified_aide, patient_client
):
    _as_aide(app, booked, verified_aide, visit_services.check_in, -5)
    _as_aide(app, booked, verified_aide, visit_services.check_out, 20)
    summary = patient_client.get(f"/visits/{booked.id}/summary").get_data(as_text=True)
    assert "25 min of 1 h booked" in summary
    assert "Short visit" in summary and "checked out 40 min before the planned end" in summary


def test_a_visit_ended_a_few_minutes_early_is_not_short(app, booked, verified_aide, patient_client):
    _as_aide(app, booked, verified_aide, visit_services.check_in, 0)
    _as_aide(app, booked, verified_aide, visit_services.check_out, 50)
    summary = patient_client.get(f"/visits/{booked.id}/summary").get_data(as_text=True)
    assert "50 min of 1 h booked" in summary and "Short visit" not in summary


def test_behind_a_load_balancer_the_client_address_counts(database_url, _schema):
    """With PROXY_FIX_HOPS=1 the app sees the address the balancer forwarded, not its own."""
    from flask import request

    from tests.conftest import _config_dict
    from webapp import create_app

    app = create_app(
        {**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, "PROXY_FIX_HOPS": 1}
    )
    seen = {}

    @app.get("/__address")
    def _address():
        seen["address"] = request.remote_addr
        return "ok"

    app.test_client().get(
        "/__address",
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert seen["address"] == "203.0.113.9"
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()
