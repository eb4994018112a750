"""Who hears about each event: the routes call these after the event's service succeeded,
before they commit, so each alert and its email commit with the event or not at all.

The actor is never told about what they did themselves. Alerts about one fact that a later
save may repeat (a pain flag, doses not given) carry a dedupe key, so each person hears about
that fact once however often the log is saved again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from webapp.circle.services import members
from webapp.notifications import messages, payment_messages
from webapp.notifications.services import notify, notify_all, queue_email

if TYPE_CHECKING:
    from webapp.auth.models import User
    from webapp.circle.models import CircleInvitation, CircleMember
    from webapp.homelog.models import HomeSession
    from webapp.scheduling.models import Visit
    from webapp.visits.models import MedicationLog, VisitReport

#: Outcomes of a dose that the patient's side hears about.
NOT_GIVEN = ("refused", "missed")


def _coordinators(patient: User) -> list[User]:
    return [m.member for m in members(patient) if m.role == "coordinator"]


def _patient_side(patient: User) -> list[User]:
    """The patient and every coordinator of their circle (viewers are not emailed)."""
    return [patient, *_coordinators(patient)]


def _except(people: list[User], *left_out: User) -> list[User]:
    ids = {person.id for person in left_out}
    return [person for person in people if person.id not in ids]


def _key(prefix: str, ids: list[int]) -> str:
    """A dedupe key naming a set of records; a long set is hashed to fit the column."""
    key = f"{prefix}:{','.join(str(i) for i in sorted(ids))}"
    if len(key) <= 80:
        return key
    return f"{prefix}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def visit_cancelled_by_aide(aide: User, visit: Visit, now: datetime) -> None:
    """An aide gave a visit back: tell the patient and their coordinators."""
    notify_all(_patient_side(visit.patient), messages.visit_cancelled_by_aide(aide, visit), now)


def visits_booked(aide: User, visits: list[Visit], now: datetime) -> None:
    """An aide booked a visit or a series: one message per booking, to the patient's side."""
    if visits:
        notify_all(_patient_side(visits[0].patient), messages.visits_booked(aide, visits), now)


def visits_cancelled_by_patient_side(actor: User, visits: list[Visit], now: datetime) -> None:
    """The patient or a coordinator called off visits (one, the rest of a series, or a whole
    request): each aide who had booked hears once, naming their visits and any late ones; the
    rest of the patient's side hears once."""
    if not visits:
        return
    by_aide: dict[int, list[Visit]] = {}
    for visit in visits:
        if visit.aide_id is not None:
            by_aide.setdefault(visit.aide_id, []).append(visit)
    for held in by_aide.values():
        notify_all([held[0].aide], messages.visits_cancelled_for_aide(actor, held), now)
    notify_all(
        _except(_patient_side(visits[0].patient), actor),
        messages.visits_cancelled_by_patient_side(actor, visits),
        now,
    )


def visit_log_saved(
    aide: User,
    visit: Visit,
    report: VisitReport,
    doses: list[MedicationLog],
    now: datetime,
) -> None:
    """The aide saved the visit log: a pain flag, and doses refused or missed, go to the
    patient's side at once, each fact once per visit however often the log is saved."""
    side = _patient_side(visit.patient)
    if report.safety_flag:
        message = messages.pain_flag_at_visit(aide, visit, report)
        notify_all(side, message, now, dedupe_key=f"pain:visit:{visit.id}")
    not_given = [log for log in doses if log.outcome in NOT_GIVEN]
    if not_given:
        outcomes = [log.outcome for log in not_given]
        message = messages.doses_not_given_at_visit(aide, visit, outcomes)
        key = _key(f"dose:visit:{visit.id}", [log.id for log in not_given])
        notify_all(side, message, now, dedupe_key=key)


def home_session_recorded(actor: User, patient: User, session: HomeSession, now: datetime) -> None:
    """A home session with a pain flag, or with doses refused or missed: the coordinators hear,
    and the patient when someone else logged it; never the person who logged it."""
    people = _except(_patient_side(patient), actor)
    if session.safety_flag:
        message = messages.pain_flag_at_home(actor, patient, session)
        notify_all(people, message, now, dedupe_key=f"pain:home:{session.id}")
    outcomes = [log.outcome for log in session.medications if log.outcome in NOT_GIVEN]
    if outcomes:
        message = messages.doses_not_given_at_home(actor, patient, session, outcomes)
        notify_all(people, message, now, dedupe_key=f"dose:home:{session.id}")


