"""An aide's record as the directory and profile show it, kept on their AideProfile row.

The promise: the stars, review count, completed and missed visits and late cancellations on a
profile always equal what the review, visit and cancellation rows say, without adding up
history on a page view. How it holds:

* each counter moves by a relative UPDATE (``x = x + 1``) in the same transaction as the row
  that changes it, so two landings at once both count and a rollback undoes both;
* rows written through the ORM (a review, an aide's cancellation, a visit stored already
  completed or missed) move the counters from ``after_insert`` listeners below;
* the two status changes made by guarded UPDATEs call in here: check-out completes a visit
  (seen as its report getting ``checked_out_at``), the clock marks a missed one
  (``visit_missed`` from webapp.notifications.clock);
* ``recount`` rebuilds every counter from the rows (a backfill, or a repair).
"""

from sqlalchemy import Connection, event, func, inspect, select, update
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.marketplace.models import AideProfile, Review
from webapp.scheduling.models import Visit, VisitCancellation


def _bump(connection: Connection | Session, aide_id: int | None, **amounts: int) -> None:
    """Add to the aide's counters in the current transaction."""
    if aide_id is None:
        return
    connection.execute(
        update(AideProfile)
        .where(AideProfile.user_id == aide_id)
        .values({name: getattr(AideProfile, name) + amount for name, amount in amounts.items()})
        .execution_options(synchronize_session=False)
    )


def visit_missed(visit: Visit) -> None:
    """A booked visit ended with nobody checked in: one more missed visit for its aide."""
    _bump(db.session, visit.aide_id, missed_visits=1)


def visit_completed(connection: Connection, visit_id: int) -> None:
    """A visit was checked out: one more completed visit for its aide."""
    aide_id = connection.scalar(select(Visit.aide_id).where(Visit.id == visit_id))
    _bump(connection, aide_id, completed_visits=1)


def recount(connection: Connection) -> None:
    """Set every aide's counters from the review, visit and cancellation rows."""

    def total(expression, *conditions):
        return select(func.coalesce(expression, 0)).where(*conditions).scalar_subquery()

    aide = AideProfile.user_id
    connection.execute(
        update(AideProfile).values(
            rating_stars=total(func.sum(Review.rating), Review.aide_id == aide),
            rating_count=total(func.count(Review.id), Review.aide_id == aide),
            completed_visits=total(
                func.count(Visit.id), Visit.aide_id == aide, Visit.status == "completed"
            ),
            missed_visits=total(
                func.count(Visit.id), Visit.aide_id == aide, Visit.status == "no_show"
            ),
            late_cancellations=total(
                func.count(VisitCancellation.id),
                VisitCancellation.aide_id == aide,
                VisitCancellation.side == "aide",
                VisitCancellation.late.is_(True),
            ),
        )
    )


@event.listens_for(Review, "after_insert")
def _review_landed(mapper, connection, review: Review) -> None:
    _bump(connection, review.aide_id, rating_stars=review.rating, rating_count=1)


@event.listens_for(VisitCancellation, "after_insert")
def _cancellation_landed(mapper, connection, cancellation: VisitCancellation) -> None:
    if cancellation.side == "aide" and cancellation.late:
        _bump(connection, cancellation.aide_id, late_cancellations=1)


@event.listens_for(Visit, "after_insert")
def _visit_stored(mapper, connection, visit: Visit) -> None:
    if visit.status == "completed":
        _bump(connection, visit.aide_id, completed_visits=1)
    elif visit.status == "no_show":
        _bump(connection, visit.aide_id, missed_visits=1)


def _listen_for_check_out() -> None:
    """Check-out completes the visit with a guarded UPDATE, then stamps the report's
    checked_out_at through the ORM in the same transaction: count the visit then."""
    from webapp.visits.models import VisitReport

    @event.listens_for(VisitReport, "after_update")
    def _checked_out(mapper, connection, report) -> None:
        history = inspect(report).attrs.checked_out_at.history
        if history.added and history.added[0] is not None and not any(history.deleted):
            visit_completed(connection, report.visit_id)


_listen_for_check_out()
