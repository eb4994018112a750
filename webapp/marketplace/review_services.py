"""Review rules: a patient rates the aide of a completed visit, once."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.auth.models import User
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.extensions import db
from webapp.marketplace.models import Review
from webapp.scheduling.models import Visit

NO_VISIT = "We could not find that visit."
ALREADY_REVIEWED = "You have already reviewed this visit. Thank you!"


def review_of_visit(visit_id: int) -> Review | None:
    """The patient's review of this visit, if they wrote one (to hide a "Rate" button)."""
    return db.session.scalar(select(Review).where(Review.visit_id == visit_id))


def visit_to_review(patient: User, visit_id: int) -> Visit:
    """The patient's own completed visit that they have not reviewed yet."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or not policy.may_review_visit(patient, visit):
        raise NotFound(NO_VISIT)
    if visit.status != "completed" or visit.aide_id is None:
        raise Conflict("You can review a visit once it is completed.")
    if review_of_visit(visit.id) is not None:
        raise Conflict(ALREADY_REVIEWED)
    return visit


def leave_review(patient: User, visit_id: int, *, rating: int, comment: str | None) -> Review:
    """Rate the aide of a completed visit, once per visit."""
    visit = visit_to_review(patient, visit_id)
    if rating not in range(1, 6):
        raise InvalidInput("Choose a rating from 1 to 5 stars.")
    review = Review(
        visit_id=visit.id,
        patient_id=patient.id,
        aide_id=visit.aide_id,
        rating=rating,
        comment=comment,
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError as error:  # two submits at once: the unique visit_id keeps one
        raise Conflict(ALREADY_REVIEWED) from error
    return review
