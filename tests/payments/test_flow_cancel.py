"""Calling visits off with card payments on, through the pages against the fake Stripe server:
more than 24 hours ahead the hold is let go; later, the patient's side pays the late fee from
the hold; an aide's cancellation, a no-show and a deleted account never charge the patient."""

from datetime import timedelta

import pytest

from tests.conftest import PASSWORD
from tests.payments.flows import (
    at,
    first_visit,
    intent,
    payment,
    save_card_on_pages,
    set_up_payouts_on_pages,
    worker_pass,
)
from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.scheduling.models import Visit


@pytest.fixture
def held_visit(app, patient, make_aide, login, fake_stripe, store, post_request):
    """Rosa's visit two days ahead, booked by Sam through the pages and held on her card."""
    rosa = login(app.test_client(), patient)
    save_card_on_pages(rosa, fake_stripe, patient.id)
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    set_up_payouts_on_pages(sam, fake_stripe, store, aide.id)
    visit = first_visit(store, post_request(patient, days_ahead=2, rate_cents=3000))
    assert sam.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    assert payment(store, visit.id).status == "authorized"
    return visit, aide


def test_cancelling_more_than_a_day_ahead_lets_the_hold_go(
    app, patient, held_visit, login, store, stripe_client
):
    visit, aide = held_visit
    rosa = login(app.test_client(), patient)

    assert rosa.post(f"/visits/{visit.id}/cancel", data={}).status_code == 302

    let_go = payment(store, visit.id)
    on_stripe = intent(stripe_client, let_go.payment_intent_id)
    assert (let_go.status, let_go.captured_cents) == ("released", 0)
    assert (on_stripe["status"], on_stripe["amount_received"]) == ("canceled", 0)
    page = rosa.get(f"/requests/{visit.request_id}").get_data(as_text=True)
    assert "Not charged (hold let go)" in page and "Nothing was charged." in page


def test_a_coordinator_cancelling_within_a_day_pays_the_late_fee_from_the_hold(
    app, patient, held_visit, login, make_user, store, stripe_client
):
    visit, aide = held_visit
    cora = make_user("family", email="cora@example.com", name="Cora")
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=cora.id, role="coordinator"))
        db.session.commit()

    with at(visit.starts_at - timedelta(hours=6)):
        client = login(app.test_client(), cora)
        assert client.post(f"/visits/{visit.id}/cancel", data={}).status_code == 302

    fee = payment(store, visit.id)
    on_stripe = intent(stripe_client, fee.payment_intent_id)
    assert store.one(Visit, id=visit.id).cancelled_late is True
    assert (fee.status, fee.late_cancel_fee, fee.captured_cents, fee.fee_cents) == (
        "captured",
        True,
        1500,
        150,
    )
    assert (on_stripe["status"], on_stripe["amount_received"]) == ("succeeded", 1500)
    receipt = login(app.test_client(), patient).get(f"/visits/{visit.id}/receipt")
    assert "$15.00" in receipt.get_data(as_text=True)


def test_an_aide_cancelling_late_never_charges_the_patient(
    app, held_visit, login, store, stripe_client
):
    visit, aide = held_visit

    with at(visit.starts_at - timedelta(hours=3)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{visit.id}/cancel", data={}).status_code == 302

    let_go = payment(store, visit.id)
    assert store.one(Visit, id=visit.id).status == "open"
    assert (let_go.status, let_go.captured_cents) == ("released", 0)
    assert intent(stripe_client, let_go.payment_intent_id)["amount_received"] == 0


def test_another_aide_booking_the_reopened_visit_gets_a_fresh_hold(
    app, held_visit, login, make_aide, fake_stripe, store, stripe_client
):
    visit, aide = held_visit
    login(app.test_client(), aide).post(f"/visits/{visit.id}/cancel", data={})
    first_hold = payment(store, visit.id).payment_intent_id
    other = make_aide("Ola Other")
    ola = login(app.test_client(), other)
    set_up_payouts_on_pages(ola, fake_stripe, store, other.id)

    assert ola.post(f"/visits/{visit.id}/book", data={}).status_code == 302

    held = payment(store, visit.id)
    assert held.status == "authorized" and held.payment_intent_id != first_hold
    assert held.aide_id == other.id
    assert intent(stripe_client, first_hold)["status"] == "canceled"


def test_a_no_show_lets_the_hold_go(app, held_visit, store, stripe_client):
    visit, aide = held_visit

    report = worker_pass(app, visit.ends_at + timedelta(minutes=1))

    let_go = payment(store, visit.id)
    assert store.one(Visit, id=visit.id).status == "no_show"
    assert report.no_shows > 0
    assert (let_go.status, let_go.captured_cents) == ("released", 0)
    assert intent(stripe_client, let_go.payment_intent_id)["status"] == "canceled"


def test_deleting_the_patients_account_a_few_hours_ahead_lets_the_hold_go_without_a_fee(
    app, patient, held_visit, login, store, stripe_client
):
    visit, aide = held_visit

    with at(visit.starts_at - timedelta(hours=5)):
        rosa = login(app.test_client(), patient)
        gone = rosa.post("/account/delete", data={"password": PASSWORD, "understood": "y"})

    assert gone.status_code == 302
    let_go = payment(store, visit.id)
    assert store.one(Visit, id=visit.id).status == "cancelled"
    assert (let_go.status, let_go.captured_cents) == ("released", 0)
    assert intent(stripe_client, let_go.payment_intent_id)["status"] == "canceled"
