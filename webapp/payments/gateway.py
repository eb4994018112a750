"""The only module that calls Stripe. Thin functions over the `stripe` library, each with an
explicit key and address (STRIPE_SECRET_KEY, STRIPE_API_BASE), returning plain values.

Every call that moves money carries an idempotency key named after what it does
("visit-12-authorize"), so a retry after a timeout or a rolled-back transaction gets the same
object back from Stripe instead of a second charge. Stripe's errors become PaymentError
subclasses carrying a sentence a person can read; nothing else leaves this module.
"""

import logging
from dataclasses import dataclass

import stripe
from flask import current_app

from webapp.errors import DomainError

log = logging.getLogger(__name__)

#: How old a signed webhook may be before it is refused (seconds).
WEBHOOK_TOLERANCE = 300

#: Decline codes worth their own sentence; anything else is "The card was declined."
DECLINE_MESSAGES = {
    "expired_card": "The card has expired.",
    "insufficient_funds": "The card was declined: not enough funds.",
    "incorrect_cvc": "The card was declined: the security code did not match.",
    "authentication_required": "The card needs the cardholder to confirm the payment.",
    "processing_error": "The card could not be charged because of a processing error.",
}


REFUSED = "The payment service refused this request. Nothing was charged."


class PaymentError(DomainError):
    """Stripe refused or could not be reached; the message says what to do."""

    status_code = 409
    title = "Payment problem"


class CardDeclined(PaymentError):
    """The card was declined (the code says why)."""

    status_code = 402

    def __init__(self, message: str, code: str | None = None, intent_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.intent_id = intent_id


class PaymentServiceDown(PaymentError):
    """Stripe could not be reached or had an internal error."""

    status_code = 503


class UnknownObject(PaymentError):
    """Stripe has no such object (a made-up or someone else's id)."""

    status_code = 404


class BadSignature(PaymentError):
    """A webhook whose signature or timestamp does not check out."""

    status_code = 400


@dataclass(frozen=True)
class Card:
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True)
class AccountStatus:
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    charge_id: str | None
    amount_received: int


@dataclass(frozen=True)
class SetupSession:
    id: str
    url: str | None
    status: str | None
    customer_id: str | None
    setup_intent_id: str | None
    metadata: dict
    created: int


