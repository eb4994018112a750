"""The care circle: the invitation link goes to the invitee by email (there is no account to
alert yet); joining, leaving and being removed are told to the patient and the coordinators,
never to the person who acted, and the removed person hears that they were removed."""

from html import unescape

from tests.circle.conftest import invite as invite  # the fixture, shared
from tests.mail import text_of
from tests.notifications.test_event_alerts import alerts, follow, mailed, make_circle, opt_out
from webapp.circle.models import CircleMember
from webapp.notifications.models import Notification, OutboxEmail

INVITED = "Rosa Patient invites you to their care circle"


def test_the_invitation_link_is_emailed_to_the_invitee_and_still_shown(
    app, smtp, deliver, patient, patient_client, invite, store
):
    link = invite(patient_client, "Maya@Example.com")
    page = patient_client.get(f"/patients/{patient.id}/circle")
    assert "Waiting for an answer" in page.text and "maya@example.com" in page.text
    assert store.count(Notification) == 0  # nobody to alert in the app yet

    deliver()
    emails = mailed(smtp, INVITED)
    assert list(emails) == ["maya@example.com"] and len(emails["maya@example.com"]) == 1
    message = emails["maya@example.com"][0]
    text = text_of(message)
    assert "join their care circle on HomeStretch as a coordinator" in text
    assert "Rosa Patient entered this address to invite you" in text
    assert "email choices" not in text  # an invitee never chose any HomeStretch email
    stranger = app.test_client()  # the invitee, not logged in
    landing = follow(stranger, message)
    assert landing.status_code == 200
    assert "Join Rosa Patient's care circle" in unescape(landing.text)
    assert text.count(link) == 1  # the same link the page showed


def test_a_refused_invitation_sends_nothing(
    app, smtp, deliver, patient, patient_client, make_user, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    url = f"/patients/{patient.id}/circle"
    refused = [
        ("cora@example.com", "viewer"),  # already in the circle
        (patient.email, "viewer"),
        ("not an address", "viewer"),
        ("x" * 300 + "@example.com", "viewer"),
        ("", "viewer"),
        ("new@example.com", "boss"),
    ]
    for email, role in refused:
        response = patient_client.post(url, data={"email": email, "role": role})
        assert response.status_code in (409, 422), email
    assert store.count(OutboxEmail) == 0
    assert deliver() == 0


def test_joining_tells_the_patient_and_coordinators_but_not_the_joiner(
    app, smtp, deliver, patient, patient_client, make_user, login, invite, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    link = invite(patient_client, "maya@example.com", role="coordinator")
    maya = make_user("family", email="maya@example.com", name="Maya Daughter")
    maya_client = login(app.test_client(), maya)

    assert maya_client.post(link, data={}).status_code == 302
    assert maya_client.post(link, data={}).status_code == 409  # the link is used up
    told = alerts(store, "circle_changed")
    assert {person: len(notes) for person, notes in told.items()} == {
        patient.id: 1,
        coordinator.id: 1,
    }  # not Maya, not the viewer
    assert told[patient.id][0].body == "Maya Daughter joined your care circle as a coordinator."
    assert told[coordinator.id][0].body == (
        "Maya Daughter joined Rosa Patient's care circle as a coordinator."
    )

    deliver()
    emails = mailed(smtp, "Someone joined the care circle")
    assert set(emails) == {patient.email, coordinator.email}
    assert follow(patient_client, emails[patient.email][0]).status_code == 200
    cora_client = login(app.test_client(), coordinator)
    dashboard = follow(cora_client, emails[coordinator.email][0])
    assert dashboard.status_code == 200 and "Rosa Patient" in dashboard.text
    assert not smtp.messages(to=viewer.email)


def test_leaving_tells_the_patient_and_coordinators(
    app, smtp, deliver, patient, make_user, login, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    viewer_client = login(app.test_client(), viewer)

    response = viewer_client.post(f"/circles/{patient.id}/leave", data={})
    assert response.status_code == 302
    assert viewer_client.post(f"/circles/{patient.id}/leave", data={}).status_code == 404
    told = alerts(store, "circle_changed")
    assert {person: len(notes) for person, notes in told.items()} == {
        patient.id: 1,
        coordinator.id: 1,
    }
    assert told[patient.id][0].body == "Vic Viewer left your care circle."
    assert told[patient.id][0].title == "Someone left the care circle"

    deliver()
    assert set(mailed(smtp, "Someone left the care circle")) == {patient.email, coordinator.email}
    assert not smtp.messages(to=viewer.email)


def test_the_removed_person_is_told_and_so_are_the_coordinators(
    app, smtp, deliver, patient, patient_client, make_user, login, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    membership = store.one(CircleMember, member_id=viewer.id)
    remove = f"/patients/{patient.id}/circle/members/{membership.id}/remove"

    assert patient_client.post(remove, data={}).status_code == 302
    assert patient_client.post(remove, data={}).status_code == 404  # replayed: already gone
    told = alerts(store, "circle_changed")
    assert {person: len(notes) for person, notes in told.items()} == {
        coordinator.id: 1,
        viewer.id: 1,
    }  # Rosa removed Vic herself: she is not told
    assert told[coordinator.id][0].body == (
        "Rosa Patient removed Vic Viewer from their care circle."
    )
    assert told[viewer.id][0].title == "You are no longer in a care circle"

    deliver()
    removed = mailed(smtp, "You are no longer in a care circle")
    assert set(removed) == {viewer.email}
    vic_client = login(app.test_client(), viewer)
    page = follow(vic_client, removed[viewer.email][0])
    assert page.status_code == 200 and "Rosa Patient" not in page.text
    assert set(mailed(smtp, "Someone left the care circle")) == {coordinator.email}
    assert not smtp.messages(to=patient.email)


def test_someone_elses_member_cannot_be_removed_and_nobody_hears(
    app, patient, make_user, login, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    membership = store.one(CircleMember, member_id=viewer.id)
    other = login(app.test_client(), make_user("patient", name="Other Patient"))
    cora_client = login(app.test_client(), coordinator)
    for client, owner in ((other, patient.id), (cora_client, patient.id)):
        url = f"/patients/{owner}/circle/members/{membership.id}/remove"
        assert client.post(url, data={}).status_code == 404
    assert store.count(CircleMember) == 2 and store.count(Notification) == 0


def test_a_patient_who_turned_off_circle_email_still_sees_the_alert(
    app, smtp, deliver, patient, patient_client, make_user, login, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    opt_out(patient_client, "circle_changed")
    login(app.test_client(), viewer).post(f"/circles/{patient.id}/leave", data={})

    assert set(alerts(store, "circle_changed")) == {patient.id, coordinator.id}
    assert "Vic Viewer left your care circle." in patient_client.get("/notifications").text
    deliver()
    assert set(mailed(smtp, "Someone left the care circle")) == {coordinator.email}
