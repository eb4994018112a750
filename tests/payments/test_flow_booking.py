"""Booking and check-out with card payments on, through HomeStretch's pages against the fake
Stripe server: Rosa saves a card on Stripe's page, Sam sets up payouts, books, the card is held
for Sam's Express account with the platform fee, and check-out collects it (the time actually
spent, rounded up to 15 minutes, when Sam leaves early). An aide Stripe cannot pay yet cannot
book; a visit ten days out is held by the worker once it comes within six days.

The fake echoes `transfer_data` and `application_fee_amount` but moves no money to the
connected account (it has no Transfer or ApplicationFee objects), so the split is read from the
PaymentIntent as Stripe reports it, not from a transfer."""

from datetime import timedelta

from tests.payments.flows import (
    at,
    first_visit,
    intent,
    payment,
    save_card_on_pages,
    set_up_payouts_on_pages,
    worker_pass,
)
from webapp.database import utcnow
from webapp.payments.models import PayoutAccount, VisitPayment
from webapp.scheduling.models import Visit


def _ready(app, patient, make_aide, login, fake_stripe, store, rate_cents=3000):
    """Rosa has a card saved and Sam can be paid, both through the pages."""
    rosa = login(app.test_client(), patient)
    assert "Card ending 4242 saved for visits" in save_card_on_pages(rosa, fake_stripe, patient.id)
    aide = make_aide("Sam Aide", rate_cents=rate_cents)
    sam = login(app.test_client(), aide)
    assert "Payouts are set up" in set_up_payouts_on_pages(sam, fake_stripe, store, aide.id)
    return rosa, aide, sam


