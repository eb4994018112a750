"""The words of card-payment notices: a hold refused, an aide whose payouts are not set up,
a visit given back to the board when it stayed unpaid. Same shape as messages.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webapp.notifications.messages import Message, when

if TYPE_CHECKING:
    from webapp.auth.models import User
    from webapp.scheduling.models import Visit


def payment_problem(visit: Visit, reason: str | None) -> Message:
    """The card could not be authorized for a booked visit: fix it within 48 hours."""
    aide = visit.aide.display_name if visit.aide else "the aide"
    return Message(
        kind="payment_problem",
        title="A card payment failed",
        body=f"The card saved for {visit.patient.display_name}'s visits could not be charged for "
        f"the visit on {when(visit)} with {aide}: {reason or 'the card was declined.'} "
        "Save a working card within 48 hours, or the visit goes back on the board for another "
        "aide.",
        link=f"/patients/{visit.patient_id}/payment-card",
    )


def aide_payouts_needed(visit: Visit) -> Message:
    """The aide holds a paid visit but Stripe cannot pay them yet: nothing was charged."""
    return Message(
        kind="payment_problem",
        title="Finish setting up payouts",
        body=f"You hold the visit with {visit.patient.display_name} on {when(visit)}, but your "
        "payouts are not set up, so the patient's card was not charged. Finish setting up "
        "payouts within 48 hours, or the visit goes back on the board for another aide.",
        link="/payouts",
    )


def waiting_on_aide_payouts(visit: Visit) -> Message:
    """The patient's side: the card is fine, the aide's payouts are what is missing."""
    aide = visit.aide.display_name if visit.aide else "The aide"
    return Message(
        kind="payment_problem",
        title="A visit is waiting on the aide",
        body=f"{aide} holds {visit.patient.display_name}'s visit on {when(visit)} but has not "
        "finished setting up payouts, so the card was not charged. Nothing is needed from you: "
        "if it is not done within 48 hours, the visit goes back on the board for another aide.",
        link=f"/patients/{visit.patient_id}/payments",
    )


def unpaid_visit_reopened(
    visit: Visit, aide: User, *, for_aide: bool, aide_not_payable: bool = False
) -> Message:
    """48 hours after a declined card (or an aide Stripe could not pay), the visit is open
    again and the aide no longer holds it."""
    if aide_not_payable:
        if for_aide:
            return Message(
                kind="visit_cancelled",
                title="A visit is no longer yours",
                body=f"Your payouts were still not set up 48 hours after you were told, so the "
                f"visit with {visit.patient.display_name} on {when(visit)} is open on the "
                "board again and no longer on your list.",
                link="/payouts",
            )
        return Message(
            kind="payment_problem",
            title="A visit is open again",
            body=f"{aide.display_name} had still not set up payouts 48 hours on, so they no "
            f"longer hold {visit.patient.display_name}'s visit on {when(visit)} and it is open "
            "on the board again for another aide. The card was never charged.",
            link=f"/patients/{visit.patient_id}/payments",
        )
    if for_aide:
        return Message(
            kind="visit_cancelled",
            title="A visit is no longer yours",
            body=f"The payment for the visit with {visit.patient.display_name} on {when(visit)} "
            "was not secured within 48 hours, so the visit is open on the board again and no "
            "longer on your list.",
            link="/my-visits",
        )
    return Message(
        kind="payment_problem",
        title="A visit is open again",
        body=f"The card for {visit.patient.display_name}'s visit on {when(visit)} was still not "
        f"working 48 hours after it was declined, so {aide.display_name} no longer holds the "
        "visit and it is open on the board again. Save a working card so the next booking "
        "can be paid.",
        link=f"/patients/{visit.patient_id}/payment-card",
    )
