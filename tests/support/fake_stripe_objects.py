"""The Stripe objects the fake server adds to localstripe (see fake_stripe.py): Checkout
Sessions in setup mode, Express Accounts and Account Links, the Connect parameters of
PaymentIntents and refunds, and webhook delivery to the listener registered when an event
happened. Importing this module imports localstripe (quietly) and patches it."""

import asyncio
import hashlib
import hmac
import json
import time
import warnings

import aiohttp

# localstripe's import may warn of deprecations; the tests turn warnings into errors.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources, webhooks
    from localstripe.errors import UserError
    from localstripe.resources import (
        Charge,
        Customer,
        Event,
        PaymentIntent,
        PaymentMethod,
        Refund,
        SetupIntent,
        StripeObject,
        random_id,
        try_convert_to_bool,
        try_convert_to_int,
    )

# localstripe pickles its whole store to the system temp folder on every write; keep it in memory.
resources.store.dump_to_disk = lambda: None

server_state = {"base_url": None}


def _send(event_type: str, obj) -> None:
    webhooks.schedule_webhook(Event(event_type, obj))


def _schedule_webhook(event) -> None:
    """localstripe's delivery (signed, a second later), except that an event goes only to the
    listeners registered when it happened and still registered when it goes out: late news
    from one test never reaches the server the next test started."""
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode()
    listeners = list(webhooks._webhooks.values())
    asyncio.ensure_future(_deliver(event, payload, listeners))


async def _deliver(event, payload: bytes, listeners: list) -> None:
    await asyncio.sleep(1)
    signed = b"%d.%s" % (event.created, payload)
    for listener in listeners:
        current = webhooks._webhooks.values()
        if not any(listener is webhook for webhook in current):
            continue
        if listener.events is not None and event.type not in listener.events:
            continue
        signature = hmac.new(listener.secret.encode(), signed, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": f"t={event.created},v1={signature}",
        }
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(listener.url, data=payload, headers=headers),
            ):
                pass
        except aiohttp.ClientError:
            pass  # as Stripe would, give up quietly; the tests wait on what arrived


webhooks.schedule_webhook = resources.schedule_webhook = _schedule_webhook


# Checkout Sessions (setup mode) ------------------------------------------------------------


class CheckoutSession(StripeObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(
        self,
        mode=None,
        customer=None,
        success_url=None,
        cancel_url=None,
        payment_method_types=None,
        metadata=None,
        currency=None,
        client_reference_id=None,
        **kwargs,
    ):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if mode != "setup":
            raise UserError(400, "The fake only has setup mode")
        for url in (success_url, cancel_url):
            if not isinstance(url, str) or not url.startswith("http"):
                raise UserError(400, "Bad request")
        if not isinstance(customer, str):
            raise UserError(400, "Bad request")
        Customer._api_retrieve(customer)  # 404 if unknown
        super().__init__()
        self.mode = mode
        self.customer = customer
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.payment_method_types = payment_method_types or ["card"]
        self.metadata = metadata or {}
        self.currency = currency
        self.client_reference_id = client_reference_id
        self.status = "open"
        self.setup_intent = None
        self.url = f"{server_state['base_url']}/_config/checkout/{self.id}"

    def _complete(self, number: str):
        if self.status != "open":
            raise UserError(400, "This Checkout Session is no longer open.")
        card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        method = PaymentMethod(type="card", card=card)
        PaymentMethod._api_attach(method.id, customer=self.customer)  # 402 for declining cards
        intent = SetupIntent(customer=self.customer, usage="off_session")
        intent._attach_pm(method)
        self.setup_intent = intent.id
        self.status = "complete"
        _send("checkout.session.completed", self)
        _send("setup_intent.succeeded", intent)
        return self.success_url.replace("{CHECKOUT_SESSION_ID}", self.id)


# Connect: Express accounts and onboarding links --------------------------------------------


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type=None,
        country=None,
        email=None,
        capabilities=None,
        metadata=None,
        business_type=None,
        **kwargs,
    ):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if type not in ("express", "standard", "custom"):
            raise UserError(400, "Bad request")
        super().__init__()
        self.type = type
        self.country = country or "US"
        self.email = email
        self.business_type = business_type
        self.metadata = metadata or {}
        self.capabilities = {name: "inactive" for name in (capabilities or {})}
        self.details_submitted = False
        self.charges_enabled = False
        self.payouts_enabled = False
        self.requirements = {"currently_due": ["external_account", "tos_acceptance.date"]}

    def _finish_onboarding(self, payouts_enabled: bool):
        self.details_submitted = True
        self.charges_enabled = payouts_enabled
        self.payouts_enabled = payouts_enabled
        self.requirements = {"currently_due": []}
        self.capabilities = {name: "active" for name in self.capabilities}
        _send("account.updated", self)


def account_link(account=None, refresh_url=None, return_url=None, type=None, **kwargs):
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    if type != "account_onboarding" or not isinstance(account, str):
        raise UserError(400, "Bad request")
    Account._api_retrieve(account)
    now = int(time.time())
    return {
        "object": "account_link",
        "created": now,
        "expires_at": now + 300,
        "url": f"{server_state['base_url']}/_config/onboarding/{account}",
    }