def circle_invitation_sent(
    patient: User, invitation: CircleInvitation, token: str, now: datetime
) -> None:
    """Email the invitation link to the address the patient entered. The invitee may have no
    account, so there is no alert: only the email."""
    message = messages.circle_invitation(patient, invitation, f"/circle/join/{token}")
    queue_email(
        invitation.email,
        message.title,
        message.body,
        why=messages.circle_invitation_why(patient),
        link=message.link,
        now=now,
    )


def circle_member_joined(member: CircleMember, now: datetime) -> None:
    """Someone joined: the patient and the coordinators hear, not the person who joined."""
    patient = member.patient
    notify_all([patient], messages.circle_member_joined(member, for_patient=True), now)
    notify_all(
        _except(_coordinators(patient), member.member),
        messages.circle_member_joined(member, for_patient=False),
        now,
    )


def circle_member_left(person: User, patient: User, now: datetime) -> None:
    """A member left on their own: the patient and the coordinators hear."""
    notify_all([patient], messages.circle_member_left(person, patient, for_patient=True), now)
    notify_all(
        _except(_coordinators(patient), person),
        messages.circle_member_left(person, patient, for_patient=False),
        now,
    )


def circle_member_removed(patient: User, person: User, now: datetime) -> None:
    """The patient removed a member: the coordinators hear, and so does the person removed."""
    notify_all(
        _except(_coordinators(patient), person),
        messages.circle_member_removed(person, patient),
        now,
    )
    notify_all([person], messages.removed_from_circle(patient), now)


def payment_key(visit_id: int, attempt: int) -> str:
    """One alert per visit and authorization attempt, whoever (a booking, the worker) saw it."""
    return f"payment:visit:{visit_id}:{attempt}"


def payments_failed(payments: list, now: datetime) -> int:
    """Cards declined for booked visits: the patient and coordinators hear once per attempt,
    with a link to the card page. A hold refused because the aide cannot be paid yet asks the
    aide to finish payouts, and tells the patient's side nothing is needed from them. Returns
    how many people were told."""
    told = 0
    for payment in payments:
        if payment is None or payment.status != "failed":
            continue
        visit = payment.visit
        key = payment_key(visit.id, payment.attempts)
        if payment.waits_on_aide:
            # The card is not the problem: the aide is asked to finish payouts, and the
            # patient's side is told nothing is needed from them.
            if visit.aide is not None and visit.aide.deleted_at is None:
                aide_message = payment_messages.aide_payouts_needed(visit)
                told += notify(visit.aide, aide_message, now, dedupe_key=key) is not None
            message = payment_messages.waiting_on_aide_payouts(visit)
        else:
            message = payment_messages.payment_problem(visit, payment.failure_reason)
        for person in _patient_side(visit.patient):
            if person.deleted_at is None:
                told += notify(person, message, now, dedupe_key=key) is not None
    return told


def unpaid_visit_reopened(
    visit: Visit, aide: User, now: datetime, *, aide_not_payable: bool = False
) -> int:
    """A visit reopened after its card stayed declined (or its aide could still not be paid):
    the aide and the patient's side hear. Returns how many people were told."""
    key = f"unpaid-reopened:visit:{visit.id}:{aide.id}"
    told = 0
    if aide.deleted_at is None:
        told += (
            notify(
                aide,
                payment_messages.unpaid_visit_reopened(
                    visit, aide, for_aide=True, aide_not_payable=aide_not_payable
                ),
                now,
                dedupe_key=key,
            )
            is not None
        )
    message = payment_messages.unpaid_visit_reopened(
        visit, aide, for_aide=False, aide_not_payable=aide_not_payable
    )
    for person in _patient_side(visit.patient):
        if person.deleted_at is None:
            told += notify(person, message, now, dedupe_key=key) is not None
    return told
