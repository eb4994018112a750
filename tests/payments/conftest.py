"""Payments run against the local fake Stripe server (tests/support/fake_stripe.py), started
once for the session; every app in this package is in Stripe mode unless a test says not."""

import json
import time
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import select

from webapp.database import begin_write, utcnow
from webapp.extensions import db

WEBHOOK_SECRET = "whsec_test_homestretch"
SECRET_KEY = "sk_test_homestretch"


@pytest.fixture
def app(app, fake_stripe):
    """The app in Stripe mode, pointed at the fake server."""
    app.config.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    yield app
    fake_stripe.stop_webhooks()
    fake_stripe.forget_idempotency_keys()


@pytest.fixture
def stripe_client(fake_stripe):
    """Stripe's own client on the fake, to look at what HomeStretch asked for."""
    return stripe.StripeClient(
        SECRET_KEY,
        base_addresses={"api": fake_stripe.url, "connect": fake_stripe.url},
        max_network_retries=0,
    )


@pytest.fixture
def run(app):
    """Run a function inside the app (as a request or the worker would) and commit."""

    def call(function, *args, **kwargs):
        with app.app_context():
            # As a writing request does: on SQLite take the write lock before reading, so a
            # webhook handled meanwhile by a live server makes this wait, not fail.
            begin_write(db.session)
            result = function(*args, **kwargs)
            db.session.commit()
            for record in result if isinstance(result, list) else [result]:
                if isinstance(record, db.Model):
                    db.session.refresh(record)
                    db.session.expunge(record)
            return result

    return call


@pytest.fixture
def payable_aide(app, make_aide, run, fake_stripe):
    """A verified aide whose Stripe Express account can be paid."""
    from webapp.auth.models import User
    from webapp.payments import accounts
    from webapp.payments.services import payout_account

    def make(name="Pat Payable", rate_cents=3000):
        aide = make_aide(name, rate_cents=rate_cents)

        def onboard():
            person = db.session.get(User, aide.id)
            accounts.start_onboarding(person, "http://localhost/r", "http://localhost/t", utcnow())
            account = payout_account(person)
            fake_stripe.finish_onboarding(account.stripe_account_id)
            return accounts.refresh_account(person, utcnow())

        run(onboard)
        return aide

    return make


@pytest.fixture
def save_card(app, run, fake_stripe):
    """Save a card for a patient through Checkout (setup mode) on the fake: save_card(patient,
    actor=None, number="4242424242424242")."""
    from webapp.auth.models import User
    from webapp.payments import accounts

    def save(patient, actor=None, number="4242424242424242"):
        def start():
            person = db.session.get(User, patient.id)
            doer = db.session.get(User, (actor or patient).id)
            return accounts.start_card_setup(
                person,
                doer,
                "http://localhost/ok?session_id={CHECKOUT_SESSION_ID}",
                "http://localhost/no",
                utcnow(),
            )

        url = run(start)
        back = fake_stripe.complete_checkout(url, number)
        session_id = back.rsplit("=", 1)[1]
        return run(
            lambda: accounts.finish_card_setup(
                db.session.get(User, patient.id), session_id, utcnow()
            )
        )

    return save


@pytest.fixture
def booked_visit(app, post_request):
    """A visit the aide holds, starting `starts_in` from now: booked_visit(patient, aide,
    starts_in=timedelta(days=2), minutes=60, rate_cents=2800) -> visit id."""
    from webapp.scheduling.models import Visit

    def make(patient, aide, starts_in=timedelta(days=2), minutes=60, rate_cents=2800):
        request = post_request(patient, rate_cents=rate_cents)
        with app.app_context():
            begin_write(db.session)
            visit = db.session.scalars(
                select(Visit).where(Visit.request_id == request.id).order_by(Visit.id)
            ).first()
            now = utcnow()
            visit.status, visit.aide_id, visit.booked_at = "booked", aide.id, now
            visit.starts_at = now + starts_in
            visit.ends_at = visit.starts_at + timedelta(minutes=minutes)
            db.session.commit()
            return visit.id

    return make


@pytest.fixture
def on_visit(app, run):
    """Call a payment service on a visit by id: on_visit(services.authorize, visit_id, ...)."""
    from webapp.scheduling.models import Visit

    def call(function, visit_id, *args, now=None):
        return run(lambda: function(db.session.get(Visit, visit_id), *args, now or utcnow()))

    return call


def signed(event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """A webhook body and its Stripe-Signature header, signed as Stripe signs them."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def event(event_type: str, obj: dict, event_id: str | None = None, created: int | None = None):
    """A Stripe event in the shape Stripe sends."""
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{time.time_ns()}",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "livemode": False,
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


def wait_for(check, timeout: float = 10.0):
    """Poll until check() is truthy (webhooks from the fake arrive about a second later)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)
