"""The patient's side calls visits off: each aide who had booked hears once, in the app and by
email, naming the visit times and any late cancellation; the rest of the patient's side hears
once; the person who cancelled and the circle's viewers hear nothing."""

from urllib.parse import urlsplit

from tests.mail import links_in, text_of
from tests.visits.conftest import move_visit
from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.notifications.models import KINDS, Notification
from webapp.scheduling.models import Visit


def make_circle(app, patient, make_user):
    """Rosa's circle: Cora coordinates, Vic only views."""
    coordinator = make_user("family", email="cora@example.com", name="Cora Coordinator")
    viewer = make_user("family", email="vic@example.com", name="Vic Viewer")
    with app.app_context():
        db.session.add(
            CircleMember(patient_id=patient.id, member_id=coordinator.id, role="coordinator")
        )
        db.session.add(CircleMember(patient_id=patient.id, member_id=viewer.id, role="viewer"))
        db.session.commit()
    return coordinator, viewer


def alerts(store, kind) -> dict[int, list[Notification]]:
    """The alerts of one kind, by recipient."""
    found: dict[int, list[Notification]] = {}
    for note in store.all(Notification, kind=kind):
        found.setdefault(note.recipient_id, []).append(note)
    return found


def mailed(smtp, subject) -> dict[str, list]:
    """The delivered emails with this subject (after "HomeStretch: "), by address."""
    found: dict[str, list] = {}
    for message in smtp.messages():
        if str(message["Subject"]) == f"HomeStretch: {subject}":
            found.setdefault(str(message["To"]), []).append(message)
    return found


def follow(client, message):
    """Open the email's HomeStretch link as the recipient's browser would."""
    link = links_in(message)[0]
    assert link.startswith(f"{client.application.config['BASE_URL']}/")
    return client.get(urlsplit(link).path)


def opt_out(client, kind) -> None:
    """The person keeps every email choice but one."""
    wanted = [key for key, _ in KINDS if key != kind]
    assert client.post("/notifications/settings", data={"email": wanted}).status_code == 302


