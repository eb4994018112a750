"""A local fake Stripe server for the tests: localstripe (from PyPI) started in-process on
127.0.0.1, extended with what HomeStretch relies on and localstripe 1.15 lacks.

localstripe already does customers, payment methods, PaymentIntents with manual capture
(authorize, partial capture, cancel of a hold), plain refunds and signed webhook delivery.
Added before the server starts (its router takes new routes until then), with Stripe's
documented response shapes (the objects in fake_stripe_objects.py, their routes here):

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
import json
import threading
import warnings
from dataclasses import dataclass

from aiohttp import web

from tests.support.fake_stripe_objects import (
    Account,
    CheckoutSession,
    account_link,
    server_state,
)

# localstripe's server registers plain (non-async) handlers, which aiohttp deprecates; the
# tests turn warnings into errors, so the import is quiet here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import webhooks
    from localstripe.resources import PaymentIntent, try_convert_to_bool
    from localstripe.server import api_extra, app, get_post_data, json_response

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
    return json_response(account_link(**data))


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
    server_state["base_url"] = f"http://127.0.0.1:{port[0]}"
    return FakeStripe(server_state["base_url"], loop, runner, thread)
