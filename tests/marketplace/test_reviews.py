"""A patient rates the aide after a completed visit, once per visit."""

from datetime import time, timedelta

import pytest

from tests.conftest import field_error
from webapp.database import utcnow
from webapp.extensions import db
from webapp.marketplace import review_services
from webapp.marketplace.models import AssistanceRequest, Review
from webapp.scheduling.models import Visit, VisitCancellation


def add_visit(app, patient, aide, *, status="completed", days_ago=2) -> int:
    """A one-hour visit stored directly (check-out does not exist yet); returns its id."""
    with app.app_context():
        starts_at = utcnow() - timedelta(days=days_ago)
        posted = AssistanceRequest(
            patient_id=patient.id,
            created_by_id=patient.id,
            timezone=patient.timezone,
            first_date=starts_at.date(),
            start_time=time(9),
            end_time=time(10),
            rate_cents=2800,
            currency="USD",
        )
        db.session.add(posted)
        db.session.flush()
        visit = Visit(
            request_id=posted.id,
            patient_id=patient.id,
            aide_id=aide.id if aide is not None and status != "open" else None,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            status=status,
            booked_at=starts_at - timedelta(days=3) if status != "open" else None,
        )
        db.session.add(visit)
        db.session.commit()
        return visit.id


def add_review(app, patient, aide, rating, comment=None, *, days_ago=1) -> None:
    """A review of a fresh completed visit, written `days_ago` days ago."""
    visit_id = add_visit(app, patient, aide, days_ago=days_ago + 1)
    with app.app_context():
        db.session.add(
            Review(
                visit_id=visit_id,
                patient_id=patient.id,
                aide_id=aide.id,
                rating=rating,
                comment=comment,
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
        db.session.commit()


def add_cancellation(app, patient, aide, *, side="aide", late=True) -> None:
    """A visit the aide (or the patient) called off; an aide's cancellation reopens it."""
    visit_id = add_visit(app, patient, None, status="open", days_ago=-3)
    with app.app_context():
        db.session.add(
            VisitCancellation(
                visit_id=visit_id,
                aide_id=aide.id,
                cancelled_by_id=aide.id if side == "aide" else patient.id,
                side=side,
                late=late,
            )
        )
        db.session.commit()


@pytest.fixture
def visit_id(app, patient, verified_aide):
    """Rosa's completed visit with Vera two days ago."""
    return add_visit(app, patient, verified_aide)


def review_url(visit_id):
    return f"/visits/{visit_id}/review"


def test_patient_rates_a_completed_visit(patient_client, patient, verified_aide, visit_id, store):
    page = patient_client.get(review_url(visit_id)).get_data(as_text=True)
    assert "How was your visit with Vera Verified?" in page
    response = patient_client.post(
        review_url(visit_id), data={"rating": "4", "comment": "Patient and gentle with my hip."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/aides/{verified_aide.id}")
    review = store.one(Review, visit_id=visit_id)
    assert (review.rating, review.comment) == (4, "Patient and gentle with my hip.")
    assert (review.patient_id, review.aide_id) == (patient.id, verified_aide.id)
    profile = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your review of Vera Verified is on their profile." in profile
    assert "4.0 out of 5 from 1 review" in profile
    assert "Patient and gentle with my hip." in profile


def test_a_comment_is_optional(patient_client, visit_id, store):
    response = patient_client.post(review_url(visit_id), data={"rating": "5", "comment": "  "})
    assert response.status_code == 302
    assert store.one(Review, visit_id=visit_id).comment is None


def test_second_review_of_the_same_visit_is_refused(patient_client, visit_id, store):
    patient_client.post(review_url(visit_id), data={"rating": "5"})
    for response in (
        patient_client.get(review_url(visit_id)),
        patient_client.post(review_url(visit_id), data={"rating": "1", "comment": "Changed mind"}),
    ):
        assert response.status_code == 409
        assert "You have already reviewed this visit." in response.get_data(as_text=True)
    assert store.one(Review, visit_id=visit_id).rating == 5


def test_the_database_keeps_one_review_when_two_submits_race(
    patient_client, visit_id, store, monkeypatch
):
    """Both submits passed the "already reviewed?" check; the unique constraint stops one."""
    monkeypatch.setattr(review_services, "review_of_visit", lambda visit_id: None)
    assert patient_client.post(review_url(visit_id), data={"rating": "5"}).status_code == 302
    response = patient_client.post(review_url(visit_id), data={"rating": "2"})
    assert response.status_code == 409
    assert "You have already reviewed this visit." in response.get_data(as_text=True)
    assert store.one(Review, visit_id=visit_id).rating == 5


@pytest.mark.parametrize("status", ["booked", "checked_in", "no_show", "cancelled"])
def test_a_visit_that_is_not_completed_cannot_be_reviewed(
    app, patient_client, patient, verified_aide, store, status
):
    visit_id = add_visit(app, patient, verified_aide, status=status, days_ago=-2)
    for response in (
        patient_client.get(review_url(visit_id)),
        patient_client.post(review_url(visit_id), data={"rating": "5"}),
    ):
        assert response.status_code == 409
        assert "You can review a visit once it is completed." in response.get_data(as_text=True)
    assert store.count(Review) == 0


@pytest.mark.parametrize("who", ["other_patient", "aide_of_the_visit", "family", "admin"])
def test_someone_elses_visit_is_not_found(
    app, make_user, login, verified_aide, visit_id, store, who
):
    user = verified_aide if who == "aide_of_the_visit" else make_user(who.split("_")[-1])
    client = login(app.test_client(), user)
    assert client.get(review_url(visit_id)).status_code == 404
    response = client.post(review_url(visit_id), data={"rating": "1", "comment": "Spite"})
    assert response.status_code == 404
    assert store.count(Review) == 0


def test_unknown_visit_is_not_found(patient_client):
    assert patient_client.get(review_url(999999)).status_code == 404
    assert patient_client.post(review_url(999999), data={"rating": "5"}).status_code == 404


def test_logged_out_visitors_are_sent_to_login(client, visit_id):
    response = client.get(review_url(visit_id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rating": "0"}, "rating", "from 1 to 5 stars"),
        ({"rating": "6"}, "rating", "from 1 to 5 stars"),
        ({"rating": "x"}, "rating", "from 1 to 5 stars"),
        ({"rating": ""}, "rating", "from 1 to 5 stars"),
        ({}, "rating", "from 1 to 5 stars"),
        ({"rating": "5", "comment": "x" * 2001}, "comment", "under 2000"),
        ({"rating": "5", "comment": "fine\x07"}, "comment", "invisible control characters"),
    ],
)
def test_bad_reviews_are_refused(patient_client, visit_id, store, data, field, message):
    response = patient_client.post(review_url(visit_id), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, field)
    assert error is not None and message in error, html
    assert store.count(Review) == 0


def test_a_review_without_the_csrf_token_is_refused(patient_client, visit_id, store):
    response = patient_client.post(review_url(visit_id), data={"rating": "5"}, csrf=False)
    assert response.status_code == 400
    assert store.count(Review) == 0
