"""A local fake Stripe server for the tests: localstripe (from PyPI) started in-process on
127.0.0.1, extended with what HomeStretch relies on and localstripe 1.15 lacks.

localstripe already does customers, payment methods, PaymentIntents with manual capture
(authorize, partial capture, cancel of a hold), plain refunds and signed webhook delivery.
Added here, before the server starts (its router takes new routes until then), with Stripe's
documented response shapes:

* Checkout Sessions in setup mode, with a hosted page of our own that a test "completes":
  it makes a SetupIntent, attaches a card PaymentMethod to the customer and sends
  `checkout.session.completed` and `setup_intent.succeeded`;
* Express Accounts and Account Links, and a control route that finishes onboarding
  (payouts_enabled) and sends `account.updated`;
* Connect parameters: PaymentIntents take and echo `transfer_data` and
  `application_fee_amount` (also on capture) and report `amount_received`; refunds take and
  echo `reverse_transfer` and `refund_application_fee`;
* the `Idempotency-Key` header: the same key on the same path answers the first response again;
* `payment_intent.canceled`, `payment_intent.amount_capturable_updated` and `charge.refunded`
  events; capture after cancel and refunds beyond what was captured are refused;
* a partial capture no longer counts the uncaptured rest as a refund (localstripe records it as
  one), so `amount_refunded` and `amount_captured` read as on Stripe.

Where it is still not Stripe: no money actually moves to the connected account (there are no
Transfer or ApplicationFee objects, the fake only echoes what was asked); an uncaptured intent
cannot be refunded (Stripe would cancel it); events carry localstripe's old API version.
"""

import asyncio
import hashlib
import hmac
import json
import threading
import time
import warnings
from dataclasses import dataclass

import aiohttp
from aiohttp import web

# localstripe registers plain (non-async) handlers, which aiohttp deprecates; the tests turn
# warnings into errors, so the import is quiet here and only here.
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
    from localstripe.server import api_extra, app, get_post_data, json_response

# localstripe pickles its whole store to the system temp folder on every write; keep it in memory.
resources.store.dump_to_disk = lambda: None

_state = {"base_url": None}


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
        self.url = f"{_state['base_url']}/_config/checkout/{self.id}"

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


def _account_link(account=None, refresh_url=None, return_url=None, type=None, **kwargs):
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
        "url": f"{_state['base_url']}/_config/onboarding/{account}",
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


# Routes ------------------------------------------------------------------------------------

_idempotent: dict[tuple[str, str, str], tuple[int, bytes]] = {}
_idempotency_locks: dict[tuple[str, str, str], asyncio.Lock] = {}


@web.middleware
async def idempotency(request, handler):
    """The same Idempotency-Key on the same path answers the first response again."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    slot = (request.headers.get("Authorization", ""), request.path, key)
    lock = _idempotency_locks.setdefault(slot, asyncio.Lock())
    async with lock:
        if slot in _idempotent:
            status, body = _idempotent[slot]
            response = web.Response(status=status, body=body, content_type="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = await handler(request)
        _idempotent[slot] = (response.status, response.body)
        return response


async def create_checkout_session(request):
    data = await get_post_data(request) or {}
    data.pop("expand", None)
    return json_response(CheckoutSession._api_create(**data)._export())


async def retrieve_checkout_session(request):
    return json_response(CheckoutSession._api_retrieve(request.match_info["id"])._export())


async def hosted_checkout_page(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    return web.Response(
        text=(
            "<!doctype html><title>Save a card</title>"
            f'<form method="post" action="/_config/checkout/{session.id}/complete">'
            '<input name="number" value="4242424242424242"><button>Save card</button></form>'
        ),
        content_type="text/html",
    )


async def complete_checkout(request):
    """The test's stand-in for a person typing a card on Stripe's page."""
    data = await get_post_data(request) or {}
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    redirect = session._complete(str(data.get("number") or "4242424242424242"))
    return json_response({"redirect": redirect, "setup_intent": session.setup_intent})


async def create_account(request):
    data = await get_post_data(request) or {}
    data.pop("expand", None)
    return json_response(Account._api_create(**data)._export())


async def retrieve_account(request):
    return json_response(Account._api_retrieve(request.match_info["id"])._export())


async def create_account_link(request):
    data = await get_post_data(request) or {}
    return json_response(_account_link(**data))


async def hosted_onboarding_page(request):
    account = Account._api_retrieve(request.match_info["id"])
    return web.Response(
        text=f"<!doctype html><title>Onboarding {account.id}</title>", content_type="text/html"
    )


async def finish_onboarding(request):
    """The test's stand-in for an aide finishing Stripe's onboarding."""
    data = await get_post_data(request) or {}
    account = Account._api_retrieve(request.match_info["id"])
    account._finish_onboarding(try_convert_to_bool(data.get("payouts_enabled", "true")) is True)
    return json_response(account._export())


#: localstripe bound its capture and cancel routes to its own functions when it was imported;
#: these requests go to the patched ones instead.
_OVERRIDES = {
    ("POST", "/v1/payment_intents/{id}/capture"): api_extra(
        PaymentIntent._api_capture, "/v1/payment_intents/{id}/capture"
    ),
    ("POST", "/v1/payment_intents/{id}/cancel"): api_extra(
        PaymentIntent._api_cancel, "/v1/payment_intents/{id}/cancel"
    ),
}


@web.middleware
async def patched_routes(request, handler):
    """Send the overridden routes to the patched functions."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else None
    override = _OVERRIDES.get((request.method, canonical))
    return await (override or handler)(request)


