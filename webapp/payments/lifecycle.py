"""How a visit's payment follows the visit, in Stripe mode. Offline (no STRIPE_SECRET_KEY)
every function here allows everything and changes nothing.

* Posting a request: the patient's side must have saved a card first (require_card).
* Booking: an aide whose payouts are not enabled cannot book (require_payouts, checked before
  the guarded UPDATE, so a refusal changes nothing); once the UPDATE has booked the visits,
  each one starting within six days is held on the card (hold_booked). A decline does not undo
  the booking: the payment is "failed" and the patient's side is told.
* The worker: pending holds are made as visits come within six days (services.authorize_due),
  a visit whose card is still declined 48 hours later goes back to the board (unpaid_too_long),
  and holds of visits that no longer happen are let go if letting go failed before
  (release_dropped).
* A hold that failed is tried again as soon as what it failed on is fixed, without waiting for
  the worker: a card saved for the patient (card_saved), or the aide's payouts enabled again
  (payouts_ready). Both pick the visits as the worker does, with the same idempotency keys.
* Check-out charges the booked time, or the time spent when the aide leaves early
  (minutes_spent).

Every Stripe call goes through services and charges (one payment per visit, idempotency keys,
the visit's row locked), so running any of these twice is harmless.
"""

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from webapp.auth.models import User
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.payments import charges, services
from webapp.payments import gateway as stripe_gateway
from webapp.payments.gateway import PaymentError
from webapp.payments.models import VisitPayment
from webapp.scheduling.models import Visit

#: A visit whose card stays declined this long goes back on the board.
UNPAID_GRACE = timedelta(hours=48)
#: How many visits one worker pass looks at for each step (the next pass takes the rest).
BATCH = 200


class PayoutsNotReady(Conflict):
    """The aide cannot be paid yet, so they cannot book paid visits."""

    def __init__(self):
        super().__init__(
            "Finish setting up payouts before you book: patients pay for visits by card here, "
            "and Stripe needs your details before it can pay you. Nothing was booked."
        )


class CardNeeded(Conflict):
    """No card is saved for the patient's visits, so the request cannot go on the board."""

    def __init__(self):
        super().__init__(
            "Save a card for visits before posting this request: aides book only requests "
            "whose visits can be paid. Nothing was posted; what you typed is kept below."
        )


def require_payouts(aide: User) -> None:
    """Raise PayoutsNotReady unless the aide may book paid visits (always may, offline)."""
    if not services.may_book_paid(aide):
        raise PayoutsNotReady()


def require_card(patient: User) -> None:
    """Raise CardNeeded in Stripe mode when the patient has no saved card."""
    if services.payments_enabled() and services.card_on_file(patient) is None:
        raise CardNeeded()


def hold_booked(visits: list[Visit], now: datetime) -> list[VisitPayment]:
    """Just booked: hold each visit starting within six days on the card (the rest wait as
    "pending" for the worker). Returns the payments; declined ones are "failed"."""
    if stripe_gateway.for_app() is None:
        return []
    return [payment for visit in visits if (payment := services.authorize(visit, now))]


def card_saved(patient_id: int, now: datetime) -> list[VisitPayment]:
    """A card was saved for the patient's visits: their holds within six days that were
    declined or missing for want of a card are tried on it at once. A new decline is told to
    the patient's side once (per visit and attempt), as the worker would tell it."""
    return _tell_declines(services.authorize_due(now, patient_id=patient_id), now)


def payouts_ready(aide_id: int, now: datetime) -> list[VisitPayment]:
    """Stripe can pay the aide (again): holds of their visits within six days that failed, or
    were still to be made, because they could not be paid are made at once."""
    return _tell_declines(services.authorize_due(now, aide_id=aide_id), now)


def _tell_declines(tried: list[VisitPayment], now: datetime) -> list[VisitPayment]:
    from webapp.notifications import events  # notifications build on payments

    events.payments_failed(tried, now)
    return tried


def let_go(visit: Visit, now: datetime) -> VisitPayment | None:
    """The visit will not happen with this aide (the aide cancelled, or it reopened unpaid):
    let the hold go; nothing is charged."""
    return charges.release(visit, now)


def cancelled_by_patient_side(visit: Visit, late: bool, now: datetime) -> VisitPayment | None:
    """The patient or a coordinator called the visit off: more than 24 hours ahead the hold is
    let go; later, the late-cancellation fee is collected from it and the rest let go."""
    if late:
        return charges.charge_late_cancel_fee(visit, now)
    return charges.release(visit, now)


def checked_out(visit: Visit, checked_in_at: datetime, now: datetime) -> VisitPayment | None:
    """Collect the hold at check-out: the booked time, or the time spent when the aide left
    early. A failure leaves the payment "capture_failed" (listed for admins), not an error."""
    return charges.capture(visit, minutes_spent(visit, checked_in_at, now), now)


def minutes_spent(visit: Visit, checked_in_at: datetime, checked_out_at: datetime) -> int | None:
    """Minutes the aide was there, counted from the start at the earliest, when they checked
    out before the planned end; None when they stayed to the end (the booked time is charged)."""
    if checked_out_at >= visit.ends_at:
        return None
    began = max(checked_in_at, visit.starts_at)
    return max(0, math.ceil((checked_out_at - began).total_seconds() / 60))


def unpaid_too_long(now: datetime) -> list[Visit]:
    """Booked visits ahead whose card was declined more than 48 hours ago and is still not
    authorized: the worker gives them back to the board."""
    if stripe_gateway.for_app() is None:
        return []
    return list(
        db.session.scalars(
            select(Visit)
            .join(VisitPayment, VisitPayment.visit_id == Visit.id)
            .where(
                VisitPayment.status == "failed",
                VisitPayment.failed_at <= now - UNPAID_GRACE,
                Visit.status == "booked",
                Visit.starts_at > now,
            )
            .order_by(Visit.starts_at, Visit.id)
            .limit(BATCH)
        )
    )


def release_dropped(now: datetime) -> int:
    """Holds (or holds still to be made) of visits that no longer happen: missed, back on the
    board, or cancelled early. Normally let go when that happened; this catches the ones
    Stripe could not be reached for. Returns how many were let go."""
    if stripe_gateway.for_app() is None:
        return 0
    visits = db.session.scalars(
        select(Visit)
        .join(VisitPayment, VisitPayment.visit_id == Visit.id)
        .where(
            VisitPayment.status.in_(("pending", "failed", "authorized")),
            or_(
                Visit.status.in_(("no_show", "open")),
                and_(Visit.status == "cancelled", Visit.cancelled_late.is_(False)),
            ),
        )
        .order_by(Visit.id)
        .limit(BATCH)
    ).all()
    released = 0
    for visit in visits:
        try:
            payment = charges.release(visit, now)
        except PaymentError as error:
            current_app.logger.warning("could not let go of visit %s's hold: %s", visit.id, error)
            continue
        released += payment is not None and payment.status == "released"
    return released
