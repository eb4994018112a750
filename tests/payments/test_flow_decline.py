"""A declined card, through the pages against the fake Stripe server (localstripe's
pm_card_chargeCustomerFail card, 4000 0000 0000 0341: it saves, then every charge is declined):
the booking stands, Rosa and her coordinator hear by alert and by email (real SMTP) with a link
to the card page that works, Sam sees that payment is not secured; 48 hours on, the worker gives
the visit back to the board and everyone is told. A card saved in time is tried at once and
keeps the booking (a new decline is told once). A capture that fails at check-out keeps the
check-out and is listed for admins."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from tests.mail import links_in
from tests.payments.flows import (
    DECLINING_CARD,
    at,
    first_visit,
    intent,
    payment,
    save_card_on_pages,
    set_up_payouts_on_pages,
    stripe_says,
    worker_pass,
)
from webapp.circle.models import CircleMember
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.scheduling.models import Visit


@pytest.fixture
def declined(app, patient, make_aide, make_user, login, fake_stripe, store, post_request):
    """Rosa (with coordinator Cora) saved a card that is declined; Sam books her visit five days
    ahead through the pages. Returns (visit, aide, cora, booking response)."""
    cora = make_user("family", email="cora@example.com", name="Cora")
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=cora.id, role="coordinator"))
        db.session.commit()
    rosa = login(app.test_client(), patient)
    save_card_on_pages(rosa, fake_stripe, patient.id, number=DECLINING_CARD)
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    set_up_payouts_on_pages(sam, fake_stripe, store, aide.id)
    visit = first_visit(store, post_request(patient, days_ahead=5))
    booked = sam.post(f"/visits/{visit.id}/book", data={}, follow_redirects=True)
    return visit, aide, cora, booked


def _alerts(store, person, kind="payment_problem"):
    return [n for n in store.all(Notification, recipient_id=person.id) if n.kind == kind]


def test_a_declined_card_keeps_the_booking_and_tells_the_patients_side_with_a_working_link(
    app, patient, declined, login, store, smtp, deliver
):
    visit, aide, cora, booked = declined

    failed = payment(store, visit.id)
    assert store.one(Visit, id=visit.id).status == "booked"
    assert (failed.status, failed.failure_reason) == ("failed", "The card was declined.")
    assert "payment is not secured yet" in booked.get_data(as_text=True)
    sam = login(app.test_client(), aide)
    for page in (f"/visits/{visit.id}", "/my-visits"):
        text = sam.get(page).get_data(as_text=True)
        assert "Payment is not secured yet: The card was declined." in text
    assert _alerts(store, aide) == []
    for person in (patient, cora):
        (alert,) = _alerts(store, person)
        assert alert.link == f"/patients/{patient.id}/payment-card"
        assert "within 48 hours" in alert.body

    deliver()
    for person in (patient, cora):
        (email,) = [m for m in smtp.messages(to=person.email) if "card" in str(m["Subject"])]
        assert str(email["Subject"]) == "HomeStretch: A card payment failed"
        link = next(url for url in links_in(email) if "payment-card" in url)
        page = login(app.test_client(), person).get(urlsplit(link).path)
        assert page.status_code == 200
        assert "Save" in page.get_data(as_text=True)

    again = worker_pass(app, utcnow() + timedelta(minutes=10))  # nobody hears twice
    assert (again.payment_problems, len(_alerts(store, cora))) == (0, 1)


def test_48_hours_after_the_decline_the_worker_puts_the_visit_back_on_the_board(
    app, patient, declined, store
):
    visit, aide, cora, _ = declined
    declined_at = payment(store, visit.id).failed_at

    assert worker_pass(app, declined_at + timedelta(hours=47)).unpaid_reopened == 0
    assert store.one(Visit, id=visit.id).status == "booked"
    report = worker_pass(app, declined_at + timedelta(hours=48, minutes=5))
    again = worker_pass(app, declined_at + timedelta(hours=48, minutes=10))

    reopened = store.one(Visit, id=visit.id)
    assert (reopened.status, reopened.aide_id) == ("open", None)
    assert payment(store, visit.id).status == "released"
    assert (report.unpaid_reopened, again.unpaid_reopened) == (3, 0)
    assert [n.title for n in _alerts(store, aide, "visit_cancelled")] == [
        "A visit is no longer yours"
    ]
    for person in (patient, cora):
        assert "A visit is open again" in [n.title for n in _alerts(store, person)]


def test_a_new_card_saved_within_48_hours_secures_the_visit_at_once_and_keeps_the_aide(
    app, patient, declined, login, fake_stripe, store
):
    visit, aide, cora, _ = declined
    declined_at = payment(store, visit.id).failed_at
    saved_at = declined_at + timedelta(hours=20)

    with at(saved_at):
        client = login(app.test_client(), cora)
        save_card_on_pages(client, fake_stripe, patient.id)
        rosa = login(app.test_client(), patient)
        page = rosa.get(f"/patients/{patient.id}/payments").get_data(as_text=True)
    held = payment(store, visit.id)
    report = worker_pass(app, saved_at + timedelta(minutes=5))
    later = worker_pass(app, declined_at + timedelta(hours=49))

    assert (held.status, held.authorized_at, held.failure_reason) == ("authorized", saved_at, None)
    assert "Card authorized" in page and "Payment is not secured yet" not in page
    assert (report.card_holds, report.payment_problems) == (0, 0)
    assert later.unpaid_reopened == 0
    assert store.one(Visit, id=visit.id).aide_id == aide.id
    for person in (patient, cora):  # the one alert about the decline, nothing since
        assert [n.title for n in _alerts(store, person)] == ["A card payment failed"]


def test_a_new_card_that_is_declined_too_is_told_once_at_once(
    app, patient, declined, login, fake_stripe, store
):
    visit, aide, cora, _ = declined
    declined_at = payment(store, visit.id).failed_at
    saved_at = declined_at + timedelta(hours=3)

    with time_machine.travel(saved_at, tick=True):  # the clock runs on while the card is saved
        client = login(app.test_client(), cora)
        save_card_on_pages(client, fake_stripe, patient.id, number=DECLINING_CARD)
    tried = payment(store, visit.id)
    report = worker_pass(app, saved_at + timedelta(minutes=5))

    assert (tried.status, tried.attempts) == ("failed", 2)
    assert saved_at <= tried.failed_at < saved_at + timedelta(minutes=1)
    assert (report.card_holds, report.payment_problems) == (0, 0)
    assert payment(store, visit.id).attempts == 2  # the worker did not try the same card again
    for person in (patient, cora):
        assert len(_alerts(store, person)) == 2  # the first card's decline, then this one's


def test_a_card_saved_on_stripes_page_secures_the_visit_when_stripe_says_so(
    app, patient, declined, login, fake_stripe, store, stripe_client
):
    """Rosa saves a card and closes the tab before coming back: Stripe's events save it, and the
    visit is held at once; the second event and the late return change nothing more."""
    visit, aide, cora, _ = declined
    declined_at = payment(store, visit.id).failed_at
    rosa = login(app.test_client(), patient)
    started = rosa.post(f"/patients/{patient.id}/payment-card/setup", data={})
    back = urlsplit(fake_stripe.complete_checkout(started.location))
    session_id = back.query.rsplit("=", 1)[1]
    session = stripe_client.v1.checkout.sessions.retrieve(session_id).to_dict()
    setup = stripe_client.v1.setup_intents.retrieve(session["setup_intent"]).to_dict()

    stripe_says(app, declined_at + timedelta(hours=1), "checkout.session.completed", session)
    held = payment(store, visit.id)
    stripe_says(app, declined_at + timedelta(hours=1, seconds=2), "setup_intent.succeeded", setup)
    with at(declined_at + timedelta(hours=2)):
        rosa = login(app.test_client(), patient)
        rosa.get(f"{back.path}?{back.query}")

    assert held.status == "authorized"
    assert payment(store, visit.id).payment_intent_id == held.payment_intent_id
    assert intent(stripe_client, held.payment_intent_id)["status"] == "requires_capture"
    assert len(_alerts(store, patient)) == 1


def test_a_capture_that_fails_keeps_the_check_out_and_is_listed_for_admins(
    app, patient, make_aide, make_user, login, fake_stripe, store, post_request, stripe_client
):
    rosa = login(app.test_client(), patient)
    save_card_on_pages(rosa, fake_stripe, patient.id)
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    set_up_payouts_on_pages(sam, fake_stripe, store, aide.id)
    visit = first_visit(store, post_request(patient, days_ahead=2))
    sam.post(f"/visits/{visit.id}/book", data={})
    # The hold is gone on Stripe's side (expired or cancelled there): collecting it fails.
    stripe_client.v1.payment_intents.cancel(payment(store, visit.id).payment_intent_id)

    with at(visit.starts_at + timedelta(minutes=1)):
        sam = login(app.test_client(), aide)
        sam.post(f"/visits/{visit.id}/check-in", data={})
    with at(visit.ends_at):
        sam = login(app.test_client(), aide)
        out = sam.post(f"/visits/{visit.id}/check-out", data={})

    assert out.status_code == 302
    assert store.one(Visit, id=visit.id).status == "completed"
    assert payment(store, visit.id).status == "capture_failed"
    admin = login(app.test_client(), make_user("admin", email="ada@example.com", name="Ada"))
    listed = admin.get("/admin/payments?status=capture_failed").get_data(as_text=True)
    assert f"/admin/visits/{visit.id}/payment" in listed
    assert "Could not be collected" in listed
    others = admin.get("/admin/payments?status=captured").get_data(as_text=True)
    assert f"/admin/visits/{visit.id}/payment" not in others
