"""Charging visits: hold at booking (or six days ahead), collect at check-out, let go when the
visit does not happen, late-cancellation fee, declines, refunds. Against the fake Stripe."""

from datetime import timedelta

import pytest

from webapp.database import utcnow
from webapp.errors import AlreadyDone, InvalidInput
from webapp.extensions import db
from webapp.payments import charges, services
from webapp.payments.models import AIDE_NOT_PAYABLE, PaymentProfile, VisitPayment


@pytest.fixture
def world(patient, payable_aide, save_card):
    aide = payable_aide()
    save_card(patient)
    return patient, aide


def _intent(stripe_client, payment):
    return stripe_client.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()


def test_prices_are_the_hourly_rate_for_the_booked_time_in_cents(app):
    with app.app_context():
        assert services.price_for_minutes(2800, 60) == 2800
        assert services.price_for_minutes(2800, 90) == 4200
        assert services.price_for_minutes(2999, 45) == 2249  # 2249.25 rounds down
        assert services.price_for_minutes(2998, 45) == 2249  # 2248.5 rounds half up
        assert services.fee_for(2800) == 280
        assert services.fee_for(2005) == 201
        assert charges.late_cancel_fee_for(2800) == 1400


@pytest.mark.parametrize(
    ("spent", "billed"), [(None, 60), (60, 60), (75, 60), (31, 45), (45, 45), (1, 15), (0, 15)]
)
def test_an_early_check_out_is_billed_by_the_quarter_hour_begun(spent, billed):
    assert charges.billed_minutes(60, spent) == billed


def test_booking_within_six_days_holds_the_price_for_the_aide_less_the_fee(
    world, booked_visit, on_visit, stripe_client, store
):
    patient, aide = world
    visit_id = booked_visit(patient, aide, minutes=90)

    payment = on_visit(services.authorize, visit_id)
    again = on_visit(services.authorize, visit_id)

    assert (payment.status, payment.amount_cents, payment.fee_cents) == ("authorized", 4200, 420)
    assert again.payment_intent_id == payment.payment_intent_id
    assert store.count(VisitPayment) == 1
    intent = _intent(stripe_client, payment)
    assert intent["status"] == "requires_capture"
    assert intent["application_fee_amount"] == 420
    assert intent["transfer_data"]["destination"] == payment.destination_account_id


def test_a_visit_further_out_waits_and_the_worker_authorizes_it_six_days_before(
    world, booked_visit, on_visit, run
):
    patient, aide = world
    visit_id = booked_visit(patient, aide, starts_in=timedelta(days=10))

    waiting = on_visit(services.authorize, visit_id)
    too_early = run(services.authorize_due, utcnow() + timedelta(days=3))
    due = run(services.authorize_due, utcnow() + timedelta(days=4, hours=1))

    assert waiting.status == "pending" and waiting.payment_intent_id is None
    assert too_early == []
    assert [(p.visit_id, p.status) for p in due] == [(visit_id, "authorized")]


def test_check_out_collects_the_booked_time_once(world, booked_visit, on_visit, stripe_client):
    patient, aide = world
    visit_id = booked_visit(patient, aide)
    on_visit(services.authorize, visit_id)

    paid = on_visit(charges.capture, visit_id, None)
    again = on_visit(charges.capture, visit_id, None)

    assert (paid.status, paid.captured_cents, paid.fee_cents) == ("captured", 2800, 280)
    assert paid.minutes_billed is None
    assert again.captured_at == paid.captured_at
    assert _intent(stripe_client, paid)["amount_received"] == 2800


def test_an_early_check_out_is_collected_for_the_time_spent(
    world, booked_visit, on_visit, stripe_client
):
    patient, aide = world
    visit_id = booked_visit(patient, aide)
    on_visit(services.authorize, visit_id)

    paid = on_visit(charges.capture, visit_id, 31)

    assert (paid.captured_cents, paid.fee_cents, paid.minutes_billed) == (2100, 210, 45)
    intent = _intent(stripe_client, paid)
    assert intent["amount_received"] == 2100 and intent["application_fee_amount"] == 210


def test_an_early_cancellation_lets_the_hold_go(world, booked_visit, on_visit, stripe_client):
    patient, aide = world
    visit_id = booked_visit(patient, aide)
    on_visit(services.authorize, visit_id)

    released = on_visit(charges.release, visit_id)
    again = on_visit(charges.release, visit_id)
    capture = on_visit(charges.capture, visit_id, None)

    assert released.status == again.status == capture.status == "released"
    assert capture.captured_cents == 0
    assert _intent(stripe_client, released)["status"] == "canceled"


