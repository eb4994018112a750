"""The whole story against the fake Stripe server, with its webhooks delivered for real to a
running HomeStretch: a card saved on Stripe's page, an aide's payouts switched on by
`account.updated`, a visit held, collected with the fee split, and the news of each step
arriving afterwards and changing nothing; an early cancellation let go; a late one charged the
fee; a declined card told plainly."""

import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from tests.payments.conftest import WEBHOOK_SECRET, wait_for
from webapp.payments import charges, services
from webapp.payments.models import PaymentProfile, PayoutAccount, StripeEvent, VisitPayment


@pytest.fixture
def live_webhooks(app, fake_stripe):
    """HomeStretch listening on 127.0.0.1 for the fake's signed webhook deliveries."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake_stripe.send_webhooks_to(
        f"http://127.0.0.1:{server.server_port}/stripe/webhook", WEBHOOK_SECRET
    )
    yield
    fake_stripe.stop_webhooks()
    server.shutdown()
    thread.join(10)


def _types(store) -> set[str]:
    return {row.type for row in store.all(StripeEvent)}


def test_card_payouts_hold_capture_and_the_news_of_each(
    app, live_webhooks, patient, make_aide, login, fake_stripe, store, booked_visit, on_visit
):
    rosa = login(app.test_client(), patient)
    started = rosa.post(f"/patients/{patient.id}/payment-card/setup", data={})
    fake_stripe.complete_checkout(started.location)  # Rosa never comes back to our page
    assert wait_for(lambda: store.one(PaymentProfile).card_last4 == "4242")

    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    sam.post("/payouts/onboard", data={})
    fake_stripe.finish_onboarding(store.one(PayoutAccount).stripe_account_id)
    assert wait_for(lambda: store.one(PayoutAccount).payouts_enabled)

    visit_id = booked_visit(patient, aide)
    held = on_visit(services.authorize, visit_id)
    paid = on_visit(charges.capture, visit_id, None)

    assert held.status == "authorized"
    assert (paid.status, paid.captured_cents, paid.fee_cents) == ("captured", 2800, 280)
    assert wait_for(lambda: "payment_intent.succeeded" in _types(store))
    assert {
        "checkout.session.completed",
        "setup_intent.succeeded",
        "account.updated",
        "payment_intent.amount_capturable_updated",
    } <= _types(store)
    after = store.one(VisitPayment)
    assert (after.status, after.captured_cents, after.refunded_cents) == ("captured", 2800, 0)


def test_early_cancel_releases_late_cancel_charges_the_fee_and_a_decline_is_told(
    app, live_webhooks, patient, payable_aide, save_card, store, booked_visit, on_visit
):
    aide = payable_aide()
    save_card(patient)
    early = booked_visit(patient, aide, starts_in=timedelta(days=3))
    late = booked_visit(patient, aide, starts_in=timedelta(hours=6))
    on_visit(services.authorize, early)
    on_visit(services.authorize, late)

    released = on_visit(charges.release, early)
    fee = on_visit(charges.charge_late_cancel_fee, late)
    assert released.status == "released"
    assert (fee.status, fee.captured_cents) == ("captured", 1400)
    assert wait_for(lambda: "payment_intent.canceled" in _types(store))
    assert store.one(VisitPayment, visit_id=early).status == "released"

    with app.app_context():
        from webapp.extensions import db

        db.session.query(PaymentProfile).update(
            {"default_payment_method_id": "pm_card_chargeCustomerFail"}
        )
        db.session.commit()
    declined = on_visit(services.authorize, booked_visit(patient, aide))
    assert (declined.status, declined.failure_reason) == ("failed", "The card was declined.")
    assert wait_for(lambda: "payment_intent.payment_failed" in _types(store))
    assert store.one(VisitPayment, visit_id=declined.visit_id).status == "failed"
