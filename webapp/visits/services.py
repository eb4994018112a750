"""A visit from arrival to departure: the visit read with its one-per-visit rows for its
pages, check-in and check-out, and the short-visit rule."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.errors import AlreadyDone, Conflict, NotFound
from webapp.extensions import db
from webapp.marketplace.models import PatientHome, Review
from webapp.payments import lifecycle as payments
from webapp.payments.models import VisitPayment
from webapp.scheduling.models import Visit
from webapp.visits.models import VisitReport

CHECK_IN_EARLY = timedelta(minutes=15)
#: A visit checked out more than this long before its planned end is marked short.
SHORT_VISIT_MARGIN = timedelta(minutes=15)


@dataclass
class LoadedVisit:
    """A visit with the one-per-visit rows its pages show, all read in one statement."""

    visit: Visit
    report: VisitReport | None
    payment: VisitPayment | None
    home: PatientHome | None = None
    review: Review | None = None


@cache
def _visit_query(home: bool, review: bool):
    """load_visit's statement, built once per shape (the visit id is bound)."""
    entities = [Visit, VisitReport, VisitPayment]
    entities += [PatientHome] if home else []
    entities += [Review] if review else []
    query = (
        select(*entities)
        .select_from(Visit)
        .outerjoin(VisitReport, VisitReport.visit_id == Visit.id)
        .outerjoin(VisitPayment, VisitPayment.visit_id == Visit.id)
    )
    if home:
        query = query.outerjoin(PatientHome, PatientHome.patient_id == Visit.patient_id)
    if review:
        query = query.outerjoin(Review, Review.visit_id == Visit.id)
    return query.where(Visit.id == bindparam("visit_id")).options(
        joinedload(Visit.patient, innerjoin=True),
        joinedload(Visit.request, innerjoin=True),
        joinedload(Visit.aide),
    )


def load_visit(visit_id: int, *, home: bool = False, review: bool = False) -> LoadedVisit | None:
    """The visit with its patient, aide and request, its report and payment (and the patient's
    home or the visit's review when asked), in one statement; None when there is no such visit.

    Loading it first puts the visit in the session, so the access check that follows
    (policy.visit_for) finds it there instead of reading it again. Nothing here is shown
    before that check passes."""
    row = db.session.execute(_visit_query(home, review), {"visit_id": visit_id}).first()
    if row is None:
        return None
    visit, report, payment, *rest = row
    return LoadedVisit(
        visit,
        report,
        payment,
        home=rest.pop(0) if home else None,
        review=rest.pop(0) if review else None,
    )


def _own_visit(aide: User, visit: Visit) -> None:
    if visit.aide_id != aide.id:
        raise NotFound("We could not find that visit.")


def get_report(visit: Visit) -> VisitReport | None:
    """The visit's report, once the aide has checked in."""
    return db.session.get(VisitReport, visit.id)


def check_in(aide: User, visit: Visit, now: datetime) -> VisitReport:
    """Start the visit: no earlier than 15 minutes before it, once, by its aide."""
    _own_visit(aide, visit)
    if visit.status == "checked_in":
        raise AlreadyDone("You are already checked in to this visit.")
    if visit.status != "booked":
        raise Conflict(f"This visit is {visit.status.replace('_', ' ')}; you cannot check in.")
    opens = visit.starts_at - CHECK_IN_EARLY
    if now < opens:
        local = opens.astimezone(ZoneInfo(visit.request.timezone))
        raise Conflict(f"Check-in opens at {local:%H:%M} on {local:%a %d %b}, 15 minutes before.")
    if now >= visit.ends_at:
        raise Conflict("This visit's time is over; it can no longer be checked in.")
    taken = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == "booked", Visit.aide_id == aide.id)
        .values(status="checked_in")
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise AlreadyDone("You are already checked in to this visit.")
    report = VisitReport(visit_id=visit.id, checked_in_at=now)
    db.session.add(report)
    db.session.flush()
    db.session.refresh(visit)
    return report


def check_out(aide: User, visit: Visit, now: datetime) -> VisitReport:
    """End the visit; it becomes completed. With card payments on, the hold is collected for
    the booked time, or for the time spent (rounded up to 15 minutes) when the aide leaves
    early; a collection that fails is recorded on the payment and never undoes the check-out."""
    _own_visit(aide, visit)
    if visit.status == "completed":
        raise AlreadyDone("This visit is already checked out.")
    if visit.status != "checked_in":
        raise Conflict("Check in before you check out.")
    if now < visit.starts_at:
        local = visit.starts_at.astimezone(ZoneInfo(visit.request.timezone))
        raise Conflict(
            f"This visit starts at {local:%H:%M}: you can check out once it has started. "
            "Nothing was changed."
        )
    done = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == "checked_in")
        .values(status="completed")
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise AlreadyDone("This visit is already checked out.")
    report = get_report(visit)
    report.checked_out_at = now
    db.session.flush()
    db.session.refresh(visit)
    payments.checked_out(visit, report.checked_in_at, now)
    return report


def is_short(visit: Visit, checked_out_at: datetime) -> bool:
    """Checked out more than 15 minutes before the planned end."""
    return checked_out_at < visit.ends_at - SHORT_VISIT_MARGIN
