"""With no Stripe keys (the default) HomeStretch runs offline: visits are paid to the aide
directly, there are no card pages, and nothing ever calls Stripe."""

from datetime import timedelta

import pytest
import stripe

from webapp.database import utcnow
from webapp.payments import charges, services


@pytest.fixture
def app(app):
    """The app with every Stripe setting empty, and Stripe's client made to explode if used."""
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_API_BASE="", STRIPE_WEBHOOK_SECRET="")
    return app


@pytest.fixture(autouse=True)
def no_stripe(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("offline mode called Stripe")

    monkeypatch.setattr(stripe, "StripeClient", refuse)


def test_card_pages_say_pay_the_aide_directly_and_do_nothing(patient_client, patient, store):
    card = patient_client.get(f"/patients/{patient.id}/payment-card").get_data(as_text=True)
    history = patient_client.get(f"/patients/{patient.id}/payments").get_data(as_text=True)
    setup = patient_client.post(f"/patients/{patient.id}/payment-card/setup", data={})
    back = patient_client.get(f"/patients/{patient.id}/payment-card/saved?session_id=cs_x")

    assert "Pay the aide directly" in card and "Save a card" not in card
    assert "Pay the aide directly" in history
    assert (setup.status_code, back.status_code) == (404, 404)


def test_aides_are_paid_directly_and_book_without_payouts(app, verified_aide, login, run):
    from webapp.auth.models import User
    from webapp.extensions import db

    client = login(app.test_client(), verified_aide)
    page = client.get("/payouts").get_data(as_text=True)

    assert "patients pay you directly" in page
    assert client.post("/payouts/onboard", data={}).status_code == 404
    assert client.get("/payouts/return").status_code == 404
    assert run(lambda: services.may_book_paid(db.session.get(User, verified_aide.id))) is True


def test_visit_payments_are_not_recorded_and_the_webhook_does_not_exist(
    client, patient, verified_aide, booked_visit, on_visit, run
):
    visit_id = booked_visit(patient, verified_aide, starts_in=timedelta(hours=30))

    assert on_visit(services.authorize, visit_id) is None
    assert on_visit(charges.capture, visit_id, None) is None
    assert on_visit(charges.release, visit_id) is None
    assert on_visit(charges.charge_late_cancel_fee, visit_id) is None
    assert run(services.authorize_due, utcnow()) == []
    assert client.post("/stripe/webhook", data="{}", csrf=False).status_code == 404