app.middlewares.insert(0, idempotency)
app.middlewares.append(patched_routes)
app.router.add_post("/v1/checkout/sessions", create_checkout_session)
app.router.add_get("/v1/checkout/sessions/{id}", retrieve_checkout_session)
app.router.add_post("/v1/accounts", create_account)
app.router.add_get("/v1/accounts/{id}", retrieve_account)
app.router.add_post("/v1/account_links", create_account_link)
app.router.add_get("/_config/checkout/{id}", hosted_checkout_page)
app.router.add_post("/_config/checkout/{id}/complete", complete_checkout)
app.router.add_get("/_config/onboarding/{id}", hosted_onboarding_page)
app.router.add_post("/_config/accounts/{id}/finish_onboarding", finish_onboarding)


# Running it --------------------------------------------------------------------------------


@dataclass
class FakeStripe:
    """The running server: its address, and the test's controls."""

    url: str
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner
    thread: threading.Thread

    def post(self, path: str, data: dict | None = None) -> dict:
        """A control request (complete a checkout, finish onboarding, register a webhook)."""
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data or {}).encode()
        with urllib.request.urlopen(f"{self.url}{path}", data=body, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else {}

    def complete_checkout(self, checkout_url: str, number: str = "4242424242424242") -> str:
        """Fill in Stripe's hosted page with a card; the address Stripe sends the person back to."""
        path = checkout_url.removeprefix(self.url)
        return self.post(f"{path}/complete", {"number": number})["redirect"]

    def finish_onboarding(self, account_id: str, payouts_enabled: bool = True) -> dict:
        flag = {"payouts_enabled": "true" if payouts_enabled else "false"}
        return self.post(f"/_config/accounts/{account_id}/finish_onboarding", flag)

    def send_webhooks_to(self, url: str, secret: str) -> None:
        """Deliver every event from now on to `url`, signed with `secret` (after ~1 s)."""
        self.post("/_config/webhooks/homestretch", {"url": url, "secret": secret})

    def forget_idempotency_keys(self) -> None:
        """A fresh test database reuses ids, so keys named after them start over too."""
        self.loop.call_soon_threadsafe(_idempotent.clear)

    def stop_webhooks(self) -> None:
        """No more deliveries (events already scheduled check the list when they go out)."""
        self.loop.call_soon_threadsafe(webhooks._webhooks.clear)

    def stop(self) -> None:
        self.stop_webhooks()
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def start() -> FakeStripe:
    """Start the fake on 127.0.0.1 (a free port) in a thread with its own event loop."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()
    failure: list[BaseException] = []
    port: list[int] = []

    def run():
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port.append(runner.addresses[0][1])
        except BaseException as error:  # reported to the starting thread
            failure.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="fake-stripe", daemon=True)
    thread.start()
    started.wait(10)
    if failure or not port:
        raise RuntimeError("the fake Stripe server did not start") from (failure or [None])[0]
    _state["base_url"] = f"http://127.0.0.1:{port[0]}"
    return FakeStripe(_state["base_url"], loop, runner, thread)
