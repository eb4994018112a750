"""Saving a card (Stripe Checkout in setup mode) and setting up an aide's payouts (Stripe
Express onboarding). No card field is ever on a HomeStretch page: both happen on Stripe's own
hosted pages, and what they saved is read back from Stripe, never from the returning URL.

Each step is safe to repeat: the customer and the Express account are created once per person
(idempotency keys "patient-7-customer", "aide-9-account", and unique columns), saving the same
card twice changes nothing, and news of an older card setup or an older account status than
the one stored is ignored.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from webapp.auth.models import User
from webapp.errors import Conflict, NotFound
from webapp.extensions import db
from webapp.payments import gateway as stripe_gateway
from webapp.payments import lifecycle
from webapp.payments.gateway import Gateway, SetupSession, account_status
from webapp.payments.models import PaymentProfile, PayoutAccount
from webapp.payments.services import payout_account

OFFLINE = "Card payments are not switched on here: visits are paid to the aide directly."
NO_SETUP = "We could not find that card setup."


def require_gateway() -> Gateway:
    """The Stripe gateway, or NotFound in offline mode (the card pages do not exist)."""
    gateway = stripe_gateway.for_app()
    if gateway is None:
        raise NotFound(OFFLINE)
    return gateway


def payment_profile(patient: User) -> PaymentProfile | None:
    return db.session.scalar(select(PaymentProfile).where(PaymentProfile.patient_id == patient.id))


def start_card_setup(
    patient: User, actor: User, success_url: str, cancel_url: str, now: datetime
) -> str:
    """The address of Stripe's hosted page where the patient (or a coordinator) saves a card."""
    gateway = require_gateway()
    profile = payment_profile(patient)
    if profile is None:
        customer_id = gateway.create_customer(patient.email, patient.display_name, patient.id)
        profile = PaymentProfile(patient_id=patient.id, stripe_customer_id=customer_id)
        db.session.add(profile)
        db.session.flush()
    session = gateway.create_setup_session(
        profile.stripe_customer_id,
        success_url,
        cancel_url,
        {"patient_id": str(patient.id), "saved_by": str(actor.id)},
    )
    if not session.url:
        raise Conflict("The payment service did not give us a page to save the card.")
    return session.url


def finish_card_setup(patient: User, session_id: str, now: datetime) -> PaymentProfile:
    """Back from Stripe's page: save the card that session set up, if it is this patient's."""
    gateway = require_gateway()
    profile = payment_profile(patient)
    if profile is None:
        raise NotFound(NO_SETUP)
    try:
        session = gateway.retrieve_setup_session(session_id)
    except stripe_gateway.UnknownObject as missing:
        raise NotFound(NO_SETUP) from missing
    if session.customer_id != profile.stripe_customer_id:
        raise NotFound(NO_SETUP)
    if session.status != "complete" or not session.setup_intent_id:
        raise Conflict("The card was not saved. Please try again.")
    return _save_from_session(gateway, profile, session, now)


def card_setup_completed(session: dict, now: datetime) -> bool:
    """checkout.session.completed: save the card, if the session was a card setup of ours."""
    if session.get("mode") != "setup" or not session.get("setup_intent"):
        return False
    profile = _profile_of_customer(session.get("customer"))
    if profile is None:
        return False
    gateway = require_gateway()
    setup_intent = session["setup_intent"]
    return (
        _save_from_session(
            gateway,
            profile,
            SetupSession(
                session["id"],
                None,
                session.get("status"),
                session.get("customer"),
                setup_intent if isinstance(setup_intent, str) else setup_intent.get("id"),
                dict(session.get("metadata") or {}),
                int(session.get("created") or 0),
            ),
            now,
        )
        is not None
    )


def setup_intent_succeeded(intent: dict, now: datetime) -> bool:
    """setup_intent.succeeded: the same card reached by another event; saved once either way."""
    profile = _profile_of_customer(intent.get("customer"))
    method = intent.get("payment_method")
    if isinstance(method, dict):
        method = method.get("id")
    if profile is None or not method:
        return False
    created = _from_timestamp(intent.get("created"))
    if _is_older(created, profile.card_setup_created_at) or method == (
        profile.default_payment_method_id
    ):
        return False
    _save_card(require_gateway(), profile, method, created, None, now)
    return True


