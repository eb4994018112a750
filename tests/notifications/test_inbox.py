"""Each person sees their own alerts, newest first, with an unread count on every page."""

import re


def _count(html: str) -> str:
    return re.search(r"Alerts \((\d+)<span class=\"visually-hidden\"> unread</span>\)", html)[1]


def test_alerts_page_count_and_mark_read(patient_client, patient, queue):
    assert _count(patient_client.get("/dashboard").get_data(as_text=True)) == "0"
    first = queue(patient, body="The first visit was booked.")
    queue(patient, body="The second visit was booked.")
    page = patient_client.get("/notifications").get_data(as_text=True)
    assert _count(page) == "2"
    assert page.index("The second visit") < page.index("The first visit")

    assert patient_client.post(f"/notifications/{first}/read", data={}).status_code == 302
    assert _count(patient_client.get("/notifications").get_data(as_text=True)) == "1"
    patient_client.post("/notifications/read-all", data={})
    page = patient_client.get("/notifications").get_data(as_text=True)
    assert _count(page) == "0" and "Mark as read" not in page


def test_someone_elses_alert_is_not_found_and_not_shown(
    patient_client, patient, make_user, queue, store
):
    from webapp.notifications.models import Notification

    stranger = make_user("patient")
    theirs = queue(stranger, body="A private message for someone else.")
    assert patient_client.post(f"/notifications/{theirs}/read", data={}).status_code == 404
    assert store.one(Notification, id=theirs).read_at is None
    page = patient_client.get("/notifications").get_data(as_text=True)
    assert "A private message" not in page and _count(page) == "0"


def test_alerts_are_paged_twenty_at_a_time(patient_client, patient, queue):
    for n in range(25):
        queue(patient, body=f"Alert number {n:02}.")
    page = patient_client.get("/notifications").get_data(as_text=True)
    assert page.count("Alert number") == 20 and "Alert number 24" in page
    older = re.search(r'href="(/notifications\?before=\d+)"', page)[1]
    rest = patient_client.get(older).get_data(as_text=True)
    assert rest.count("Alert number") == 5 and "Alert number 00" in rest
    assert "Older alerts" not in rest


def test_logged_out_visitors_see_no_count(client):
    assert "Alerts (" not in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/notifications").status_code == 302


def test_opting_out_of_an_email_kind_keeps_the_alert_but_sends_no_email(
    patient_client, patient, queue, store
):
    from webapp.notifications.models import Notification, OutboxEmail

    page = patient_client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="visit_booked" id="email-visit_booked" checked' in page
    patient_client.post("/notifications/settings", data={"email": ["visit_cancelled"]})
    page = patient_client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="visit_booked" id="email-visit_booked">' in page
    assert 'value="visit_cancelled" id="email-visit_cancelled" checked' in page

    queue(patient)  # a "visit_booked" alert
    assert store.count(Notification) == 1 and store.count(OutboxEmail) == 0
    patient_client.post("/notifications/settings", data={"email": ["visit_booked"]})
    queue(patient)
    assert store.count(Notification) == 2 and store.count(OutboxEmail) == 1


def test_an_unknown_email_choice_is_refused_and_changes_nothing(patient_client, store):
    from webapp.notifications.models import EmailOptOut

    response = patient_client.post("/notifications/settings", data={"email": ["spam"]})
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)
    assert store.count(EmailOptOut) == 0
