"""Verified aides find open visits on the board and book one or a whole series."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.scheduling.models import Visit, VisitCancellation


def test_verified_aide_books_one_visit_and_sees_address_and_care_plan(
    verified_aide_client, verified_aide, patient, post_request, store
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)

    before = verified_aide_client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "Springfield 12345" in before and "Thomas stretch" in before
    assert "1 Elm Street" not in before and "Ring twice" not in before
    assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 404

    response = verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    assert response.status_code == 302
    booked = store.one(Visit, id=visit.id)
    assert (booked.status, booked.aide_id) == ("booked", verified_aide.id)

    page = verified_aide_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "1 Elm Street" in page and "Ring twice" in page
    assert "Hug one knee toward your chest" in page  # the exercise card's steps
    assert "Going up and down stairs" in page  # what to avoid
    assert "3 times each side" in page  # the patient's own dose


def test_another_aide_no_longer_sees_a_booked_visit(
    app, verified_aide_client, make_aide, login, patient, post_request, store
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    other = login(app.test_client(), make_aide("Olga Other"))
    assert f'id="visit-{visit.id}"' in other.get("/board").get_data(as_text=True)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    assert f'id="visit-{visit.id}"' not in other.get("/board").get_data(as_text=True)
    late = other.post(f"/visits/{visit.id}/book", data={})
    assert late.status_code == 409
    assert "another aide booked this visit first" in late.get_data(as_text=True)
    assert other.get(f"/visits/{visit.id}").status_code == 404


def test_aide_books_a_whole_series(
    verified_aide_client, verified_aide, patient, post_request, store
):
    request = post_request(patient, weekdays=[0, 2, 4], count=9)
    visits = store.all(Visit, request_id=request.id)
    response = verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": [str(v.id) for v in visits]}
    )
    assert response.status_code == 302
    assert store.count(Visit, aide_id=verified_aide.id, status="booked") == 9
    page = verified_aide_client.get("/my-visits").get_data(as_text=True)
    assert page.count('class="card slot"') == 9


def test_series_booking_is_all_or_nothing_and_lists_conflicts(
    verified_aide_client, verified_aide, patient, make_user, post_request, store
):
    request = post_request(patient, weekdays=[0, 2, 4], count=6)
    visits = store.all(Visit, request_id=request.id)
    # The aide already holds a visit for another patient at the time of the third slot.
    other_patient = make_user("patient")
    clash = post_request(
        other_patient,
        first_date=visits[2].starts_at.astimezone(ZoneInfo("America/New_York")).date(),
        start="09:30",
        end="10:30",
    )
    clash_visit = store.one(Visit, request_id=clash.id)
    assert verified_aide_client.post(f"/visits/{clash_visit.id}/book", data={}).status_code == 302

    response = verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": [str(v.id) for v in visits]}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "None of the visits were booked" in page
    assert "you have another visit at that time" in page
    assert store.count(Visit, request_id=request.id, status="open") == 6


def test_back_to_back_visits_do_not_overlap(
    verified_aide_client, patient, make_user, post_request, store
):
    first = store.one(Visit, request_id=post_request(patient, start="09:00", end="10:00").id)
    second_request = post_request(make_user("patient"), start="10:00", end="11:00")
    second = store.one(Visit, request_id=second_request.id)
    assert verified_aide_client.post(f"/visits/{first.id}/book", data={}).status_code == 302
    assert verified_aide_client.post(f"/visits/{second.id}/book", data={}).status_code == 302


def test_overlapping_visit_is_refused(
    verified_aide_client, patient, make_user, post_request, store
):
    first = store.one(Visit, request_id=post_request(patient, start="09:00", end="10:00").id)
    other = post_request(make_user("patient"), start="09:59", end="11:00")
    second = store.one(Visit, request_id=other.id)
    verified_aide_client.post(f"/visits/{first.id}/book", data={})
    response = verified_aide_client.post(f"/visits/{second.id}/book", data={})
    assert response.status_code == 409
    assert "two places at once" in response.get_data(as_text=True)
    assert store.one(Visit, id=second.id).status == "open"


def test_unverified_aide_browses_but_cannot_book(
    app, make_aide, login, patient, post_request, store
):
    aide = make_aide("Una Unverified", verified=False)
    client = login(app.test_client(), aide)
    visit = store.one(Visit, request_id=post_request(patient).id)
    board = client.get("/board").get_data(as_text=True)
    assert "you cannot book yet" in board
    response = client.post(f"/visits/{visit.id}/book", data={})
    assert response.status_code == 403
    assert "not verified yet" in response.get_data(as_text=True)
    assert store.one(Visit, id=visit.id).status == "open"


def test_patients_and_family_cannot_book(
    patient_client, family_client, make_user, post_request, store
):
    visit = store.one(Visit, request_id=post_request(make_user("patient")).id)
    for client in (patient_client, family_client):
        assert client.get("/board").status_code == 404
        assert client.post(f"/visits/{visit.id}/book", data={}).status_code == 403
    assert store.one(Visit, id=visit.id).status == "open"


def test_cancelled_or_past_slots_cannot_be_booked(
    app, verified_aide_client, patient, patient_client, post_request, store
):
    visit = store.one(Visit, request_id=post_request(patient).id)
    patient_client.post(f"/visits/{visit.id}/cancel", data={})
    response = verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    assert response.status_code in (404, 409)
    assert store.one(Visit, id=visit.id).status == "cancelled"

    past = store.one(Visit, request_id=post_request(patient, days_ahead=2).id)
    with app.app_context():
        from webapp.extensions import db

        row = db.session.get(Visit, past.id)
        row.starts_at -= timedelta(days=3)
        row.ends_at -= timedelta(days=3)
        db.session.commit()
    assert f'id="visit-{past.id}"' not in verified_aide_client.get("/board").get_data(as_text=True)
    response = verified_aide_client.post(f"/visits/{past.id}/book", data={})
    assert response.status_code == 409
    assert store.one(Visit, id=past.id).status == "open"


def test_unknown_visit_is_not_found(verified_aide_client):
    assert verified_aide_client.post("/visits/987654/book", data={}).status_code == 404


def test_aide_cancels_and_the_slot_reopens(
    verified_aide_client, verified_aide, patient, post_request, store
):
    visit = store.one(Visit, request_id=post_request(patient, days_ahead=5).id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    response = verified_aide_client.post(f"/visits/{visit.id}/cancel", data={})
    assert response.status_code == 302
    reopened = store.one(Visit, id=visit.id)
    assert (reopened.status, reopened.aide_id) == ("open", None)
    cancellation = store.one(VisitCancellation, visit_id=visit.id)
    assert (cancellation.side, cancellation.late, cancellation.aide_id) == (
        "aide",
        False,
        verified_aide.id,
    )
    assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 404


def test_aide_cancelling_within_24_hours_is_late(
    verified_aide_client, patient, post_request, store, app
):
    visit = store.one(Visit, request_id=post_request(patient, days_ahead=3).id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    _move_to_hours_from_now(app, visit.id, 10)
    verified_aide_client.post(f"/visits/{visit.id}/cancel", data={})
    assert store.one(VisitCancellation, visit_id=visit.id).late is True


def test_patient_cancelling_within_24_hours_tells_the_aide_it_is_late(
    verified_aide_client, patient_client, patient, post_request, store, app
):
    visit = store.one(Visit, request_id=post_request(patient, days_ahead=3).id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    _move_to_hours_from_now(app, visit.id, 5)
    response = patient_client.post(f"/visits/{visit.id}/cancel", data={}, follow_redirects=True)
    assert "late cancellation" in response.get_data(as_text=True)
    assert store.one(Visit, id=visit.id).cancelled_late is True
    aide_page = verified_aide_client.get("/my-visits").get_data(as_text=True)
    assert "Cancelled by the patient, late" in aide_page


def test_patient_cancels_the_rest_of_a_series(patient_client, patient, post_request, store):
    request = post_request(patient, weekdays=[0, 2, 4], count=6)
    visits = store.all(Visit, request_id=request.id)
    patient_client.post(f"/visits/{visits[3].id}/cancel-rest", data={})
    statuses = [v.status for v in store.all(Visit, request_id=request.id)]
    assert statuses == ["open", "open", "open", "cancelled", "cancelled", "cancelled"]


def test_strangers_cannot_cancel(
    app, verified_aide_client, make_aide, login, patient, post_request, store
):
    visit = store.one(Visit, request_id=post_request(patient).id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    other = login(app.test_client(), make_aide("Olga Other"))
    assert other.post(f"/visits/{visit.id}/cancel", data={}).status_code == 404
    assert other.post(f"/visits/{visit.id}/cancel-rest", data={}).status_code == 404
    assert store.one(Visit, id=visit.id).status == "booked"


def _move_to_hours_from_now(app, visit_id, hours):
    from webapp.database import utcnow
    from webapp.extensions import db

    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        length = visit.ends_at - visit.starts_at
        visit.starts_at = utcnow() + timedelta(hours=hours)
        visit.ends_at = visit.starts_at + length
        db.session.commit()


@pytest.mark.parametrize(
    "query",
    ["?area=spring", "?area=12345", "?task=thomas-stretch", "?min_rate=25", ""],
)
def test_board_filters_find_the_visit(verified_aide_client, patient, post_request, store, query):
    visit = store.one(Visit, request_id=post_request(patient).id)
    page = verified_aide_client.get("/board" + query).get_data(as_text=True)
    assert f'id="visit-{visit.id}"' in page


@pytest.mark.parametrize(
    "query",
    ["?area=shelbyville", "?task=cold-pack", "?task=medications", "?min_rate=29"],
)
def test_board_filters_leave_out_what_does_not_match(
    verified_aide_client, patient, post_request, store, query
):
    visit = store.one(Visit, request_id=post_request(patient).id)
    page = verified_aide_client.get("/board" + query).get_data(as_text=True)
    assert f'id="visit-{visit.id}"' not in page


def test_board_date_filter_and_bad_filters(verified_aide_client, patient, post_request, store):
    visit = store.one(Visit, request_id=post_request(patient, days_ahead=10).id)
    from datetime import date

    soon = (date.today() + timedelta(days=3)).isoformat()
    later = (date.today() + timedelta(days=30)).isoformat()
    page = verified_aide_client.get(f"/board?date_from={soon}&date_to={later}").get_data(True)
    assert f'id="visit-{visit.id}"' in page
    page = verified_aide_client.get(f"/board?date_to={soon}").get_data(as_text=True)
    assert f'id="visit-{visit.id}"' not in page
    bad = verified_aide_client.get(f"/board?date_from={later}&date_to={soon}")
    assert bad.status_code == 422
    assert "before the start date" in bad.get_data(as_text=True)
    assert verified_aide_client.get("/board?min_rate=abc").status_code == 422
    assert verified_aide_client.get("/board?date_to=9999-12-31").status_code == 422
    assert verified_aide_client.get("/board?date_from=not-a-date").status_code == 422
    assert verified_aide_client.get("/board?page=-4").status_code == 200


def test_offered_request_is_seen_by_the_chosen_aide_only_at_first(
    app, verified_aide_client, verified_aide, make_aide, login, patient, post_request, store
):
    request = post_request(patient, offered_to_id=verified_aide.id)
    visit = store.one(Visit, request_id=request.id)
    other = login(app.test_client(), make_aide("Olga Other"))
    assert f'id="visit-{visit.id}"' in verified_aide_client.get("/board").get_data(as_text=True)
    assert f'id="visit-{visit.id}"' not in other.get("/board").get_data(as_text=True)
    assert other.post(f"/visits/{visit.id}/book", data={}).status_code == 404


def test_a_double_tap_on_book_books_once(
    verified_aide_client, verified_aide, patient, post_request, store
):
    visit = store.one(Visit, request_id=post_request(patient).id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    again = verified_aide_client.post(f"/visits/{visit.id}/book", data={}, follow_redirects=True)
    assert again.status_code == 200
    assert "This visit is already yours." in again.get_data(as_text=True)
    assert store.count(Visit, aide_id=verified_aide.id) == 1


@pytest.mark.parametrize("ids", [["abc"], ["9" * 30], ["-1"], ["1.5"]])
def test_forged_series_ids_are_refused(verified_aide_client, patient, post_request, store, ids):
    request = post_request(patient, weekdays=[0, 2], count=2)
    response = verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": ids}
    )
    assert response.status_code == 400
    assert store.count(Visit, status="booked") == 0


def test_series_ids_from_another_request_are_not_found(
    verified_aide_client, patient, make_user, post_request, store
):
    mine = post_request(patient, weekdays=[0, 2], count=2)
    other = post_request(make_user("patient"), weekdays=[1], count=1, start="12:00", end="13:00")
    foreign = store.one(Visit, request_id=other.id)
    response = verified_aide_client.post(
        f"/requests/{mine.id}/book-series", data={"visit_ids": [str(foreign.id)]}
    )
    assert response.status_code == 404
    assert store.count(Visit, status="booked") == 0
