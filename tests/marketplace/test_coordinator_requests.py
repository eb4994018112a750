"""A coordinator asks for help on the patient's behalf, and can withdraw it; viewers cannot."""

from html import unescape

import pytest

from tests.marketplace.test_requests import form
from tests.marketplace.test_requests import routine as routine  # the fixture, shared
from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import Visit


@pytest.fixture
def relative(app, patient, make_user, login):
    """relative(role) -> a logged-in family member of that role in the patient's circle."""

    def make(role):
        person = make_user("family", name=f"{role.title()} Daughter", timezone="Europe/London")
        with app.app_context():
            db.session.add(CircleMember(patient_id=patient.id, member_id=person.id, role=role))
            db.session.commit()
        return person, login(app.test_client(), person)

    return make


def test_coordinator_posts_a_request_for_the_patient(
    patient, patient_client, routine, relative, store
):
    daughter, client = relative("coordinator")
    page = client.get(f"/patients/{patient.id}/requests/new")
    assert page.status_code == 200
    assert "Ask for help with Rosa Patient's routine" in unescape(page.text)
    assert "on Rosa Patient's behalf" in unescape(page.text)
    assert (
        "Times are at Rosa Patient's home, in America/New York (not your Europe/London)"
        in unescape(page.text)
    )

    posted = client.post(f"/patients/{patient.id}/requests/new", data=form(routine))
    assert posted.status_code == 302
    request = store.one(AssistanceRequest, patient_id=patient.id)
    assert request.created_by_id == daughter.id
    assert store.count(Visit, request_id=request.id) == 12

    # The patient sees it among their own requests; the coordinator sees the patient's list.
    assert f"/requests/{request.id}" in patient_client.get("/requests").text
    assert f"/requests/{request.id}" in client.get(f"/patients/{patient.id}/requests").text
    assert client.get(f"/requests/{request.id}").status_code == 200

    withdrawn = client.post(f"/requests/{request.id}/cancel", data={})
    assert withdrawn.status_code == 302
    assert withdrawn.headers["Location"] == f"/patients/{patient.id}/requests"
    assert store.count(Visit, request_id=request.id, status="open") == 0


def test_viewers_and_outsiders_cannot_ask_for_the_patient(
    patient, routine, relative, family_client, store
):
    _, viewer = relative("viewer")
    for client in (viewer, family_client):
        assert client.get(f"/patients/{patient.id}/requests/new").status_code == 404
        assert client.get(f"/patients/{patient.id}/requests").status_code == 404
        refused = client.post(f"/patients/{patient.id}/requests/new", data=form(routine))
        assert refused.status_code == 404
    assert store.count(AssistanceRequest) == 0


def test_viewer_cannot_withdraw_a_request(patient, patient_client, routine, relative, store):
    patient_client.post("/requests/new", data=form(routine))
    request = store.one(AssistanceRequest)
    _, viewer = relative("viewer")
    assert viewer.post(f"/requests/{request.id}/cancel", data={}).status_code == 404
    assert store.one(AssistanceRequest).status == "active"
