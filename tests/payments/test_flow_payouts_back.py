"""An aide's payouts stop after booking and come back: Stripe's account.updated saying payouts
are enabled again makes the holds that were refused (or still to be made) at once, so Rosa's
visit is secured without waiting for the worker and is not given back to the board 48 hours
on. The worker and the webhook use the same idempotency keys, so a visit is never held twice."""

from datetime import timedelta

import pytest

from tests.payments.flows import (
    at,
    first_visit,
    intent,
    payment,
    payouts_news,
    save_card_on_pages,
    set_up_payouts_on_pages,
    stripe_says,
    worker_pass,
)
from webapp.database import begin_write
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.payments import lifecycle
from webapp.payments.models import AIDE_NOT_PAYABLE, PayoutAccount
from webapp.scheduling.models import Visit


@pytest.fixture
def lapsed(app, patient, make_aide, login, fake_stripe, store, post_request):
    """Rosa has a card; Sam booked her visit ten days out (pending), then Stripe said his
    payouts are off. Returns (visit, aide, Sam's Stripe account id)."""
    rosa = login(app.test_client(), patient)
    save_card_on_pages(rosa, fake_stripe, patient.id)
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    set_up_payouts_on_pages(sam, fake_stripe, store, aide.id)
    visit = first_visit(store, post_request(patient, days_ahead=10))
    assert sam.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    account_id = store.one(PayoutAccount, aide_id=aide.id).stripe_account_id
    stripe_says(
        app,
        visit.starts_at - timedelta(days=8),
        "account.updated",
        payouts_news(account_id, False),
    )
    assert store.one(PayoutAccount, aide_id=aide.id).payouts_enabled is False
    assert payment(store, visit.id).status == "pending"
    return visit, aide, account_id


def _alerts(store, person):
    return [
        n for n in store.all(Notification, recipient_id=person.id) if n.kind == "payment_problem"
    ]


def test_payouts_enabled_again_secures_a_refused_hold_at_once_and_only_once(
    app, patient, lapsed, login, store, stripe_client
):
    visit, aide, account_id = lapsed
    due = visit.starts_at - timedelta(days=5)
    worker_pass(app, due)  # within six days: the hold is refused, Sam cannot be paid
    refused = payment(store, visit.id)
    assert (refused.status, refused.failure_reason) == ("failed", AIDE_NOT_PAYABLE)
    assert len(_alerts(store, patient)) == 1

    stripe_says(app, due + timedelta(hours=3), "account.updated", payouts_news(account_id, True))

    held = payment(store, visit.id)
    assert (held.status, held.failure_reason, held.attempts) == ("authorized", None, 0)
    assert intent(stripe_client, held.payment_intent_id)["status"] == "requires_capture"
    with at(due + timedelta(hours=3, minutes=5)):
        page = login(app.test_client(), patient).get(f"/patients/{patient.id}/payments")
    text = page.get_data(as_text=True)
    assert "Card authorized" in text and "Payment is not secured yet" not in text

    after = worker_pass(app, due + timedelta(hours=4))
    days_later = worker_pass(app, refused.failed_at + timedelta(hours=49))

    assert (after.card_holds, after.payment_problems) == (0, 0)
    assert days_later.unpaid_reopened == 0
    assert payment(store, visit.id).payment_intent_id == held.payment_intent_id
    kept = store.one(Visit, id=visit.id)
    assert (kept.status, kept.aide_id) == ("booked", aide.id)
    assert len(_alerts(store, patient)) == 1  # nobody heard anything new


def test_the_aide_is_asked_to_finish_payouts_and_the_patient_is_not_blamed_for_the_card(
    app, patient, lapsed, store
):
    visit, aide, account_id = lapsed
    due = visit.starts_at - timedelta(days=5)
    worker_pass(app, due)

    (to_aide,) = _alerts(store, aide)
    (to_patient,) = _alerts(store, patient)
    assert to_aide.title == "Finish setting up payouts" and to_aide.link == "/payouts"
    assert "within 48 hours" in to_aide.body
    assert to_patient.title == "A visit is waiting on the aide"
    assert "Nothing is needed from you" in to_patient.body
    assert "card" not in to_patient.title.lower() and "Save a working card" not in to_patient.body

    reopened = worker_pass(app, due + timedelta(hours=49))  # payouts never came back

    assert reopened.unpaid_reopened == 2
    assert store.one(Visit, id=visit.id).status == "open"
    last = max(store.all(Notification, recipient_id=patient.id), key=lambda n: n.id)
    assert last.title == "A visit is open again"
    assert "had still not set up payouts" in last.body and "never charged" in last.body
    told_aide = max(store.all(Notification, recipient_id=aide.id), key=lambda n: n.id)
    assert "Your payouts were still not set up" in told_aide.body


