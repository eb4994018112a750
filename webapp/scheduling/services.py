"""Booking rules: slots, booking one or a series, cancelling. Race-free.

Booking is enforced inside the database transaction, not only checked before it:

* the slot is taken with a conditional UPDATE that only matches while the slot is still
  open, so of two aides racing for one slot exactly one UPDATE changes a row;
* an aide's own bookings are serialised before the overlap check: on PostgreSQL with a row
  lock on the aide's account (SELECT ... FOR UPDATE), on SQLite because the route starts the
  transaction with BEGIN IMMEDIATE (see webapp.database.begin_write), which admits one writer.

With card payments on (webapp.payments.lifecycle), an aide Stripe cannot pay yet is refused
before anything changes; cancelling lets a visit's card hold go, or collects the late fee.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from webapp.auth.models import User
from webapp.errors import AlreadyDone, Conflict, NotAllowed, NotFound
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import HELD, LATE_CANCEL_HOURS, Visit, VisitCancellation
from webapp.scheduling.recurrence import Occurrence

#: The one answer for a visit that is missing or not the asker's: ids reveal nothing.
NO_VISIT = "We could not find that visit."


class SlotTaken(Conflict):
    """Someone else booked the slot first."""


class Overlap(Conflict):
    """The aide already holds a visit at that time."""


@dataclass(frozen=True)
class SeriesConflict:
    """Why one slot of a series could not be booked."""

    visit: Visit
    reason: str


class SeriesNotBooked(Conflict):
    """All-or-nothing series booking failed; nothing was booked."""

    def __init__(self, conflicts: list[SeriesConflict]):
        super().__init__(
            f"None of the visits were booked: {len(conflicts)} of them cannot be yours."
        )
        self.conflicts = conflicts


def create_slots(request: AssistanceRequest, occurrences: list[Occurrence]) -> list[Visit]:
    """One open visit per occurrence of the request."""
    visits = [
        Visit(
            request_id=request.id,
            patient_id=request.patient_id,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            status="open",
        )
        for occurrence in occurrences
    ]
    db.session.add_all(visits)
    db.session.flush()
    return visits


def _lock_aide(aide: User) -> None:
    """Serialise this aide's bookings (PostgreSQL; SQLite is serialised by BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == aide.id).with_for_update())


def _overlapping(
    aide: User, starts_at: datetime, ends_at: datetime, exclude_ids=()
) -> Visit | None:
    """A held visit overlapping [starts_at, ends_at); half-open, so 9-10 and 10-11 do not."""
    query = select(Visit).where(
        Visit.aide_id == aide.id,
        Visit.status.in_(HELD),
        Visit.starts_at < ends_at,
        Visit.ends_at > starts_at,
    )
    if exclude_ids:
        query = query.where(Visit.id.not_in(list(exclude_ids)))
    return db.session.scalars(query.limit(1)).first()


def _check_may_book(aide: User) -> None:
    from webapp import policy

    if not policy.may_book_visits(aide, fresh=True):  # read again as the booking begins
        if aide.is_aide:
            raise NotAllowed(
                "Your profile is not verified yet. An administrator verifies each aide's "
                "background check before they can book visits."
            )
        raise NotAllowed("Only verified care aides can book visits.")


def _payments():
    """Card payments (imported late: the payments package builds on scheduling)."""
    from webapp.payments import lifecycle

    return lifecycle


def _bookable_visit(aide: User, visit_id: int, now: datetime) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(NO_VISIT)
    from webapp import policy

    request = visit.request
    visible = (
        request.status == "active"
        and visit.patient_id != aide.id
        and policy.offer_open_to(aide, request, now)
    )
    if not visible and visit.aide_id != aide.id:
        raise NotFound(NO_VISIT)
    return visit


