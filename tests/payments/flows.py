"""Steps of the payment stories, taken the way people take them: through HomeStretch's pages,
with Stripe's hosted pages played by the fake Stripe server."""

from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlsplit

import time_machine

from tests.payments.conftest import event, signed
from webapp.payments.models import PayoutAccount, VisitPayment
from webapp.scheduling.models import Visit

#: localstripe's card that saves fine and is declined at every charge (pm_card_chargeCustomerFail).
DECLINING_CARD = "4000000000000341"


def save_card_on_pages(client, fake_stripe, patient_id: int, number="4242424242424242") -> str:
    """Press "Save a card", fill in Stripe's hosted page, come back: the card page's text."""
    started = client.post(f"/patients/{patient_id}/payment-card/setup", data={})
    assert started.status_code == 303, started.get_data(as_text=True)
    back = urlsplit(fake_stripe.complete_checkout(started.location, number))
    page = client.get(f"{back.path}?{back.query}", follow_redirects=True)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def set_up_payouts_on_pages(client, fake_stripe, store, aide_id: int) -> str:
    """Press "Set up payouts", finish Stripe's onboarding, come back: the payouts page's text."""
    started = client.post("/payouts/onboard", data={})
    assert started.status_code == 303
    fake_stripe.finish_onboarding(store.one(PayoutAccount, aide_id=aide_id).stripe_account_id)
    return client.get("/payouts/return", follow_redirects=True).get_data(as_text=True)


def first_visit(store, request) -> Visit:
    return min(store.all(Visit, request_id=request.id), key=lambda visit: visit.starts_at)


def payment(store, visit_id: int) -> VisitPayment:
    return store.one(VisitPayment, visit_id=visit_id)


@contextmanager
def at(moment):
    """The clock stands at `moment` (HomeStretch and the test alike)."""
    with time_machine.travel(moment, tick=False):
        yield


def worker_pass(app, moment):
    """The worker's scheduled pass at `moment`, as `flask worker` runs it."""
    from webapp.notifications.clock import run_pass

    with at(moment), app.app_context():
        return run_pass(moment)


def stripe_says(app, moment, event_type: str, obj: dict):
    """Stripe delivers a signed event at `moment` (as it would, on its own schedule)."""
    with at(moment):
        payload, headers = signed(event(event_type, obj))
        response = app.test_client().post(
            "/stripe/webhook", data=payload, headers=headers, csrf=False
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def payouts_news(account_id: str, enabled: bool) -> dict:
    """An Express account as account.updated carries it, payouts on or off."""
    return {
        "id": account_id,
        "object": "account",
        "details_submitted": True,
        "charges_enabled": enabled,
        "payouts_enabled": enabled,
    }


def intent(stripe_client, intent_id: str) -> dict:
    """The PaymentIntent as Stripe (the fake) holds it."""
    return stripe_client.v1.payment_intents.retrieve(intent_id).to_dict()


def request_form(**changes) -> dict:
    """The request form as Rosa fills it in: Mon/Wed/Fri 9:00-10:30 at $28.00, six visits."""
    today = date.today()
    data = {
        "includes_medications": "y",
        "first_date": (today + timedelta(days=(0 - today.weekday()) % 7 + 7)).isoformat(),
        "start_time": "09:00",
        "end_time": "10:30",
        "repeat": "weekly",
        "weekdays": ["0", "2", "4"],
        "ends": "count",
        "until_date": "",
        "count": "6",
        "rate": "28.00",
        "currency": "USD",
        "offered_to": "",
        "street": "12 Oak Lane",
        "city": "Springfield",
        "postal_code": "12345",
        "access_notes": "Key box 4321",
        "notes": "Morning meds are on the kitchen table.",
    }
    data.update(changes)
    return data