class Gateway:
    """Stripe for one app's settings."""

    def __init__(self, secret_key: str, api_base: str | None = None, webhook_secret: str = ""):
        addresses = {"api": api_base, "connect": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key, base_addresses=addresses, max_network_retries=2
        )
        self.webhook_secret = webhook_secret

    # Customers and cards -------------------------------------------------------------------

    def create_customer(self, email: str, name: str, patient_id: int) -> str:
        customer = _call(
            self.client.v1.customers.create,
            {"email": email, "name": name, "metadata": {"patient_id": str(patient_id)}},
            key=f"patient-{patient_id}-customer",
        )
        return customer.id

    def create_setup_session(
        self, customer_id: str, success_url: str, cancel_url: str, metadata: dict
    ) -> SetupSession:
        """A Checkout Session in setup mode: Stripe's hosted page saves a card, no charge."""
        session = _call(
            self.client.v1.checkout.sessions.create,
            {
                "mode": "setup",
                "customer": customer_id,
                "payment_method_types": ["card"],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "metadata": metadata,
            },
        )
        return _setup_session(session)

    def retrieve_setup_session(self, session_id: str) -> SetupSession:
        return _setup_session(_call(self.client.v1.checkout.sessions.retrieve, session_id))

    def setup_intent_payment_method(self, setup_intent_id: str) -> str | None:
        intent = _call(self.client.v1.setup_intents.retrieve, setup_intent_id)
        method = intent["payment_method"]
        return method if isinstance(method, str) or method is None else method["id"]

    def card_details(self, payment_method_id: str) -> Card:
        method = _call(self.client.v1.payment_methods.retrieve, payment_method_id)
        card = method.to_dict().get("card") or {}
        return Card(
            card.get("brand"), card.get("last4"), card.get("exp_month"), card.get("exp_year")
        )

    def set_default_payment_method(self, customer_id: str, payment_method_id: str) -> None:
        _call(
            self.client.v1.customers.update,
            customer_id,
            {"invoice_settings": {"default_payment_method": payment_method_id}},
        )

    # Aides' payout accounts ----------------------------------------------------------------

    def create_express_account(self, email: str, aide_id: int, country: str = "US") -> str:
        account = _call(
            self.client.v1.accounts.create,
            {
                "type": "express",
                "country": country,
                "email": email,
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"aide_id": str(aide_id)},
            },
            key=f"aide-{aide_id}-account",
        )
        return account.id

    def create_account_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        link = _call(
            self.client.v1.account_links.create,
            {
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
        )
        return link.url

    def retrieve_account(self, account_id: str) -> AccountStatus:
        return account_status(_call(self.client.v1.accounts.retrieve, account_id).to_dict())

    # Visits --------------------------------------------------------------------------------

    def authorize(
        self,
        *,
        amount: int,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        destination: str,
        fee: int,
        key: str,
        metadata: dict,
    ) -> Intent:
        """Hold the amount on the saved card, off-session, for the aide's account."""
        intent = _call(
            self.client.v1.payment_intents.create,
            {
                "amount": amount,
                "currency": currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                "capture_method": "manual",
                "confirm": True,
                "off_session": True,
                "transfer_data": {"destination": destination},
                "application_fee_amount": fee,
                "metadata": metadata,
            },
            key=key,
        )
        return _intent(intent)

    def capture(self, intent_id: str, *, amount: int, fee: int, key: str) -> Intent:
        """Take `amount` of the hold (the rest is let go), with the fee for that amount."""
        intent = _call(
            self.client.v1.payment_intents.capture,
            intent_id,
            {"amount_to_capture": amount, "application_fee_amount": fee},
            key=key,
        )
        return _intent(intent)

    def cancel(self, intent_id: str, *, key: str) -> Intent:
        """Let the whole hold go."""
        intent = _call(
            self.client.v1.payment_intents.cancel,
            intent_id,
            {"cancellation_reason": "requested_by_customer"},
            key=key,
        )
        return _intent(intent)

    def refund(self, intent_id: str, *, amount: int, key: str) -> str:
        """Give back `amount`, taking it back from the aide and the platform fee alike."""
        refund = _call(
            self.client.v1.refunds.create,
            {
                "payment_intent": intent_id,
                "amount": amount,
                "reverse_transfer": True,
                "refund_application_fee": True,
            },
            key=key,
        )
        return refund.id

    # Webhooks ------------------------------------------------------------------------------

    def construct_event(self, payload: bytes, signature: str | None) -> dict:
        """The event as a plain dict, if the signature and timestamp check out."""
        if not self.webhook_secret:
            raise BadSignature("Webhooks are not set up.")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature or "", self.webhook_secret, tolerance=WEBHOOK_TOLERANCE
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise BadSignature("The webhook signature did not check out.") from error
        return event.to_dict()


def account_status(account: dict) -> AccountStatus:
    """The three flags HomeStretch cares about, from an Account object or event payload."""
    return AccountStatus(
        bool(account.get("details_submitted")),
        bool(account.get("charges_enabled")),
        bool(account.get("payouts_enabled")),
    )


def _setup_session(session) -> SetupSession:
    data = session.to_dict()
    setup_intent = data.get("setup_intent")
    if isinstance(setup_intent, dict):
        setup_intent = setup_intent.get("id")
    return SetupSession(
        data["id"],
        data.get("url"),
        data.get("status"),
        data.get("customer"),
        setup_intent,
        dict(data.get("metadata") or {}),
        int(data.get("created") or 0),
    )


def _intent(intent) -> Intent:
    data = intent.to_dict()
    charge = data.get("latest_charge")
    if isinstance(charge, dict):
        charge = charge.get("id")
    return Intent(data["id"], data["status"], charge, int(data.get("amount_received") or 0))


def _call(method, *args, key: str | None = None):
    """Call Stripe; turn its errors into PaymentError with words a person can act on."""
    options = {"idempotency_key": key} if key else None
    try:
        if options:
            return method(*args, options=options)
        return method(*args)
    except stripe.CardError as error:
        code = getattr(error, "code", None)
        intent = getattr(error.error, "payment_intent", None) if error.error else None
        raise CardDeclined(
            DECLINE_MESSAGES.get(code or "", "The card was declined."),
            code=code,
            intent_id=intent.get("id") if intent is not None else None,
        ) from error
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        raise PaymentServiceDown(
            "We could not reach the payment service. Nothing was charged; please try again "
            "in a few minutes."
        ) from error
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            raise UnknownObject("We could not find that payment record.") from error
        log.warning("Stripe refused a request: %s", error)
        raise PaymentError(REFUSED) from error
    except stripe.StripeError as error:
        log.warning("Stripe refused a request: %s", error)
        raise PaymentError(REFUSED) from error


def for_app(app=None) -> Gateway | None:
    """The app's gateway, or None in offline mode (no STRIPE_SECRET_KEY)."""
    app = app or current_app
    key = app.config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    cached = app.extensions.get("homestretch_stripe")
    settings = (key, app.config.get("STRIPE_API_BASE"), app.config.get("STRIPE_WEBHOOK_SECRET"))
    if cached is None or cached[0] != settings:
        cached = (settings, Gateway(key, settings[1] or None, settings[2] or ""))
        app.extensions["homestretch_stripe"] = cached
    return cached[1]