def _save_from_session(
    gateway: Gateway, profile: PaymentProfile, session: SetupSession, now: datetime
) -> PaymentProfile | None:
    created = _from_timestamp(session.created)
    if _is_older(created, profile.card_setup_created_at):
        return None  # a newer card was saved since this page was opened
    method = gateway.setup_intent_payment_method(session.setup_intent_id)
    if not method:
        raise Conflict("The card was not saved. Please try again.")
    if method == profile.default_payment_method_id:
        return profile
    _save_card(gateway, profile, method, created, _saved_by(session.metadata, profile), now)
    return profile


def _save_card(
    gateway: Gateway,
    profile: PaymentProfile,
    method: str,
    created: datetime | None,
    saved_by_id: int | None,
    now: datetime,
) -> None:
    """Keep the card for visits; the holds that were waiting for one are tried on it at once
    (lifecycle.card_saved)."""
    card = gateway.card_details(method)
    gateway.set_default_payment_method(profile.stripe_customer_id, method)
    profile.default_payment_method_id = method
    profile.card_brand = card.brand
    profile.card_last4 = card.last4
    profile.card_exp_month = card.exp_month
    profile.card_exp_year = card.exp_year
    profile.card_setup_created_at = created
    if saved_by_id is not None:
        profile.saved_by_id = saved_by_id
    # The same `now` as the holds tried below: the worker tries a declined hold again only
    # for a card saved after it failed, so it leaves these alone (and tells nobody twice).
    profile.updated_at = now
    db.session.flush()
    lifecycle.card_saved(profile.patient_id, now)


def _saved_by(metadata: dict, profile: PaymentProfile) -> int | None:
    """Who opened the setup page (the patient or a coordinator), as our own page recorded it."""
    value = str(metadata.get("saved_by") or "")
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    if str(metadata.get("patient_id")) != str(profile.patient_id):
        return None
    return int(value) if db.session.get(User, int(value)) is not None else None


def _profile_of_customer(customer) -> PaymentProfile | None:
    if isinstance(customer, dict):
        customer = customer.get("id")
    if not customer:
        return None
    return db.session.scalar(
        select(PaymentProfile).where(PaymentProfile.stripe_customer_id == customer)
    )


# Aides' payouts ----------------------------------------------------------------------------


def start_onboarding(aide: User, refresh_url: str, return_url: str, now: datetime) -> str:
    """The address of Stripe's hosted onboarding for the aide's Express account (made once)."""
    gateway = require_gateway()
    account = payout_account(aide)
    if account is None:
        account_id = gateway.create_express_account(aide.email, aide.id)
        account = PayoutAccount(aide_id=aide.id, stripe_account_id=account_id)
        db.session.add(account)
        db.session.flush()
    return gateway.create_account_link(account.stripe_account_id, refresh_url, return_url)


def onboarding_link(aide: User, refresh_url: str, return_url: str) -> str:
    """A fresh onboarding link (Stripe's links are single-use and expire)."""
    gateway = require_gateway()
    account = payout_account(aide)
    if account is None:
        raise NotFound("Start setting up payouts from the Payouts page.")
    return gateway.create_account_link(account.stripe_account_id, refresh_url, return_url)


def refresh_account(aide: User, now: datetime) -> PayoutAccount | None:
    """Ask Stripe how the aide's onboarding stands (on return from the hosted page)."""
    gateway = require_gateway()
    account = payout_account(aide)
    if account is None:
        return None
    _apply_status(account, gateway.retrieve_account(account.stripe_account_id), now, now)
    return account


def account_updated(data: dict, event_created: datetime, now: datetime) -> bool:
    """account.updated: store the flags unless a newer status is already stored."""
    account = db.session.scalar(
        select(PayoutAccount).where(PayoutAccount.stripe_account_id == data.get("id"))
    )
    if account is None or _is_older(event_created, account.stripe_updated_at):
        return False
    _apply_status(account, account_status(data), event_created, now)
    return True


def _apply_status(account: PayoutAccount, status, as_of: datetime, now: datetime) -> None:
    """Store the flags; when the aide can be paid, the holds their payouts were holding up
    are made at once (lifecycle.payouts_ready)."""
    account.details_submitted = status.details_submitted
    account.charges_enabled = status.charges_enabled
    account.payouts_enabled = status.payouts_enabled
    account.stripe_updated_at = as_of
    db.session.flush()
    if account.payouts_enabled:
        lifecycle.payouts_ready(account.aide_id, now)


def _from_timestamp(value) -> datetime | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def _is_older(moment: datetime | None, stored: datetime | None) -> bool:
    return moment is not None and stored is not None and moment < stored
