"""POST /stripe/webhook with payloads signed in the test: only Stripe's signature opens it,
each event counts once (also twice at the same moment), and late or repeated news never
moves a payment backwards."""

import threading
import time
from datetime import timedelta

import pytest

from tests.payments.conftest import event, signed
from webapp.extensions import db
from webapp.payments import charges, services
from webapp.payments.models import Dispute, PayoutAccount, StripeEvent, VisitPayment


def _post(client, body: dict, **signing):
    payload, headers = signed(body, **signing)
    return client.post("/stripe/webhook", data=payload, headers=headers, csrf=False)


@pytest.fixture
def unpaid_account(app, make_aide, run):
    """An aide who started onboarding but cannot be paid yet."""
    from webapp.auth.models import User
    from webapp.database import utcnow
    from webapp.payments import accounts

    aide = make_aide("Olive Onboarding")
    run(
        lambda: accounts.start_onboarding(
            db.session.get(User, aide.id), "http://localhost/r", "http://localhost/t", utcnow()
        )
    )
    with app.app_context():
        return db.session.query(PayoutAccount).filter_by(aide_id=aide.id).one().stripe_account_id


def _enabled(account_id: str, payouts: bool = True) -> dict:
    return {
        "id": account_id,
        "object": "account",
        "details_submitted": True,
        "charges_enabled": payouts,
        "payouts_enabled": payouts,
    }


def test_a_signed_event_is_handled_and_stored(client, unpaid_account, store):
    response = _post(client, event("account.updated", _enabled(unpaid_account), "evt_one"))

    assert response.status_code == 200
    assert store.one(PayoutAccount).payouts_enabled is True
    stored = store.one(StripeEvent)
    assert (stored.event_id, stored.type) == ("evt_one", "account.updated")
    assert stored.processed_at is not None


@pytest.mark.parametrize(
    "signing",
    [{"secret": "whsec_someone_else"}, {"timestamp": int(time.time()) - 301}],
    ids=["wrong secret", "stale timestamp"],
)
def test_a_bad_signature_is_refused_and_changes_nothing(client, unpaid_account, store, signing):
    response = _post(client, event("account.updated", _enabled(unpaid_account)), **signing)

    assert response.status_code == 400
    assert store.one(PayoutAccount).payouts_enabled is False
    assert store.count(StripeEvent) == 0


def test_an_unsigned_or_unreadable_post_is_refused(client, store):
    plain = client.post("/stripe/webhook", data="{}", content_type="application/json", csrf=False)
    junk = client.post(
        "/stripe/webhook",
        data=b"\xff\xfe",
        headers={"Stripe-Signature": "t=1,v1=abc"},
        content_type="application/json",
        csrf=False,
    )

    assert (plain.status_code, junk.status_code) == (400, 400)
    assert store.count(StripeEvent) == 0