def test_a_hold_still_to_be_made_is_made_when_payouts_come_back(app, lapsed, store, stripe_client):
    visit, aide, account_id = lapsed
    # Within six days now, but no worker pass has come by: the hold is still to be made.
    back = visit.starts_at - timedelta(days=5, hours=12)

    stripe_says(app, back, "account.updated", payouts_news(account_id, True))

    held = payment(store, visit.id)
    assert held.status == "authorized"
    assert held.authorized_at == back
    assert intent(stripe_client, held.payment_intent_id)["amount"] == held.amount_cents


def test_payouts_back_more_than_six_days_ahead_leave_the_hold_to_the_worker(app, lapsed, store):
    visit, aide, account_id = lapsed

    stripe_says(
        app, visit.starts_at - timedelta(days=7), "account.updated", payouts_news(account_id, True)
    )

    assert payment(store, visit.id).status == "pending"  # cards hold about seven days only


def test_news_that_payouts_are_still_off_makes_no_hold(app, lapsed, store):
    visit, aide, account_id = lapsed
    due = visit.starts_at - timedelta(days=5)
    worker_pass(app, due)

    stripe_says(app, due + timedelta(hours=1), "account.updated", payouts_news(account_id, False))

    assert payment(store, visit.id).status == "failed"


def test_the_worker_reuses_the_key_of_a_hold_whose_webhook_was_rolled_back(
    app, lapsed, store, stripe_client
):
    """Stripe answered the webhook's hold, then its transaction failed: the worker's try gets
    that same hold back from Stripe instead of holding the card a second time."""
    visit, aide, account_id = lapsed
    due = visit.starts_at - timedelta(days=5)
    worker_pass(app, due)
    with at(due + timedelta(hours=1)), app.app_context():
        begin_write(db.session)
        db.session.get(
            PayoutAccount, store.one(PayoutAccount, aide_id=aide.id).id
        ).payouts_enabled = True
        (tried,) = lifecycle.payouts_ready(aide.id, due + timedelta(hours=1))
        first_hold = tried.payment_intent_id
        db.session.rollback()
    assert payment(store, visit.id).status == "failed"
    with app.app_context():
        begin_write(db.session)
        db.session.query(PayoutAccount).filter_by(aide_id=aide.id).update({"payouts_enabled": True})
        db.session.commit()

    report = worker_pass(app, due + timedelta(hours=2))

    held = payment(store, visit.id)
    assert report.card_holds == 1
    assert (held.status, held.payment_intent_id) == ("authorized", first_hold)
    assert intent(stripe_client, first_hold)["status"] == "requires_capture"


def test_only_the_aide_whose_payouts_came_back_has_holds_made(
    app, patient, lapsed, make_aide, login, fake_stripe, store, post_request
):
    visit, aide, account_id = lapsed
    other = make_aide("Olu Other")
    olu = login(app.test_client(), other)
    set_up_payouts_on_pages(olu, fake_stripe, store, other.id)
    second = first_visit(store, post_request(patient, days_ahead=10, start="14:00", end="15:00"))
    assert olu.post(f"/visits/{second.id}/book", data={}).status_code == 302
    other_account = store.one(PayoutAccount, aide_id=other.id).stripe_account_id
    due = visit.starts_at - timedelta(days=5)
    stripe_says(
        app, due - timedelta(hours=1), "account.updated", payouts_news(other_account, False)
    )
    worker_pass(app, due)

    stripe_says(app, due + timedelta(hours=1), "account.updated", payouts_news(account_id, True))

    assert payment(store, visit.id).status == "authorized"
    assert payment(store, second.id).status == "failed"
