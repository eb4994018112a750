"""Booking and an aide's cancellation tell the patient and their coordinators, once each."""

from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.notifications.models import Notification, OutboxEmail
from webapp.scheduling.models import Visit


def _circle(app, patient, make_user):
    coordinator = make_user("family", email="coord@example.com", name="Cora")
    viewer = make_user("family", email="viewer@example.com", name="Vic")
    with app.app_context():
        db.session.add(
            CircleMember(patient_id=patient.id, member_id=coordinator.id, role="coordinator")
        )
        db.session.add(CircleMember(patient_id=patient.id, member_id=viewer.id, role="viewer"))
        db.session.commit()
    return coordinator, viewer


def test_aide_cancelling_tells_patient_and_coordinators(
    app, make_aide, login, patient, make_user, post_request, store
):
    coordinator, viewer = _circle(app, patient, make_user)
    sam = make_aide("Sam Aide")
    aide_client = login(app.test_client(), sam)
    request = post_request(patient, start="09:00", end="10:00")
    visit = store.one(Visit, request_id=request.id)
    aide_client.post(f"/visits/{visit.id}/book", data={})
    before = store.count(Notification)

    assert aide_client.post(f"/visits/{visit.id}/cancel", data={}).status_code == 302
    cancelled = [n for n in store.all(Notification) if n.kind == "visit_cancelled"]
    assert store.count(Notification) == before + 2
    assert sorted(n.recipient_id for n in cancelled) == sorted([patient.id, coordinator.id])
    body = cancelled[0].body
    assert body.startswith("Sam Aide cancelled the visit on ")
    assert "09:00" in body and "the slot is open again" in body
    assert cancelled[0].link == f"/requests/{request.id}"
    coordinator_client = login(app.test_client(), coordinator)
    assert coordinator_client.get(cancelled[0].link).status_code == 200
    emails = {e.to_address for e in store.all(OutboxEmail) if "cancelled" in e.text_body}
    assert emails == {patient.email, "coord@example.com"}


def test_booking_a_series_sends_one_message_per_person(
    app, verified_aide_client, verified_aide, patient, make_user, post_request, store
):
    coordinator, viewer = _circle(app, patient, make_user)
    request = post_request(patient, weekdays=[0, 2, 4], count=6)
    visits = store.all(Visit, request_id=request.id)
    verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": [str(v.id) for v in visits]}
    )
    booked = store.all(Notification, kind="visit_booked")
    assert sorted(n.recipient_id for n in booked) == sorted([patient.id, coordinator.id])
    assert "booked 6 visits of the series" in booked[0].body
    assert store.count(OutboxEmail) == 2


def test_booking_one_visit_tells_the_patient(
    verified_aide_client, verified_aide, patient, post_request, store
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    note = store.one(Notification, recipient_id=patient.id)
    assert note.title == "A visit was booked" and note.link == f"/requests/{request.id}"
    assert store.one(OutboxEmail).to_address == patient.email


def test_a_failed_booking_tells_nobody(
    app, verified_aide_client, make_aide, login, patient, post_request, store
):
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    other = login(app.test_client(), make_aide("Olga Other"))
    assert other.post(f"/visits/{visit.id}/book", data={}).status_code == 409
    assert store.count(Notification) == 1 and store.count(OutboxEmail) == 1