def _take(aide: User, visit: Visit, now: datetime) -> bool:
    """The conditional update: succeeds only while the slot is still open and in the future."""
    result = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == "open", Visit.aide_id.is_(None))
        .where(Visit.starts_at > now)
        .values(status="booked", aide_id=aide.id, booked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def book_visit(aide: User, visit_id: int, now: datetime) -> Visit:
    """Book one open slot for this aide, or raise a conflict the aide can understand."""
    _lock_aide(aide)  # first, so an aide deleted or unverified meanwhile cannot slip through
    _check_may_book(aide)
    _payments().require_payouts(aide)
    visit = _bookable_visit(aide, visit_id, now)
    if visit.aide_id == aide.id and visit.status in HELD:
        raise AlreadyDone("This visit is already yours.")
    if visit.status != "open":
        raise SlotTaken("Sorry, another aide booked this visit first. It is no longer open.")
    if visit.starts_at <= now:
        raise Conflict("This visit has already started, so it can no longer be booked.")
    clash = _overlapping(aide, visit.starts_at, visit.ends_at)
    if clash is not None:
        raise Overlap(
            "You already have a visit at that time, so you cannot be in two places at once."
        )
    if not _take(aide, visit, now):
        raise SlotTaken("Sorry, another aide booked this visit first. It is no longer open.")
    db.session.refresh(visit)
    return visit


def book_series(aide: User, request_id: int, visit_ids: list[int], now: datetime) -> list[Visit]:
    """Book every listed slot of one request, all or nothing."""
    _lock_aide(aide)  # first, so an aide deleted or unverified meanwhile cannot slip through
    _check_may_book(aide)
    _payments().require_payouts(aide)
    if not visit_ids:
        raise Conflict("There are no open visits left in this series.")
    visits = [_bookable_visit(aide, visit_id, now) for visit_id in sorted(set(visit_ids))]
    if any(visit.request_id != request_id for visit in visits):
        raise NotFound(NO_VISIT)
    conflicts = []
    for visit in visits:
        if visit.status != "open":
            conflicts.append(SeriesConflict(visit, "already booked by another aide"))
        elif visit.starts_at <= now:
            conflicts.append(SeriesConflict(visit, "already started"))
        elif _overlapping(aide, visit.starts_at, visit.ends_at) is not None:
            conflicts.append(SeriesConflict(visit, "you have another visit at that time"))
    if conflicts:
        raise SeriesNotBooked(conflicts)
    for visit in visits:
        if not _take(aide, visit, now):
            raise SeriesNotBooked([SeriesConflict(visit, "booked by another aide just now")])
    for visit in visits:
        db.session.refresh(visit)
    return visits


def _record_cancellation(visit: Visit, actor: User, side: str, late: bool, reason: str | None):
    db.session.add(
        VisitCancellation(
            visit_id=visit.id,
            aide_id=visit.aide_id,
            cancelled_by_id=actor.id,
            side=side,
            late=late,
            reason=reason,
        )
    )


def is_late(visit: Visit, now: datetime) -> bool:
    """Within 24 hours of the start."""
    return visit.starts_at - now < timedelta(hours=LATE_CANCEL_HOURS)


def cancel_by_aide(aide: User, visit: Visit, now: datetime, reason: str | None = None) -> bool:
    """The aide gives a booked visit back; it reopens on the board. Returns whether it was late."""
    if visit.aide_id != aide.id:
        raise NotFound(NO_VISIT)
    if visit.status != "booked":
        raise Conflict("Only a booked visit that has not started can be cancelled.")
    if visit.starts_at <= now:
        raise Conflict("This visit has already started; it can no longer be cancelled.")
    late = is_late(visit, now)
    _record_cancellation(visit, aide, "aide", late, reason)
    result = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == "booked", Visit.aide_id == aide.id)
        .values(status="open", aide_id=None, booked_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("This visit changed while you were cancelling it. Please reload.")
    db.session.refresh(visit)
    _payments().let_go(visit, now)  # the aide's cancellation never costs the patient
    return late


def cancel_by_patient(actor: User, visit: Visit, now: datetime, reason: str | None = None) -> bool:
    """The patient calls off one slot. Returns whether an aide was booked and it was late."""
    if visit.status not in ("open", "booked"):
        raise Conflict("Only an open or booked visit can be cancelled.")
    if visit.starts_at <= now:
        raise Conflict("This visit has already started; it can no longer be cancelled.")
    late = visit.status == "booked" and is_late(visit, now)
    _record_cancellation(visit, actor, "patient", late, reason)
    result = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status.in_(("open", "booked")))
        .values(status="cancelled", cancelled_at=now, cancelled_late=late)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("This visit changed while you were cancelling it. Please reload.")
    db.session.refresh(visit)
    _payments().cancelled_by_patient_side(visit, late, now)
    return late


def reopen_unpaid(visit: Visit, now: datetime) -> User | None:
    """The card for a booked visit stayed declined: the visit goes back on the board and the
    aide no longer holds it (not counted as their cancellation). Returns the aide, or None if
    the visit changed meanwhile."""
    aide = visit.aide
    result = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == "booked", Visit.aide_id == visit.aide_id)
        .values(status="open", aide_id=None, booked_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    db.session.refresh(visit)
    _payments().let_go(visit, now)
    return aide


def cancel_rest_of_series(
    actor: User, request: AssistanceRequest, now: datetime, from_time: datetime | None = None
) -> list[Visit]:
    """Cancel every open or booked future visit of a request from a point on."""
    query = select(Visit).where(
        Visit.request_id == request.id,
        Visit.status.in_(("open", "booked")),
        Visit.starts_at > now,
    )
    if from_time is not None:
        query = query.where(Visit.starts_at >= from_time)
    visits = list(db.session.scalars(query.order_by(Visit.starts_at)))
    for visit in visits:
        cancel_by_patient(actor, visit, now)
    return visits


def get_visit(visit_id: int) -> Visit:
    """A visit by id, or NotFound (the caller still asks the policy)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(NO_VISIT)
    return visit