def test_the_same_event_twice_counts_once(client, unpaid_account, store, app):
    body = event("account.updated", _enabled(unpaid_account), "evt_twice")
    first = _post(client, body)
    with app.app_context():  # someone turns payouts off in between; the replay must not undo it
        db.session.query(PayoutAccount).update({"payouts_enabled": False})
        db.session.commit()

    second = _post(client, body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["duplicate"] is True
    assert store.count(StripeEvent) == 1
    assert store.one(PayoutAccount).payouts_enabled is False


def test_the_same_event_twice_at_once_counts_once(app, unpaid_account, store):
    body = event("account.updated", _enabled(unpaid_account), "evt_race")
    clients = [app.test_client(), app.test_client()]
    barrier = threading.Barrier(2)
    answers = []

    def deliver(client):
        barrier.wait()
        answers.append(_post(client, body))

    threads = [threading.Thread(target=deliver, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sorted(a.get_json()["duplicate"] for a in answers) == [False, True]
    assert store.count(StripeEvent) == 1


def test_older_account_news_does_not_undo_newer(client, unpaid_account, store):
    now = int(time.time())
    _post(client, event("account.updated", _enabled(unpaid_account), "evt_new", created=now))
    _post(
        client,
        event("account.updated", _enabled(unpaid_account, False), "evt_old", created=now - 60),
    )

    assert store.one(PayoutAccount).payouts_enabled is True
    assert store.count(StripeEvent) == 2


@pytest.fixture
def captured(patient, payable_aide, save_card, booked_visit, on_visit):
    """A visit whose price was collected at check-out."""
    save_card(patient)
    visit_id = booked_visit(patient, payable_aide())
    on_visit(services.authorize, visit_id)
    return on_visit(charges.capture, visit_id, None)


def test_a_refund_before_the_success_news_leaves_the_payment_refunded(client, captured, store):
    charge = {
        "id": captured.charge_id,
        "object": "charge",
        "payment_intent": captured.payment_intent_id,
        "amount": 2800,
        "amount_captured": 2800,
        "amount_refunded": 2800,
        "refunded": True,
    }
    intent = {
        "id": captured.payment_intent_id,
        "object": "payment_intent",
        "status": "succeeded",
        "amount_received": 2800,
    }

    _post(client, event("charge.refunded", charge))
    _post(client, event("payment_intent.succeeded", intent))
    _post(client, event("payment_intent.canceled", {**intent, "status": "canceled"}))

    payment = store.one(VisitPayment)
    assert (payment.status, payment.captured_cents, payment.refunded_cents) == (
        "refunded",
        2800,
        2800,
    )
    assert store.count(StripeEvent) == 3


def test_a_partial_refund_on_stripes_side_is_recorded_once(client, captured, store):
    charge = {"id": captured.charge_id, "payment_intent": captured.payment_intent_id}

    _post(client, event("charge.refunded", {**charge, "amount_refunded": 500}))
    _post(client, event("charge.refunded", {**charge, "amount_refunded": 500}))

    payment = store.one(VisitPayment)
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 500)


def test_a_dispute_is_kept_with_its_deadline_for_the_admin(
    client, captured, store, login, make_user
):
    due = int(time.time() + timedelta(days=7).total_seconds())
    dispute = {
        "id": "du_test_1",
        "object": "dispute",
        "amount": 2800,
        "currency": "usd",
        "charge": captured.charge_id,
        "payment_intent": captured.payment_intent_id,
        "reason": "product_not_received",
        "status": "needs_response",
        "created": int(time.time()),
        "evidence_details": {"due_by": due},
    }

    _post(client, event("charge.dispute.created", dispute))
    _post(client, event("charge.dispute.created", dispute))  # another event, the same dispute

    stored = store.one(Dispute)
    assert stored.payment_id == captured.id
    assert int(stored.evidence_due_by.timestamp()) == due
    admin = login(client.application.test_client(), make_user("admin"))
    page = admin.get("/admin/disputes").get_data(as_text=True)
    assert "$28.00" in page and "product not received" in page and "Evidence due" in page


def test_an_event_of_another_kind_is_stored_and_otherwise_ignored(client, store):
    response = _post(client, event("customer.created", {"id": "cus_x", "object": "customer"}))

    assert response.status_code == 200
    assert store.one(StripeEvent).type == "customer.created"


def test_a_later_decline_from_stripe_tells_the_patient_once(
    app, client, patient, payable_aide, save_card, booked_visit, on_visit, store
):
    """A hold Stripe was still processing (pending here) that it declines afterwards."""
    from webapp.notifications.models import Notification

    save_card(patient)
    aide = payable_aide()
    visit_id = booked_visit(patient, aide)
    held = on_visit(services.authorize, visit_id)
    with app.app_context():
        db.session.get(VisitPayment, held.id).status = "pending"
        db.session.commit()
    failed = {
        "id": held.payment_intent_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card has insufficient funds."},
    }
    _post(client, event("payment_intent.payment_failed", failed, "evt_failed_1"))
    _post(client, event("payment_intent.payment_failed", failed, "evt_failed_2"))
    assert store.one(VisitPayment, visit_id=visit_id).status == "failed"
    alerts = store.all(Notification, kind="payment_problem", recipient_id=patient.id)
    assert len(alerts) == 1
    assert alerts[0].link == f"/patients/{patient.id}/payment-card"