def test_book_hold_check_in_check_out_and_the_fee_split(
    app, patient, make_aide, login, fake_stripe, store, post_request, stripe_client
):
    rosa, aide, sam = _ready(app, patient, make_aide, login, fake_stripe, store)
    visit = first_visit(store, post_request(patient, days_ahead=2, rate_cents=3000))

    booked = sam.post(f"/visits/{visit.id}/book", data={})
    assert booked.status_code == 302
    held = payment(store, visit.id)
    account = store.one(PayoutAccount, aide_id=aide.id)
    on_stripe = intent(stripe_client, held.payment_intent_id)
    assert (held.status, held.amount_cents, held.fee_cents) == ("authorized", 3000, 300)
    assert on_stripe["status"] == "requires_capture"
    assert on_stripe["capture_method"] == "manual"
    assert on_stripe["transfer_data"]["destination"] == account.stripe_account_id
    assert on_stripe["application_fee_amount"] == 300
    assert "Card authorized" in sam.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Card authorized" in sam.get("/my-visits").get_data(as_text=True)

    with at(visit.starts_at + timedelta(minutes=1)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302
    with at(visit.ends_at + timedelta(minutes=2)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{visit.id}/check-out", data={}).status_code == 302
        rosa = login(app.test_client(), patient)
        summary = rosa.get(f"/visits/{visit.id}/summary").get_data(as_text=True)
        payouts = sam.get("/payouts").get_data(as_text=True)

    paid = payment(store, visit.id)
    on_stripe = intent(stripe_client, paid.payment_intent_id)
    assert store.one(Visit, id=visit.id).status == "completed"
    assert (paid.status, paid.captured_cents, paid.fee_cents, paid.minutes_billed) == (
        "captured",
        3000,
        300,
        None,
    )
    assert (on_stripe["status"], on_stripe["amount_received"]) == ("succeeded", 3000)
    assert on_stripe["application_fee_amount"] == 300
    assert "$30.00 paid" in summary and "minutes charged" not in summary
    assert "$27.00" in payouts  # Sam keeps the visit less the 10% fee


def test_an_early_check_out_charges_the_time_spent_rounded_up_to_15_minutes(
    app, patient, make_aide, login, fake_stripe, store, post_request, stripe_client
):
    rosa, aide, sam = _ready(app, patient, make_aide, login, fake_stripe, store)
    visit = first_visit(store, post_request(patient, days_ahead=2, rate_cents=3000))
    sam.post(f"/visits/{visit.id}/book", data={})

    with at(visit.starts_at + timedelta(minutes=2)):
        sam = login(app.test_client(), aide)
        sam.post(f"/visits/{visit.id}/check-in", data={})
    with at(visit.starts_at + timedelta(minutes=39)):  # 37 minutes there: 45 are charged
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{visit.id}/check-out", data={}).status_code == 302
        rosa = login(app.test_client(), patient)
        summary = rosa.get(f"/visits/{visit.id}/summary").get_data(as_text=True)

    paid = payment(store, visit.id)
    assert (paid.status, paid.minutes_billed, paid.captured_cents, paid.fee_cents) == (
        "captured",
        45,
        2250,
        225,
    )
    on_stripe = intent(stripe_client, paid.payment_intent_id)
    assert (on_stripe["amount_received"], on_stripe["application_fee_amount"]) == (2250, 225)
    assert "$22.50 paid" in summary
    assert "Checked out early: 45 minutes charged" in summary


def test_an_aide_stripe_cannot_pay_yet_is_sent_to_set_up_payouts_and_books_nothing(
    app, patient, make_aide, login, fake_stripe, store, post_request
):
    rosa = login(app.test_client(), patient)
    save_card_on_pages(rosa, fake_stripe, patient.id)
    aide = make_aide("Nia New")
    nia = login(app.test_client(), aide)
    request = post_request(patient, days_ahead=2, weekdays=[0, 2], count=4)
    visit = first_visit(store, request)

    one = nia.post(f"/visits/{visit.id}/book", data={})
    ids = [v.id for v in store.all(Visit, request_id=request.id)]
    series = nia.post(f"/requests/{request.id}/book-series", data={"visit_ids": ids})

    for response in (one, series):
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Finish setting up payouts before you book" in page
        assert 'href="/payouts"' in page
    assert {v.status for v in store.all(Visit, request_id=request.id)} == {"open"}
    assert store.count(VisitPayment) == 0


def test_a_visit_ten_days_out_is_held_by_the_worker_once_it_is_six_days_away(
    app, patient, make_aide, login, fake_stripe, store, post_request, stripe_client
):
    rosa, aide, sam = _ready(app, patient, make_aide, login, fake_stripe, store)
    visit = first_visit(store, post_request(patient, days_ahead=10))
    sam.post(f"/visits/{visit.id}/book", data={})
    waiting = payment(store, visit.id)
    assert (waiting.status, waiting.payment_intent_id) == ("pending", None)
    assert "Waiting to be authorized" in sam.get(f"/visits/{visit.id}").get_data(as_text=True)

    assert worker_pass(app, visit.starts_at - timedelta(days=6, hours=1)).card_holds == 0
    assert payment(store, visit.id).status == "pending"
    report = worker_pass(app, visit.starts_at - timedelta(days=5, hours=23))
    again = worker_pass(app, visit.starts_at - timedelta(days=5, hours=22))

    held = payment(store, visit.id)
    assert (report.card_holds, again.card_holds) == (1, 0)
    assert held.status == "authorized"
    assert intent(stripe_client, held.payment_intent_id)["status"] == "requires_capture"


def test_booking_a_series_holds_the_visits_within_six_days_and_leaves_the_rest_pending(
    app, patient, make_aide, login, fake_stripe, store, post_request
):
    rosa, aide, sam = _ready(app, patient, make_aide, login, fake_stripe, store)
    start = utcnow().date() + timedelta(days=2)
    request = post_request(patient, first_date=start, weekdays=[start.weekday()], count=3)
    ids = [v.id for v in store.all(Visit, request_id=request.id)]

    booked = sam.post(f"/requests/{request.id}/book-series", data={"visit_ids": ids})

    assert booked.status_code == 302
    statuses = [payment(store, visit_id).status for visit_id in sorted(ids)]
    assert statuses == ["authorized", "pending", "pending"]
