"""With no Stripe settings at all, the same stories work through the pages and never reach
Stripe: posting needs no card, booking needs no payouts, check-out, cancellations, a no-show
and the worker's pass record no payment, and visits say "Pay the aide directly"."""

from datetime import timedelta

import pytest
import stripe

from tests.payments.flows import at, first_visit, request_form, worker_pass
from webapp.payments.models import VisitPayment
from webapp.scheduling.models import Visit


@pytest.fixture
def app(app):
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_API_BASE="", STRIPE_WEBHOOK_SECRET="")
    return app


@pytest.fixture(autouse=True)
def no_stripe(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("offline mode called Stripe")

    monkeypatch.setattr(stripe, "StripeClient", refuse)


def test_post_book_check_out_and_cancel_without_stripe(
    app, patient, make_aide, login, store, post_request
):
    rosa = login(app.test_client(), patient)
    form = rosa.post("/requests/new", data=request_form(street="")).get_data(as_text=True)
    assert "$42.00 per visit" in form and "pay the aide directly" in form
    assert rosa.post("/requests/new", data=request_form()).status_code == 302
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    done, early, late, left = (
        first_visit(store, post_request(patient, days_ahead=days, start=start, end=end))
        for days, start, end in (
            (2, "09:00", "10:00"),
            (3, "09:00", "10:00"),
            (4, "09:00", "10:00"),
            (5, "09:00", "10:00"),
        )
    )
    for visit in (done, early, late, left):
        assert sam.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    assert "Pay the aide directly" in sam.get(f"/visits/{done.id}").get_data(as_text=True)
    assert "Pay the aide directly" in sam.get("/my-visits").get_data(as_text=True)
    assert "Pay the aide directly" in rosa.get(f"/requests/{done.request_id}").get_data(
        as_text=True
    )

    with at(done.starts_at + timedelta(minutes=1)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{done.id}/check-in", data={}).status_code == 302
    with at(done.starts_at + timedelta(minutes=30)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{done.id}/check-out", data={}).status_code == 302
        rosa = login(app.test_client(), patient)
        summary = rosa.get(f"/visits/{done.id}/summary").get_data(as_text=True)
    assert "Pay the aide directly" in summary
    rosa = login(app.test_client(), patient)
    assert rosa.post(f"/visits/{early.id}/cancel", data={}).status_code == 302
    with at(late.starts_at - timedelta(hours=2)):
        rosa = login(app.test_client(), patient)
        assert rosa.post(f"/visits/{late.id}/cancel", data={}).status_code == 302
    with at(left.starts_at - timedelta(hours=2)):
        sam = login(app.test_client(), aide)
        assert sam.post(f"/visits/{left.id}/cancel", data={}).status_code == 302

    statuses = [store.one(Visit, id=v.id).status for v in (done, early, late, left)]
    assert statuses == ["completed", "cancelled", "cancelled", "open"]
    assert store.count(VisitPayment) == 0


def test_the_workers_pass_and_a_no_show_record_no_payment(
    app, patient, make_aide, login, store, post_request
):
    aide = make_aide("Sam Aide")
    sam = login(app.test_client(), aide)
    near = first_visit(store, post_request(patient, days_ahead=2))
    far = first_visit(store, post_request(patient, days_ahead=10))
    for visit in (near, far):
        sam.post(f"/visits/{visit.id}/book", data={})

    report = worker_pass(app, near.ends_at + timedelta(minutes=1))

    assert store.one(Visit, id=near.id).status == "no_show"
    assert (report.card_holds, report.payment_problems, report.unpaid_reopened) == (0, 0, 0)
    assert store.count(VisitPayment) == 0