# PaymentIntents and refunds: Connect parameters, events, refusals --------------------------

_create_intent = PaymentIntent._api_create.__func__
_capture_intent = PaymentIntent._api_capture.__func__
_cancel_intent = PaymentIntent._api_cancel.__func__
_create_refund = Refund._api_create.__func__


def _connect_fee(value, limit):
    fee = try_convert_to_int(value)
    if fee is None:
        return None
    if not isinstance(fee, int) or fee < 0 or fee > limit:
        raise UserError(400, "Invalid application_fee_amount", {"param": "application_fee_amount"})
    return fee


def create_intent(cls, transfer_data=None, application_fee_amount=None, **data):
    if transfer_data is not None:
        destination = transfer_data.get("destination") if isinstance(transfer_data, dict) else None
        if not isinstance(destination, str):
            raise UserError(400, "Invalid transfer_data", {"param": "transfer_data"})
        Account._api_retrieve(destination)  # 404 for an unknown account
    fee = _connect_fee(application_fee_amount, try_convert_to_int(data.get("amount")) or 0)
    intent = _create_intent(cls, **data)
    intent.transfer_data = transfer_data
    intent.application_fee_amount = fee
    intent.amount_received = 0
    intent.amount_capturable = intent.amount if intent.status == "requires_capture" else 0
    intent.cancellation_reason = None
    if intent.amount_capturable:
        _send("payment_intent.amount_capturable_updated", intent)
    return intent


def capture_intent(cls, id, amount_to_capture=None, application_fee_amount=None, **kwargs):
    intent = cls._api_retrieve(id)
    if intent.status != "requires_capture":
        raise UserError(
            400,
            f"This PaymentIntent could not be captured because it has a status of {intent.status}.",
            {"code": "payment_intent_unexpected_state"},
        )
    amount = try_convert_to_int(amount_to_capture) if amount_to_capture is not None else None
    fee = _connect_fee(application_fee_amount, amount or intent.amount)
    charge = intent.latest_charge
    before = {refund.id for refund in Refund._api_list_all(None, charge=charge.id)._list}
    _capture_intent(cls, id, amount_to_capture=amount, **kwargs)
    for refund in Refund._api_list_all(None, charge=charge.id)._list:
        if refund.id not in before:
            refund._uncaptured_rest = True  # localstripe's way of dropping the uncaptured part
    intent.amount_received = amount if amount is not None else intent.amount
    intent.amount_capturable = 0
    if fee is not None:
        intent.application_fee_amount = fee
    return intent


def cancel_intent(cls, id, cancellation_reason=None, **kwargs):
    intent = _cancel_intent(cls, id, **kwargs)
    intent.cancellation_reason = cancellation_reason
    intent.amount_capturable = 0
    _send("payment_intent.canceled", intent)
    return intent


def create_refund(cls, reverse_transfer=None, refund_application_fee=None, **data):
    charge_id = data.get("charge")
    if data.get("payment_intent"):
        intent = PaymentIntent._api_retrieve(data["payment_intent"])
        if intent.latest_charge is None or not intent.latest_charge.captured:
            raise UserError(400, "The fake cannot refund an uncaptured PaymentIntent.")
        charge_id = intent.latest_charge.id
    charge = Charge._api_retrieve(charge_id or "")
    remaining = charge.amount_captured - charge.amount_refunded
    amount = try_convert_to_int(data.get("amount")) if data.get("amount") is not None else remaining
    if remaining <= 0:
        message = f"Charge {charge.id} has already been refunded."
        raise UserError(400, message, {"code": "charge_already_refunded"})
    if not isinstance(amount, int) or amount > remaining:
        raise UserError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            {"code": "amount_too_large", "param": "amount"},
        )
    data["amount"] = amount
    refund = _create_refund(cls, **data)
    refund.reverse_transfer = try_convert_to_bool(reverse_transfer)
    refund.refund_application_fee = try_convert_to_bool(refund_application_fee)
    refund.transfer_reversal = "trr_" + random_id(14) if refund.reverse_transfer else None
    _send("charge.refunded", charge)
    return refund


def _refunds_of(charge):
    listed = Refund._api_list_all(f"/v1/charges/{charge.id}/refunds", charge=charge.id)
    listed._list = [r for r in listed._list if not getattr(r, "_uncaptured_rest", False)]
    return listed


def _uncaptured_rest(charge) -> int:
    rows = Refund._api_list_all(None, charge=charge.id)._list
    return sum(r.amount for r in rows if getattr(r, "_uncaptured_rest", False))


PaymentIntent._api_create = classmethod(create_intent)
PaymentIntent._api_capture = classmethod(capture_intent)
PaymentIntent._api_cancel = classmethod(cancel_intent)
Refund._api_create = classmethod(create_refund)
Charge.refunds = property(_refunds_of)
Charge.amount_refunded = property(lambda c: sum(r.amount for r in _refunds_of(c)._list))
Charge.amount_captured = property(lambda c: c.amount - _uncaptured_rest(c) if c.captured else 0)
Charge.refunded = property(
    lambda c: c.amount_captured > 0 and c.amount_refunded >= c.amount_captured
)
