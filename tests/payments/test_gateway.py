"""The gateway against the fake Stripe server: the calls HomeStretch makes, and Stripe's errors
turned into sentences.

The fake echoes transfer_data, application_fee_amount, reverse_transfer and
refund_application_fee as it received them; it moves no money to a connected account, so these
tests show what HomeStretch asks Stripe for, not what Stripe would then transfer.
"""

import pytest

from tests.payments.conftest import SECRET_KEY
from webapp.payments.gateway import CardDeclined, Gateway, PaymentError


@pytest.fixture
def gateway(fake_stripe):
    return Gateway(SECRET_KEY, fake_stripe.url, "whsec_unused")


@pytest.fixture
def customer(gateway, stripe_client):
    customer_id = gateway.create_customer("rosa@example.com", "Rosa", 1)
    method = stripe_client.v1.payment_methods.attach("pm_card_visa", {"customer": customer_id})
    return customer_id, method.id


@pytest.fixture
def account(gateway, fake_stripe):
    account_id = gateway.create_express_account("sam@example.com", 2)
    fake_stripe.finish_onboarding(account_id)
    return account_id


def _authorize(gateway, customer, account, key, method=None, amount=2800, fee=280):
    return gateway.authorize(
        amount=amount,
        currency="USD",
        customer_id=customer[0],
        payment_method_id=method or customer[1],
        destination=account,
        fee=fee,
        key=key,
        metadata={"visit_id": "1"},
    )


def test_authorizing_holds_the_amount_for_the_aides_account_with_the_fee(
    gateway, customer, account, stripe_client
):
    intent = _authorize(gateway, customer, account, "visit-901-authorize")

    assert intent.status == "requires_capture"
    stored = stripe_client.v1.payment_intents.retrieve(intent.id).to_dict()
    assert stored["capture_method"] == "manual"
    assert stored["amount"] == 2800 and stored["currency"] == "usd"
    assert stored["transfer_data"] == {"destination": account}
    assert stored["application_fee_amount"] == 280


def test_the_same_idempotency_key_gets_the_same_hold_back(gateway, customer, account):
    first = _authorize(gateway, customer, account, "visit-902-authorize")
    again = _authorize(gateway, customer, account, "visit-902-authorize")
    other = _authorize(gateway, customer, account, "visit-903-authorize")

    assert again.id == first.id
    assert other.id != first.id


def test_a_declined_card_is_a_sentence_not_a_stack_trace(gateway, customer, account):
    with pytest.raises(CardDeclined) as declined:
        _authorize(
            gateway, customer, account, "visit-904-authorize", method="pm_card_chargeCustomerFail"
        )

    assert declined.value.message == "The card was declined."
    assert declined.value.code == "card_declined"


def test_a_partial_capture_takes_part_of_the_hold_with_its_own_fee(
    gateway, customer, account, stripe_client
):
    intent = _authorize(gateway, customer, account, "visit-905-authorize")

    captured = gateway.capture(intent.id, amount=2100, fee=210, key="visit-905-capture")

    assert (captured.status, captured.amount_received) == ("succeeded", 2100)
    stored = stripe_client.v1.payment_intents.retrieve(intent.id).to_dict()
    assert stored["application_fee_amount"] == 210
    assert stored["latest_charge"]["amount_captured"] == 2100
    assert stored["latest_charge"]["amount_refunded"] == 0


def test_a_released_hold_cannot_be_captured(gateway, customer, account):
    intent = _authorize(gateway, customer, account, "visit-906-authorize")

    released = gateway.cancel(intent.id, key="visit-906-release")

    assert released.status == "canceled"
    with pytest.raises(PaymentError):
        gateway.capture(intent.id, amount=2800, fee=280, key="visit-906-capture")


def test_refunds_take_back_the_transfer_and_fee_and_never_exceed_the_capture(
    gateway, customer, account, stripe_client
):
    intent = _authorize(gateway, customer, account, "visit-907-authorize")
    gateway.capture(intent.id, amount=2800, fee=280, key="visit-907-capture")

    partial = gateway.refund(intent.id, amount=800, key="payment-907-refund-a")
    with pytest.raises(PaymentError):
        gateway.refund(intent.id, amount=2001, key="payment-907-refund-b")
    rest = gateway.refund(intent.id, amount=2000, key="payment-907-refund-c")

    refund = stripe_client.v1.refunds.retrieve(partial).to_dict()
    assert refund["amount"] == 800
    assert refund["reverse_transfer"] is True and refund["refund_application_fee"] is True
    assert rest != partial
    charge = stripe_client.v1.payment_intents.retrieve(intent.id).to_dict()["latest_charge"]
    assert charge["amount_refunded"] == 2800 and charge["refunded"] is True