def test_the_patient_cancelling_a_booked_visit_tells_the_aide_and_coordinators(
    app, smtp, deliver, patient, patient_client, make_user, login, make_aide, post_request, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    sam = make_aide("Sam Aide")
    sam_client = login(app.test_client(), sam)
    request = post_request(patient, start="09:00", end="10:00")
    visit = store.one(Visit, request_id=request.id)
    assert sam_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302

    response = patient_client.post(f"/visits/{visit.id}/cancel", data={}, follow_redirects=True)
    assert "Visit cancelled; Sam Aide, the aide, is told." in response.text
    assert "late cancellation" not in response.text

    told = alerts(store, "visit_cancelled")
    assert set(told) == {sam.id, coordinator.id}  # not Rosa, who cancelled; not the viewer
    assert all(len(notes) == 1 for notes in told.values())
    to_sam = told[sam.id][0]
    assert to_sam.title == "A visit was cancelled"
    assert to_sam.body.startswith("Rosa Patient cancelled your visit on ")
    assert "09:00" in to_sam.body and "late" not in to_sam.body
    assert told[coordinator.id][0].body.startswith("Rosa Patient cancelled their visit on ")
    assert "The aide who had booked is told." in told[coordinator.id][0].body

    deliver()
    emails = mailed(smtp, "A visit was cancelled")
    assert set(emails) == {sam.email, coordinator.email}
    assert "Rosa Patient cancelled your visit on" in text_of(emails[sam.email][0])
    page = follow(sam_client, emails[sam.email][0])
    assert page.status_code == 200 and "Cancelled by the patient" in page.text
    cora_client = login(app.test_client(), coordinator)
    assert follow(cora_client, emails[coordinator.email][0]).status_code == 200
    assert not smtp.messages(to=viewer.email)


def test_a_late_cancellation_by_a_coordinator_says_so_to_the_aide(
    app,
    smtp,
    deliver,
    patient,
    make_user,
    login,
    verified_aide,
    verified_aide_client,
    post_request,
    store,
):
    coordinator, viewer = make_circle(app, patient, make_user)
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    move_visit(app, visit.id, minutes_from_now=180)
    cora_client = login(app.test_client(), coordinator)

    response = cora_client.post(f"/visits/{visit.id}/cancel", data={}, follow_redirects=True)
    assert "Vera Verified, the aide, is told." in response.text
    assert "It was less than 24 hours away, so it counts as a late cancellation." in response.text

    told = alerts(store, "visit_cancelled")
    assert set(told) == {verified_aide.id, patient.id}  # the coordinator acted: not told
    to_aide = told[verified_aide.id][0].body
    assert to_aide.startswith("Cora Coordinator, for Rosa Patient, cancelled your visit on ")
    assert "It was less than 24 hours away, so it counts as a late cancellation." in to_aide
    assert told[patient.id][0].body.startswith("Cora Coordinator cancelled Rosa Patient's visit")

    deliver()
    emails = mailed(smtp, "A visit was cancelled")
    assert set(emails) == {verified_aide.email, patient.email}
    assert "late cancellation" in text_of(emails[verified_aide.email][0])
    assert follow(verified_aide_client, emails[verified_aide.email][0]).status_code == 200
    rosa_client = login(app.test_client(), patient)
    assert follow(rosa_client, emails[patient.email][0]).status_code == 200


def test_cancelling_the_rest_of_a_series_is_one_message_per_person(
    app,
    smtp,
    deliver,
    patient,
    patient_client,
    make_user,
    verified_aide,
    verified_aide_client,
    post_request,
    store,
):
    coordinator, viewer = make_circle(app, patient, make_user)
    request = post_request(patient, weekdays=[0, 2, 4], count=4)
    visits = store.all(Visit, request_id=request.id)
    verified_aide_client.post(
        f"/requests/{request.id}/book-series", data={"visit_ids": [str(v.id) for v in visits]}
    )
    ordered = sorted(visits, key=lambda visit: visit.starts_at)

    response = patient_client.post(
        f"/visits/{ordered[1].id}/cancel-rest", data={}, follow_redirects=True
    )
    assert "3 visit(s) cancelled from this one on." in response.text
    assert "Every aide who had booked one of them is told." in response.text

    told = alerts(store, "visit_cancelled")
    assert {person: len(notes) for person, notes in told.items()} == {
        verified_aide.id: 1,
        coordinator.id: 1,
    }
    to_aide = told[verified_aide.id][0]
    assert to_aide.title == "Visits were cancelled"
    assert to_aide.body.startswith("Rosa Patient cancelled 3 of your visits: ")
    assert to_aide.body.count("09:00") == 3  # each cancelled visit is named
    assert "late" not in to_aide.body
    assert "cancelled 3 of their visits, from " in told[coordinator.id][0].body

    deliver()
    emails = mailed(smtp, "Visits were cancelled")
    assert {address: len(found) for address, found in emails.items()} == {
        verified_aide.email: 1,
        coordinator.email: 1,
    }


def test_withdrawing_a_request_tells_each_aide_about_their_own_visits(
    app, smtp, deliver, patient, patient_client, make_user, login, make_aide, post_request, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    request = post_request(patient, weekdays=[0, 2, 4], count=3)
    first, second, third = sorted(
        store.all(Visit, request_id=request.id), key=lambda visit: visit.starts_at
    )
    olga, pete = make_aide("Olga Aide"), make_aide("Pete Aide")
    login(app.test_client(), olga).post(f"/visits/{first.id}/book", data={})
    login(app.test_client(), pete).post(f"/visits/{second.id}/book", data={})

    response = patient_client.post(f"/requests/{request.id}/cancel", data={})
    assert response.status_code == 302

    told = alerts(store, "visit_cancelled")
    assert {person: len(notes) for person, notes in told.items()} == {
        olga.id: 1,
        pete.id: 1,
        coordinator.id: 1,
    }
    assert told[olga.id][0].body.startswith("Rosa Patient cancelled your visit on ")
    assert "cancelled 3 of their visits" in told[coordinator.id][0].body
    assert "Their aides are told." in told[coordinator.id][0].body

    deliver()
    emails = mailed(smtp, "A visit was cancelled")
    assert set(emails) == {olga.email, pete.email}
    assert set(mailed(smtp, "Visits were cancelled")) == {coordinator.email}


def test_an_aide_who_turned_off_the_email_still_sees_the_alert(
    app,
    smtp,
    deliver,
    patient,
    patient_client,
    make_user,
    verified_aide,
    verified_aide_client,
    post_request,
    store,
):
    coordinator, viewer = make_circle(app, patient, make_user)
    opt_out(verified_aide_client, "visit_cancelled")
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})

    patient_client.post(f"/visits/{visit.id}/cancel", data={})
    assert set(alerts(store, "visit_cancelled")) == {verified_aide.id, coordinator.id}
    inbox = verified_aide_client.get("/notifications").text
    assert "A visit was cancelled" in inbox

    deliver()
    assert set(mailed(smtp, "A visit was cancelled")) == {coordinator.email}


def test_cancelling_an_open_visit_tells_the_coordinators_only(
    app, smtp, deliver, patient, patient_client, make_user, post_request, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)

    response = patient_client.post(f"/visits/{visit.id}/cancel", data={}, follow_redirects=True)
    assert "Visit cancelled." in response.text and "is told" not in response.text
    told = alerts(store, "visit_cancelled")
    assert set(told) == {coordinator.id}
    assert "aide" not in told[coordinator.id][0].body

    deliver()
    assert set(mailed(smtp, "A visit was cancelled")) == {coordinator.email}


def test_a_refused_or_repeated_cancellation_tells_nobody(
    app, patient, patient_client, make_user, login, verified_aide_client, post_request, store
):
    coordinator, viewer = make_circle(app, patient, make_user)
    request = post_request(patient)
    visit = store.one(Visit, request_id=request.id)
    verified_aide_client.post(f"/visits/{visit.id}/book", data={})
    viewer_client = login(app.test_client(), viewer)
    stranger = login(app.test_client(), make_user("patient", name="Someone Else"))

    assert viewer_client.post(f"/visits/{visit.id}/cancel", data={}).status_code == 404
    assert stranger.post(f"/visits/{visit.id}/cancel", data={}).status_code == 404
    assert store.count(Notification, kind="visit_cancelled") == 0

    patient_client.post(f"/visits/{visit.id}/cancel", data={})
    assert store.count(Notification, kind="visit_cancelled") == 2
    again = patient_client.post(f"/visits/{visit.id}/cancel", data={})  # a replayed post
    assert again.status_code == 409
    assert store.count(Notification, kind="visit_cancelled") == 2