def test_a_late_cancellation_by_the_patient_collects_the_fee(
    world, booked_visit, on_visit, stripe_client
):
    patient, aide = world
    visit_id = booked_visit(patient, aide, starts_in=timedelta(hours=5))
    on_visit(services.authorize, visit_id)

    fee = on_visit(charges.charge_late_cancel_fee, visit_id)

    assert (fee.status, fee.captured_cents, fee.fee_cents, fee.late_cancel_fee) == (
        "captured",
        1400,
        140,
        True,
    )
    assert _intent(stripe_client, fee)["amount_received"] == 1400


def test_a_declined_card_fails_with_a_reason_and_a_new_card_gets_a_fresh_try(
    world, booked_visit, on_visit, app, save_card
):
    patient, aide = world
    with app.app_context():
        profile = db.session.query(PaymentProfile).filter_by(patient_id=patient.id).one()
        profile.default_payment_method_id = "pm_card_chargeCustomerFail"
        db.session.commit()
    visit_id = booked_visit(patient, aide)

    declined = on_visit(services.authorize, visit_id)
    save_card(patient)
    retried = on_visit(services.authorize, visit_id)

    assert (declined.status, declined.failure_reason) == ("failed", "The card was declined.")
    assert declined.attempts == 1
    assert retried.status == "authorized" and retried.failure_reason is None


def test_no_card_or_an_aide_without_payouts_is_a_failed_payment_not_a_charge(
    patient, make_aide, payable_aide, booked_visit, on_visit, save_card, run
):
    unpaid_aide = make_aide("Una Unpaid")
    paid_aide = payable_aide()
    no_card = on_visit(services.authorize, booked_visit(patient, paid_aide))
    save_card(patient)
    no_payouts = on_visit(services.authorize, booked_visit(patient, unpaid_aide))

    assert (no_card.status, no_card.failure_reason) == ("failed", services.NO_CARD)
    assert (no_payouts.status, no_payouts.failure_reason) == ("failed", AIDE_NOT_PAYABLE)
    from webapp.auth.models import User

    assert run(lambda: services.may_book_paid(db.session.get(User, unpaid_aide.id))) is False
    assert run(lambda: services.may_book_paid(db.session.get(User, paid_aide.id))) is True


def test_refunds_are_partial_or_full_and_never_more_than_collected(
    world, booked_visit, on_visit, run, make_user, app
):
    patient, aide = world
    admin = make_user("admin")
    visit_id = booked_visit(patient, aide)
    on_visit(services.authorize, visit_id)
    on_visit(charges.capture, visit_id, None)

    def refund(amount, key):
        from webapp.auth.models import User

        payment = db.session.query(VisitPayment).filter_by(visit_id=visit_id).one()
        return charges.refund(
            payment, amount, "Left early", db.session.get(User, admin.id), utcnow(), key
        )

    run(refund, 1000, "first-refund-key-0001")
    with pytest.raises(AlreadyDone):
        run(refund, 1000, "first-refund-key-0001")
    with pytest.raises(InvalidInput, match=r"at most \$18.00"):
        run(refund, 1801, "second-refund-key-0002")
    run(refund, 1800, "third-refund-key-00003")

    with app.app_context():
        payment = db.session.query(VisitPayment).filter_by(visit_id=visit_id).one()
        assert (payment.status, payment.refunded_cents) == ("refunded", 2800)
        assert len(payment.refunds) == 2


def test_check_out_of_a_visit_never_held_authorizes_then_collects(
    world, booked_visit, on_visit, app
):
    from webapp.scheduling.models import Visit

    patient, aide = world
    visit_id = booked_visit(patient, aide, starts_in=timedelta(minutes=-50))
    with app.app_context():
        db.session.get(Visit, visit_id).status = "checked_in"
        db.session.commit()

    paid = on_visit(charges.capture, visit_id, None)

    assert (paid.status, paid.captured_cents) == ("captured", 2800)


def test_an_open_visit_has_nothing_to_authorize(patient, post_request, on_visit, app, store):
    from webapp.scheduling.models import Visit

    request = post_request(patient)
    with app.app_context():
        visit_id = db.session.query(Visit).filter_by(request_id=request.id).first().id

    assert on_visit(services.authorize, visit_id) is None
    assert store.count(VisitPayment) == 0
